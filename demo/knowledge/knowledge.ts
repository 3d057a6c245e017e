// The demo business's facts (Northside Cycles), one Markdown file per knowledge source, parsed into
// sources and passages. The seed (supabase/seed.sql, via seed-sql.ts) and anything else that needs
// the same facts (the demo page, retrieval tests) read them from here, so they never disagree.
//
// File format: a front matter block (`title`, `kind`: text | faq, optional `url`), then `## `
// sections. Each section is one passage: for `text` its heading and paragraphs, for `faq` the
// question (heading) and its answer.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KNOWLEDGE_DIR = dirname(fileURLToPath(import.meta.url));

export interface DemoPassage {
  position: number;
  heading: string;
  content: string;
}

export interface DemoSource {
  /** Stable id derived from the file name, so the seed is the same on every run. */
  id: string;
  file: string;
  kind: 'text' | 'faq';
  title: string;
  url?: string;
  /** The whole body (without front matter), as the source's original text. */
  content: string;
  passages: DemoPassage[];
}

/** A UUID (version 5 layout) from a name: the same name always gives the same id. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`emily-demo-knowledge:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function parseSource(file: string, text: string): DemoSource {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!match) throw new Error(`${file}: missing front matter (--- title/kind ---)`);
  const meta = Object.fromEntries(
    match[1].split('\n').filter((l) => l.trim()).map((l) => {
      const i = l.indexOf(':');
      if (i < 0) throw new Error(`${file}: bad front matter line "${l}"`);
      return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    }),
  );
  const kind = meta.kind;
  if (kind !== 'text' && kind !== 'faq') throw new Error(`${file}: kind must be text or faq`);
  if (!meta.title) throw new Error(`${file}: title missing`);
  const body = match[2].trim();
  const sections = body.split(/^## /m).map((s) => s.trim()).filter(Boolean);
  const passages = sections.map((section, position) => {
    const [heading, ...rest] = section.split('\n');
    const paragraph = rest.join('\n').trim();
    if (!paragraph) throw new Error(`${file}: section "${heading}" is empty`);
    return { position, heading: heading.trim(), content: `${heading.trim()}\n${paragraph}` };
  });
  if (!passages.length) throw new Error(`${file}: no "## " sections`);
  return { id: stableUuid(file), file, kind, title: meta.title, url: meta.url || undefined, content: body, passages };
}

/** Every source of the demo knowledge base, in file-name order. */
export function loadDemoKnowledge(dir = KNOWLEDGE_DIR): DemoSource[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => parseSource(f, readFileSync(join(dir, f), 'utf8')));
}
