// Main-content extraction from HTML: the readable text of a page without its navigation, header,
// footer, scripts and styles, in paragraphs, plus its title and the links it holds (for following
// same-site links). Uses htmlparser2's streaming tokenizer: no DOM is built, so a large page costs
// little memory, and malformed markup never throws.
import { Parser } from 'npm:htmlparser2@12.0.0';

export interface ExtractedPage {
  title: string;
  text: string;
  links: string[];
}

/** Elements whose whole content is dropped. */
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'nav', 'header', 'footer', 'aside', 'form', 'iframe', 'button', 'select', 'canvas', 'object', 'head']);
const SKIP_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog']);
const BLOCK = new Set(['p', 'div', 'section', 'article', 'main', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'table', 'tr', 'td', 'th', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'br', 'hr', 'figure', 'figcaption', 'address', 'details', 'summary']);
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr']);

interface Collector {
  parts: string[];
}

export function extractHtml(html: string, baseUrl?: string): ExtractedPage {
  const all: Collector = { parts: [] };
  const main: Collector = { parts: [] };
  const links: string[] = [];
  let title = '';
  let h1 = '';
  let inTitle = false;
  let inH1 = false;
  // Stack of open elements: whether each one skips its content, and whether it is a main region.
  const stack: Array<{ name: string; skip: boolean; main: boolean }> = [];
  let skipDepth = 0;
  let mainDepth = 0;

  const push = (s: string) => {
    all.parts.push(s);
    if (mainDepth > 0) main.parts.push(s);
  };

  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === 'title') inTitle = true;
      if (name === 'h1' && !h1) inH1 = true;
      const role = (attrs.role ?? '').toLowerCase();
      const hidden = 'hidden' in attrs || attrs['aria-hidden'] === 'true' || /display\s*:\s*none/i.test(attrs.style ?? '');
      const skip = SKIP.has(name) || SKIP_ROLES.has(role) || hidden;
      const isMain = name === 'main' || name === 'article' || role === 'main';
      // Links inside navigation are kept too: they are the ones worth following.
      if (name === 'a' && attrs.href) links.push(attrs.href);
      if (VOID.has(name)) {
        if (BLOCK.has(name) && skipDepth === 0) push('\n');
        if (name === 'img' && attrs.alt && skipDepth === 0) push(` ${attrs.alt} `);
        return;
      }
      stack.push({ name, skip, main: isMain });
      if (skip) skipDepth++;
      if (isMain) mainDepth++;
      if (BLOCK.has(name) && skipDepth === 0) push('\n\n');
      if (name === 'li' && skipDepth === 0) push('- ');
    },
    ontext(text) {
      if (inTitle) title += text;
      if (inH1) h1 += text;
      if (skipDepth === 0 && !inTitle) push(text);
    },
    onclosetag(name) {
      if (name === 'title') inTitle = false;
      if (name === 'h1') inH1 = false;
      if (VOID.has(name)) return;
      // Pop to the matching element (tolerates unclosed children).
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i].name !== name) continue;
        for (const el of stack.splice(i)) {
          if (el.skip) skipDepth--;
          if (el.main) mainDepth--;
        }
        break;
      }
      if (BLOCK.has(name) && skipDepth === 0) push('\n\n');
      if (/^h[1-6]$/.test(name) && skipDepth === 0) push('\n\n');
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(html);
  parser.end();

  const mainText = tidy(main.parts.join(''));
  // Prefer the page's main region when it has real content; else everything not skipped.
  const text = mainText.length >= 200 || (mainText && mainText.length >= tidy(all.parts.join('')).length * 0.3) ? mainText : tidy(all.parts.join(''));
  return {
    title: tidy(title || h1).replace(/\n+/g, ' '),
    text,
    links: resolveLinks(links, baseUrl),
  };
}

function tidy(s: string): string {
  return s
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .split('\n\n')
    .map((p) => p.replace(/\n/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}

function resolveLinks(hrefs: string[], baseUrl?: string): string[] {
  const out = new Set<string>();
  for (const href of hrefs) {
    try {
      const url = new URL(href, baseUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      url.hash = '';
      out.add(url.toString());
    } catch { /* not a URL */ }
  }
  return [...out];
}
