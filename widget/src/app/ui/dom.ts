// Small DOM builders. Text always goes in as text nodes: nothing here parses HTML.
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) el.setAttribute(name, '');
    else if (typeof value === 'string') el.setAttribute(name, value);
  }
  el.append(...(children.filter((c) => c || c === '') as (Node | string)[]));
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export const ICONS = {
  close: 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z',
  back: 'M15.4 7.4 14 6l-6 6 6 6 1.4-1.4L10.8 12z',
  plus: 'M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6z',
  send: 'M2 21 23 12 2 3v7l15 2-15 2z',
};

export function icon(d: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.appendChild(document.createElementNS(SVG, 'path')).setAttribute('d', d);
  return svg;
}

/** An icon button with an accessible name. */
export function iconButton(d: string, label: string, className: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: `icon ${className}`, 'aria-label': label, title: label }, icon(d));
  return button;
}
