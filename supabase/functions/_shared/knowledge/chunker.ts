// Splits a document into overlapping passages for retrieval: paragraphs first, sentences inside
// long paragraphs, words only for a sentence longer than a passage. Each passage after the first
// starts with the tail of the previous one (~15 %), so an answer that straddles a boundary is still
// found whole in one passage.
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
  let current: string[] = [];
  let length = 0;
  let fresh = 0; // units in `current` that are not overlap from the previous passage

  const flush = () => {
    if (!fresh) return;
    chunks.push(current.join(' '));
    const tail = overlapTail(current, overlap);
    current = tail;
    length = tail.reduce((n, u) => n + u.length + 1, 0);
    fresh = 0;
  };

  for (const unit of units) {
    if (fresh && length + unit.length + 1 > target) flush();
    current.push(unit);
    length += unit.length + 1;
    fresh++;
  }
  flush();
  return chunks.map((content, position) => ({ position, content }));
}

/** Sentences (or word runs for very long sentences), never longer than `target`. */
function toUnits(text: string, target: number): string[] {
  const units: string[] = [];
  for (const s of sentences(normalise(text))) {
    if (s.length <= target) {
      units.push(s);
      continue;
    }
    let run = '';
    for (const word of s.split(' ')) {
      if (run && run.length + word.length + 1 > target) {
        units.push(run);
        run = '';
      }
      run = run ? `${run} ${word.length > target ? word.slice(0, target) : word}` : word.slice(0, target);
    }
    if (run) units.push(run);
  }
  return units;
}

/** The last units of a passage that fit in `overlap` characters; a word-boundary tail otherwise. */
function overlapTail(units: string[], overlap: number): string[] {
  if (overlap <= 0) return [];
  const tail: string[] = [];
  let size = 0;
  for (let i = units.length - 1; i >= 0; i--) {
    if (size + units[i].length + 1 > overlap) break;
    tail.unshift(units[i]);
    size += units[i].length + 1;
  }
  if (tail.length) return tail;
  const last = units[units.length - 1] ?? '';
  const cut = last.slice(-overlap);
  const space = cut.indexOf(' ');
  const words = space >= 0 ? cut.slice(space + 1) : cut;
  return words ? [`…${words}`] : [];
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}
