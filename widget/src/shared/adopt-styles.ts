// Styles go in through constructable stylesheets: a host page whose Content-Security-Policy has
// no 'unsafe-inline' still lets them apply (CSP governs <style> elements and style attributes,
// not CSSOM). Browsers without adoptedStyleSheets (Safari < 16.4) get a <style> in the shadow
// root instead, which works unless such a CSP is present.

export interface StyleSlot {
  /** Replaces the slot's CSS text. */
  set(css: string): void;
}

export function addStyles(root: ShadowRoot, css: string): StyleSlot {
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return { set: (text) => sheet.replaceSync(text) };
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.appendChild(style);
  return { set: (text) => { style.textContent = text; } };
}
