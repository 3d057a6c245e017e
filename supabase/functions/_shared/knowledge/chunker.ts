// Splits a document into overlapping passages for retrieval: paragraphs first, sentences inside
// long paragraphs, words only for a sentence longer than a passage. Each passage after the first
// starts with the tail of the previous one (~15 %), so an answer that straddles a boundary is still
// found whole in one passage. A heading, a short label line, a list item or a table row keeps its
// own line, so the answer engine never reads it as part of the sentence after it.
import { structuralLines } from '../answer/segment.ts';
import { sentences } from '../text.ts';

export interface ChunkOptions {
  /** Target passage length in characters. */
  targetChars?: number;
  /** Characters of the previous passage repeated at the start of the next. */
  overlapChars?: number;
}

export interface Chunk {
  position: number;
  content: string;
}

export const DEFAULT_TARGET_CHARS = 800;

export function chunkText(text: string, opts: ChunkOptions = {}): Chunk[] {
  const target = Math.max(100, opts.targetChars ?? DEFAULT_TARGET_CHARS);
  const overlap = Math.min(Math.floor(target / 2), opts.overlapChars ?? Math.round(target * 0.15));
  const units = toUnits(text, target);
  const chunks: string[] = [];
  let current: Unit[] = [];
  let length = 0;
  let fresh = 0; // units in `current` that are not overlap from the previous passage

  const flush = () => {
    if (!fresh) return;
    chunks.push(join(current));
    const tail = overlapTail(current, overlap);
    current = tail;
    length = tail.reduce((n, u) => n + u.text.length + 1, 0);
    fresh = 0;
  };

  for (const unit of units) {
    if (fresh && length + unit.text.length + 1 > target) flush();
    current.push(unit);
    length += unit.text.length + 1;
    fresh++;
  }
  flush();
  return chunks.map((content, position) => ({ position, content }));
}

/** A sentence (or a run of words), and whether it starts a paragraph or a line. */
interface Unit {
  text: string;
  paragraph: boolean;
  line?: boolean;
}

/** Sentences of one line are joined by a space, lines by a line break, paragraphs by a blank line. */
function join(units: Unit[]): string {
  return units.map((u, i) => (i === 0 ? u.text : `${u.paragraph ? '\n\n' : u.line ? '\n' : ' '}${u.text}`)).join('');
}

/** Sentences (or word runs for very long sentences), never longer than `target`. */
function toUnits(text: string, target: number): Unit[] {
  const units: Unit[] = [];
  for (const paragraph of normalise(text).split(/\n\s*\n/)) {
    let first = true;
    for (const line of structuralLines(paragraph)) {
      let lineStart = true;
      for (const s of sentences(line)) {
        const pieces = s.length <= target ? [s] : wordRuns(s, target);
        for (const piece of pieces) {
          units.push({ text: piece, paragraph: first, ...(lineStart && !first ? { line: true } : {}) });
          first = false;
          lineStart = false;
        }
      }
    }
  }
  return units;
}

function wordRuns(s: string, target: number): string[] {
  const runs: string[] = [];
  let run = '';
  for (const raw of s.split(' ')) {
    const word = raw.slice(0, target);
    if (run && run.length + word.length + 1 > target) {
      runs.push(run);
      run = '';
    }
    run = run ? `${run} ${word}` : word;
  }
  if (run) runs.push(run);
  return runs;
}

/** The last units of a passage that fit in `overlap` characters; a word-boundary tail otherwise. */
function overlapTail(units: Unit[], overlap: number): Unit[] {
  if (overlap <= 0) return [];
  const tail: Unit[] = [];
  let size = 0;
  for (let i = units.length - 1; i >= 0; i--) {
    if (size + units[i].text.length + 1 > overlap) break;
    tail.unshift(units[i]);
    size += units[i].text.length + 1;
  }
  if (tail.length) return [{ ...tail[0], paragraph: true }, ...tail.slice(1)];
  const last = units[units.length - 1]?.text ?? '';
  const cut = last.slice(-overlap);
  const space = cut.indexOf(' ');
  const words = space >= 0 ? cut.slice(space + 1) : cut;
  return words ? [{ text: `…${words}`, paragraph: true }] : [];
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}
