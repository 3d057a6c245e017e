// Splits a passage into the pieces the extractive engine may quote, keeping the structure that a
// flat sentence splitter loses: a Markdown heading, a short label line ("Opening hours"), a list
// item or a table row is never glued to the sentence after it. Headings and FAQ questions are kept
// as context (a sentence under "Puncture repair" is about puncture repairs; the sentence after
// "Can I pay by card?" answers it) but are never quoted themselves.
import { sentences } from '../text.ts';

export type SegmentKind = 'heading' | 'question' | 'sentence' | 'item';

export interface Segment {
  kind: SegmentKind;
  /** The text as it would be quoted (bullets, "A:" labels and a leading "Yes."/"No." removed). */
  text: string;
  /** Position in the passage. */
  index: number;
  /** The nearest heading above it, if any. */
  heading?: string;
  /** The FAQ question it answers (the question line or sentence it follows), if any. */
  question?: string;
  /** A leading "Yes."/"No, …" (as written) taken off `text`; quoted only beside its question. */
  polarity?: string;
  /** With `polarity`: the sentence as written, "Yes, city bikes can be hired…". */
  original?: string;
  /** Starts mid-sentence (a passage's overlap with the one before it): never quoted. */
  fragment?: boolean;
}

const HEADING = /^#{1,6}\s+(.*?)\s*#*$/;
const BULLET = /^(?:[-*•+▪◦‣]|\d{1,3}[.)])\s+/;
const TABLE_ROW = /^\|(.*)\|$/;
const TABLE_RULE = /^\|?[\s:|-]+\|?$/;
const QUESTION_LABEL = /^(?:q|question|frage|pregunta)\s*[:.]\s*/i;
const ANSWER_LABEL = /^(?:a|answer|r|réponse|reponse|antwort|respuesta)\s*:\s*/i;
/** Words a wrapped line may end on but a label does not. */
const DANGLING = new Set(
  'a an and or but the of to for with in on at by from as that which who is are was be than de la le les et ou du des à au en pour und oder der die das den dem ein eine mit von zu für y o el los las del con para por que'
    .split(' '),
);
/** "Yes." / "No, …" (and their French, German and Spanish forms) at the start of an answer. */
const POLARITY_WORDS = 'yes|no|yep|nope|sure|of course|oui|non|bien sûr|ja|nein|natürlich|sí|si|claro|por supuesto';
const POLARITY = new RegExp(`^(?:${POLARITY_WORDS})\\s*[.!,;:—–]+\\s*(?=\\S)`, 'i');
const BARE_POLARITY = new RegExp(`^(?:${POLARITY_WORDS})\\s*[.!]*$`, 'i');

/**
 * A line that stands for a label, not for prose: short, starting like a title, not ending like a
 * sentence or mid-phrase, and followed by a line that starts afresh (or by nothing).
 */
