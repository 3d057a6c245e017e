// The launcher's styles. `all: initial` on the host (with !important, which wins over the page's
// own !important rules from inside the shadow tree) stops the page's CSS from reaching in through
// inherited properties; nothing in here can reach out. Custom properties: --p/--op the site's
// colour and its readable text colour, --l/--r the side, --z the stacking order.
export const LAUNCHER_CSS =
  ':host{all:initial!important;position:fixed!important;z-index:var(--z)!important}' +
  '.launcher{all:unset;position:fixed;bottom:calc(20px + env(safe-area-inset-bottom,0px));left:var(--l);right:var(--r);min-width:56px;height:56px;border-radius:28px;background:var(--p);color:var(--op);display:grid;grid-auto-flow:column;gap:8px;place-items:center;cursor:pointer;box-shadow:0 4px 14px #0004;visibility:hidden;font:600 15px system-ui,sans-serif}' +
  '.shown{visibility:visible}.launcher:hover{filter:brightness(1.12)}' +
  '.launcher:focus-visible{outline:3px solid #111827;outline-offset:2px;box-shadow:0 0 0 2px #fff}' +
  'svg{width:28px;height:28px;fill:currentColor}' +
  // widget_style (shared/styles.ts): the pill and the tab show their label, the tab sits on the
  // bottom edge, the compact one is a small square.
  '.s-bubble .label,.s-compact .label,[aria-expanded=true] .label{display:none}.s-pill,.s-tab{padding:0 18px}' +
  '.s-tab{bottom:0;height:44px;border-radius:12px 12px 0 0}.s-compact{min-width:48px;height:48px;border-radius:12px}';

/** Colours, side and stacking, replaced once widget-init answers. */
export function themeCss(primary: string, onPrimary: string, side: 'left' | 'right', zIndex: number): string {
  const left = side === 'left';
  return `:host{--z:${zIndex};--p:${primary};--op:${onPrimary};--l:${left ? '20px' : 'auto'};--r:${left ? 'auto' : '20px'}}`;
}
