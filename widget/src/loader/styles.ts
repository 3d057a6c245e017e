// The launcher's styles. `all: initial` on the host (with !important, which wins over the page's
// own !important rules from inside the shadow tree) stops the page's CSS from reaching in through
// inherited properties; nothing in here can reach out. Custom properties: --p/--op the site's
// colour and its readable text colour, --l/--r the side, --z the stacking order.
export const LAUNCHER_CSS =
  ':host{all:initial!important;position:fixed!important;z-index:var(--z)!important}' +
  '.launcher{all:unset;box-sizing:border-box;position:fixed;bottom:calc(20px + env(safe-area-inset-bottom,0px));left:var(--l);right:var(--r);width:56px;height:56px;border-radius:50%;background:var(--p);color:var(--op);display:grid;place-items:center;cursor:pointer;box-shadow:0 4px 14px #0004;transition:transform .15s;opacity:0;pointer-events:none}' +
  '.shown{opacity:1;pointer-events:auto}.launcher:hover{transform:scale(1.06)}' +
  '.launcher:focus-visible{outline:3px solid #111827;outline-offset:2px;box-shadow:0 0 0 2px #fff}' +
  'svg{width:28px;height:28px;fill:currentColor}' +
  '.badge{position:absolute;top:-4px;right:-4px;min-width:20px;padding:0 6px;border-radius:10px;background:#b91c1c;color:#fff;font:700 12px/20px system-ui,sans-serif}.badge:empty{display:none}' +
  '@media (prefers-reduced-motion:reduce){*{transition:none!important}}';

/** Colours, side and stacking, replaced once widget-init answers. */
export function themeCss(primary: string, onPrimary: string, side: 'left' | 'right', zIndex: number): string {
  const left = side === 'left';
  return `:host{--z:${zIndex};--p:${primary};--op:${onPrimary};--l:${left ? '20px' : 'auto'};--r:${left ? 'auto' : '20px'}}`;
}