function isLabelLine(line: string, next: string | undefined): boolean {
  if (line.length > 70 || line.split(/\s+/).length > 9) return false;
  if (/[.!?…;,]$/.test(line)) return false;
  if (!/^[\p{Lu}\p{N}"“'(¿¡]/u.test(line)) return false;
  const last = line.toLowerCase().match(/[\p{L}]+$/u)?.[0];
  if (last && DANGLING.has(last)) return false;
  return next === undefined || next === '' || /^[\p{Lu}\p{N}"“'(¿¡#|]/u.test(next) || BULLET.test(next);
}

/** A label line that carries a fact ("Phone: 01 555 0142", "Mon–Fri 9:00–18:00") is quotable. */
function isFactLine(line: string): boolean {
  return /\d/.test(line) || /:\s*\S/.test(line);
}

/**
 * The lines of a text as structural units: every heading, label line, list item and table row is
 * a unit of its own; consecutive prose lines (soft-wrapped text) are one unit. Blank lines are
 * kept as empty strings so paragraph breaks survive. The chunker uses this too, so the passages it
 * stores keep these line breaks.
 */
export function structuralLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  const out: string[] = [];
  let prose: string[] = [];
  const flush = () => {
    if (prose.length) out.push(prose.join(' '));
    prose = [];
  };
  lines.forEach((line, i) => {
    if (!line) {
      flush();
      out.push('');
      return;
    }
    const next = lines[i + 1];
    const structural = HEADING.test(line) || BULLET.test(line) || TABLE_ROW.test(line) || QUESTION_LABEL.test(line) ||
      ANSWER_LABEL.test(line) || (/[?？]$/.test(line) && line.length <= 200 && !prose.length) || isLabelLine(line, next);
    if (structural) {
      flush();
      out.push(line);
    } else prose.push(line);
  });
  flush();
  return out;
}

/** Segments of a passage, in order, with the heading and FAQ question each one falls under. */
export function segment(content: string): Segment[] {
  const out: Segment[] = [];
  let heading: string | undefined;
  let question: string | undefined;
  // A question's answer is the rest of its paragraph and the paragraph after it, no further.
  let answered = false;
  const lines = structuralLines(content);

  const push = (kind: SegmentKind, raw: string) => {
    let text = raw.trim();
    if (!text) return;
    const seg: Segment = { kind, text, index: out.length };
    if (kind === 'heading' || kind === 'question') {
      out.push(seg);
      return;
    }
    if (heading) seg.heading = heading;
    if (question) {
      seg.question = question;
      answered = true;
    }
    if (text.startsWith('…')) seg.fragment = true;
    const polarity = POLARITY.exec(text);
    if (BARE_POLARITY.test(text)) {
      seg.polarity = seg.original = text;
      seg.text = '';
    } else if (polarity) {
      seg.polarity = polarity[0].trim();
      seg.original = text;
      text = text.slice(polarity[0].length);
      seg.text = text.charAt(0).toUpperCase() + text.slice(1);
    }
    out.push(seg);
  };
  const prose = (text: string, kind: SegmentKind = 'sentence') => {
    let pending: string | undefined; // a bare "Yes." waits for the sentence it introduces
    for (const s of sentences(text)) {
      if (/[?？]$/.test(s)) {
        if (pending) push(kind, pending);
        pending = undefined;
        question = s;
        push('question', s);
        continue;
      }
      const joined = pending ? `${pending} ${s}` : s;
      pending = undefined;
      if (BARE_POLARITY.test(joined)) pending = joined; // a bare "Yes." belongs to the next sentence
      else push(kind, joined);
    }
    if (pending) push(kind, pending);
  };

  lines.forEach((line, i) => {
    if (!line) {
      if (answered) question = undefined;
      answered = false;
      return;
    }
    const h = HEADING.exec(line);
    if (h) {
      const title = h[1].trim();
      if (/[?？]$/.test(title)) {
        question = title;
        heading = undefined;
        push('question', title);
      } else {
        heading = title;
        question = undefined;
        push('heading', title);
      }
      return;
    }
    const row = TABLE_ROW.exec(line);
    if (row) {
      if (TABLE_RULE.test(line)) return;
      const cells = row[1].split('|').map((c) => c.trim()).filter(Boolean);
      // The row above a |---| rule is the table's header: context, not content.
      if (TABLE_RULE.test(lines[i + 1] ?? '')) heading = cells.join(' – ');
      else push('item', cells.join(' – '));
      return;
    }
    if (BULLET.test(line)) {
      prose(line.replace(BULLET, ''), 'item');
      return;
    }
    if (QUESTION_LABEL.test(line)) {
      question = line.replace(QUESTION_LABEL, '');
      push('question', question);
      return;
    }
    if (ANSWER_LABEL.test(line)) {
      prose(line.replace(ANSWER_LABEL, ''));
      return;
    }
    if (/[?？]$/.test(line) && !/[.!…]\s/.test(line)) {
      question = line;
      push('question', line);
      return;
    }
    if (isLabelLine(line, lines[i + 1])) {
      if (isFactLine(line)) push('item', line);
      else {
        heading = line.replace(/:$/, '');
        question = undefined;
        push('heading', heading);
      }
      return;
    }
    prose(line);
  });
  return out;
}
