// A small, safe Markdown subset for chat messages: paragraphs and line breaks, **bold**,
// *italic*, `inline code`, fenced code blocks, bullet and numbered lists, [links](url) and bare
// URLs. Parsing yields a tree of plain data; rendering builds DOM nodes with textContent only, so
// no input can become markup. Links are kept only for http, https and mailto.

export type Inline =
  | string
  | { t: 'b' | 'i'; c: Inline[] }
  | { t: 'code'; text: string }
  | { t: 'a'; href: string; c: Inline[] };

export type Block =
  | { t: 'p'; lines: Inline[][] }
  | { t: 'ul' | 'ol'; items: Inline[][] }
  | { t: 'pre'; text: string };

const LINK_PROTOCOLS = ['http:', 'https:', 'mailto:'];

/** The URL as the browser will use it, or null unless it is absolute http(s) or mailto. */
export function safeUrl(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    return LINK_PROTOCOLS.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// Alternatives, in order: escape, code span, link, bold (** or __), italic (* or _), bare URL.
const INLINE =
  /\\([\\`*_[\]()#+\-.!>~|])|`([^`\n]+)`|\[([^\]\n]+)\]\(\s*<?([^()\s<>]+)>?\s*\)|(\*\*|__)(?=\S)([\s\S]*?\S)\5|([*_])(?=[^\s*_])([^\n]*?[^\s\\])\7|(https?:\/\/[^\s<>"]*[^\s<>"'.,:;!?)\]*_])/;

export function parseInline(text: string, inLink = false): Inline[] {
  const out: Inline[] = [];
  const push = (node: Inline) => {
    if (typeof node === 'string' && typeof out[out.length - 1] === 'string') out[out.length - 1] += node;
    else if (node !== '') out.push(node);
  };
  const re = new RegExp(INLINE.source, 'g');
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index;
    // `_` inside a word (snake_case) is not emphasis: look again one character further.
    if ((m[5] === '__' || m[7] === '_') && /\w/.test(text[at - 1] ?? '')) {
      re.lastIndex = at + 1;
      continue;
    }
    push(text.slice(last, at));
    if (m[1] !== undefined) push(m[1]);
    else if (m[2] !== undefined) push({ t: 'code', text: m[2] });
    else if (m[3] !== undefined) {
      const href = safeUrl(m[4]);
      push(href && !inLink ? { t: 'a', href, c: parseInline(m[3], true) } : m[0]);
    } else if (m[6] !== undefined) push({ t: 'b', c: parseInline(m[6], inLink) });
    else if (m[8] !== undefined) push({ t: 'i', c: parseInline(m[8], inLink) });
    else {
      const href = inLink ? null : safeUrl(m[9]);
      push(href ? { t: 'a', href, c: [m[9]] } : m[9]);
    }
    last = re.lastIndex;
  }
  push(text.slice(last));
  return out;
}

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: Inline[][] | null = null;
  let list: { t: 'ul' | 'ol'; items: Inline[][] } | null = null;
  const flush = () => {
    if (para) blocks.push({ t: 'p', lines: para });
    if (list) blocks.push(list);
    para = list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      while (++i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i]);
      blocks.push({ t: 'pre', text: body.join('\n') });
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const kind = bullet ? 'ul' : 'ol';
      if (para || (list && list.t !== kind)) flush();
      list ??= { t: kind, items: [] };
      list.items.push(parseInline(item[1]));
      continue;
    }
    if (list) {
      // A line right under an item continues it.
      const items: Inline[][] = list.items;
      items[items.length - 1].push(' ', ...parseInline(line.trim()));
      continue;
    }
    const heading = HEADING.exec(line);
    para ??= [];
    para.push(heading ? [{ t: 'b', c: parseInline(heading[1]) }] : parseInline(line.trim()));
  }
  flush();
  return blocks;
}

function renderInline(nodes: Inline[], parent: Node): void {
  for (const node of nodes) {
    if (typeof node === 'string') {
      parent.appendChild(document.createTextNode(node));
      continue;
    }
    if (node.t === 'code') {
      parent.appendChild(document.createElement('code')).textContent = node.text;
      continue;
    }
    const el = document.createElement(node.t === 'b' ? 'strong' : node.t === 'i' ? 'em' : 'a');
    if (node.t === 'a') {
      (el as HTMLAnchorElement).href = node.href;
      (el as HTMLAnchorElement).target = '_blank';
      (el as HTMLAnchorElement).rel = 'noopener noreferrer nofollow';
    }
    renderInline(node.c, el);
    parent.appendChild(el);
  }
}

/** Renders untrusted Markdown into a fragment of safe DOM nodes. */
export function renderMarkdown(source: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) {
    if (block.t === 'pre') {
      frag.appendChild(document.createElement('pre')).appendChild(document.createElement('code')).textContent = block.text;
    } else if (block.t === 'p') {
      const p = frag.appendChild(document.createElement('p'));
      block.lines.forEach((line, i) => {
        if (i) p.appendChild(document.createElement('br'));
        renderInline(line, p);
      });
    } else {
      const list = frag.appendChild(document.createElement(block.t));
      for (const item of block.items) renderInline(item, list.appendChild(document.createElement('li')));
    }
  }
  return frag;
}
