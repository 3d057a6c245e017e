// The chat panel's styles, adopted into the loader's shadow root next to the launcher's.
// --p / --op are the site's colour and the text colour chosen for it (loader/styles.ts). The
// website's widget_style is a class on the launcher, which comes before the panel: `.s-tab~.panel`.
// On phones every style fills the screen (the media rules come last and are as specific).
export const PANEL_CSS = `
.panel{all:initial;position:fixed;box-sizing:border-box;bottom:calc(88px + env(safe-area-inset-bottom,0px));left:var(--l);right:var(--r);width:380px;max-width:calc(100vw - 32px);height:min(640px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;color:#111827;border-radius:16px;box-shadow:0 12px 48px #0003,0 2px 8px #0001;overflow:hidden;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;opacity:0;transform:translateY(12px);transition:opacity .18s,transform .18s;pointer-events:none}
.panel.open{opacity:1;transform:none;pointer-events:auto}
.panel[hidden]{display:none}
.panel *{box-sizing:border-box}
.head{display:flex;align-items:center;gap:4px;padding:10px 8px 10px 14px;background:var(--p);color:var(--op);flex:none}
.head .title{flex:1;min-width:0}
.head h2{margin:0;font-size:16px;font-weight:650;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.head p{margin:0;font-size:12px;opacity:.85}
button{font:inherit;color:inherit}
.icon{all:unset;display:grid;place-items:center;width:36px;height:36px;border-radius:50%;cursor:pointer;flex:none}
.icon svg{width:22px;height:22px;fill:currentColor}
.icon:hover{background:#ffffff26}
.icon:focus-visible,.composer button:focus-visible,.link:focus-visible,.conv:focus-visible{outline:2px solid currentColor;outline-offset:1px}
.icon[hidden]{display:none}
.banner{padding:6px 14px;font-size:13px;background:#fef3c7;color:#78350f;flex:none}
.banner:empty{display:none}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:14px 12px 6px;display:flex;flex-direction:column;gap:10px;background:#f9fafb}
.log:focus-visible{outline:2px solid var(--p);outline-offset:-2px}
.msg{display:flex;flex-direction:column;max-width:85%;align-self:flex-start}
.msg.user{align-self:flex-end;align-items:flex-end}
.msg.system{align-self:center;max-width:92%;text-align:center;font-size:13px;color:#4b5563}
.who{font-size:12px;color:#4b5563;margin:0 4px 2px}
.bubble{padding:8px 12px;border-radius:14px;background:#fff;border:1px solid #e5e7eb;overflow-wrap:anywhere;white-space:normal}
.msg.user .bubble{background:var(--p);color:var(--op);border-color:transparent;border-bottom-right-radius:4px}
.msg.assistant .bubble{border-bottom-left-radius:4px}
.msg.agent .bubble{background:#eef2ff;border-color:#c7d2fe;border-bottom-left-radius:4px}
.msg.system .bubble{background:none;border:0;padding:2px 8px}
.msg.failed .bubble{opacity:.7}
.bubble p{margin:0 0 6px}.bubble p:last-child{margin:0}
.bubble ul,.bubble ol{margin:4px 0;padding-left:20px}
.bubble code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#0000000f;padding:1px 4px;border-radius:4px}
.bubble pre{margin:6px 0;padding:8px;background:#111827;color:#f9fafb;border-radius:8px;overflow-x:auto}
.bubble pre code{background:none;padding:0;color:inherit}
.bubble a{color:inherit;text-decoration:underline}
.sources{margin:4px 4px 0;font-size:12px;color:#4b5563}
.sources ul{margin:2px 0 0;padding-left:16px}
.sources a{color:#1d4ed8}
.meta{font-size:11px;color:#6b7280;margin:2px 4px 0;display:flex;gap:6px;align-items:center}
.meta .state-failed{color:#b91c1c}
.link{all:unset;cursor:pointer;text-decoration:underline;color:#1d4ed8}
.dots{display:inline-flex;gap:4px;padding:4px 0}
.dots i{width:7px;height:7px;border-radius:50%;background:#9ca3af;animation:emily-blink 1.2s infinite}
.dots i:nth-child(2){animation-delay:.2s}.dots i:nth-child(3){animation-delay:.4s}
@keyframes emily-blink{0%,80%,100%{opacity:.3}40%{opacity:1}}
.typing{padding:0 16px 4px;font-size:12px;color:#4b5563;min-height:18px;background:#f9fafb;flex:none}
.composer{display:flex;gap:8px;align-items:flex-end;padding:10px 12px calc(10px + env(safe-area-inset-bottom,0px));border-top:1px solid #e5e7eb;background:#fff;flex:none}
.composer textarea{all:unset;flex:1;box-sizing:border-box;min-height:40px;max-height:140px;padding:9px 12px;border:1px solid #d1d5db;border-radius:12px;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#fff;white-space:pre-wrap;overflow-wrap:anywhere;overflow-y:auto}
.composer textarea:focus{border-color:var(--p);box-shadow:0 0 0 2px color-mix(in srgb,var(--p) 30%,transparent)}
.composer button{all:unset;display:grid;place-items:center;width:40px;height:40px;border-radius:50%;background:var(--p);color:var(--op);cursor:pointer;flex:none}
.composer button svg{width:20px;height:20px;fill:currentColor}
.composer button:disabled{opacity:.5;cursor:default}
.list{flex:1;overflow-y:auto;padding:12px;background:#f9fafb}
.list[hidden],.chat[hidden]{display:none}
.chat{flex:1;display:flex;flex-direction:column;min-height:0}
.list ul{list-style:none;margin:10px 0 0;padding:0;display:flex;flex-direction:column;gap:8px}
.conv{all:unset;box-sizing:border-box;display:block;width:100%;padding:10px 12px;background:#fff;border:1px solid #e5e7eb;border-radius:12px;cursor:pointer}
.conv strong{display:block;font-size:14px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.conv span{display:block;font-size:12px;color:#4b5563;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.start{all:unset;box-sizing:border-box;display:block;width:100%;text-align:center;padding:10px;border-radius:12px;background:var(--p);color:var(--op);font-weight:600;cursor:pointer}
.start:focus-visible{outline:2px solid #111827;outline-offset:2px}
.empty{color:#4b5563;font-size:14px;text-align:center;margin-top:16px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.s-tab~.panel{bottom:calc(56px + env(safe-area-inset-bottom,0px))}
.s-compact~.panel{bottom:calc(80px + env(safe-area-inset-bottom,0px));width:340px;height:min(520px,calc(100vh - 100px));border-radius:6px;font-size:14px}
.s-compact~.panel .head{padding:6px 6px 6px 12px}
.s-compact~.panel .bubble,.s-compact~.panel .conv,.s-compact~.panel .start,.s-compact~.panel .composer textarea{border-radius:6px}
@media (max-width:480px){
.launcher~.panel{top:var(--emily-vvt,0);left:0;right:0;bottom:auto;width:100%;max-width:none;height:var(--emily-vvh,100%);border-radius:0;padding-top:env(safe-area-inset-top,0px)}
.launcher[aria-expanded=true]{visibility:hidden}
}
@media (prefers-reduced-motion:reduce){.panel,.dots i{transition:none;animation:none}}
`;
