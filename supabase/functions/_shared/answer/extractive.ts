// The offline answer engine (no API key, and in tests): no language model at all. It picks the
// sentences of the top passages that best cover the question's words (weighted by how rare each
// word is among the passages), streams them with their citations, and says it does not know
// (offering a person) when no sentence covers enough of the question. It never writes a fact of
// its own; what it says is always a quote of the site's knowledge.
import { sentences, terms } from '../text.ts';
import { DONT_KNOW } from './phrases.ts';
import type { AnswerEngine, AnswerEvent, AnswerInput, Passage, Source } from './types.ts';

export const EXTRACTIVE_MODEL = 'emily-extractive-v1';

/** Share of the question's weight a sentence must cover to count as an answer. */
const MIN_COVERAGE = 0.5;
const MAX_SENTENCES = 3;
const MAX_PASSAGES = 4;

interface Candidate {
  passageIndex: number;
  sentenceIndex: number;
  text: string;
  coverage: number;
}

export interface ExtractedAnswer {
  text: string;
  sources: Source[];
  grounded: boolean;
}

export function extractAnswer(question: string, passages: Passage[], lang: AnswerInput['lang']): ExtractedAnswer {
  const qTerms = [...new Set(terms(question))];
  const top = passages.slice(0, MAX_PASSAGES);
  const split = top.map((p) => sentences(p.content));
  const all = split.flat();
  if (!qTerms.length || !all.length) return notFound(lang);

  // Rarity of each question word among the candidate sentences; a word no sentence has weighs most.
  const df = new Map<string, number>();
  const sentenceTerms = split.map((list) => list.map((s) => new Set(terms(s))));
  for (const list of sentenceTerms) for (const set of list) for (const t of qTerms) if (set.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const weight = (t: string) => Math.log(1 + all.length / ((df.get(t) ?? 0) + 0.5));
  const total = qTerms.reduce((n, t) => n + weight(t), 0);

  const candidates: Candidate[] = [];
  split.forEach((list, pi) => {
    list.forEach((text, si) => {
      const set = sentenceTerms[pi][si];
      let covered = qTerms.reduce((n, t) => n + (set.has(t) ? weight(t) : 0), 0) / total;
      // In FAQ passages the question is what matches; its answer is the sentence after it.
      const prev = si > 0 ? list[si - 1] : undefined;
      if (prev?.trim().endsWith('?')) {
        const prevSet = sentenceTerms[pi][si - 1];
        const viaQuestion = qTerms.reduce((n, t) => n + (prevSet.has(t) || set.has(t) ? weight(t) : 0), 0) / total;
        covered = Math.max(covered, viaQuestion);
      }
      if (text.trim().endsWith('?')) return; // a question is never an answer
      if (!/[.!…:;)"”]$/.test(text.trim()) && text.length < 80) return; // nor is a heading
      // A slight preference for passages retrieval ranked higher.
      candidates.push({ passageIndex: pi, sentenceIndex: si, text: cleanSentence(text), coverage: covered * (1 - 0.03 * pi) });
    });
  });
  candidates.sort((a, b) => b.coverage - a.coverage || a.passageIndex - b.passageIndex || a.sentenceIndex - b.sentenceIndex);
  const best = candidates[0];
  if (!best || best.coverage < MIN_COVERAGE) return notFound(lang);

  const chosen = candidates
    .filter((c) => c.coverage >= Math.max(MIN_COVERAGE, best.coverage * 0.7) && c.text.length > 0)
    .slice(0, MAX_SENTENCES);
  // Read in the passages' own order, so consecutive sentences stay consecutive.
  chosen.sort((a, b) => a.passageIndex - b.passageIndex || a.sentenceIndex - b.sentenceIndex);

  const sources: Source[] = [];
  const numberOf = new Map<string, number>();
  const cite = (p: Passage) => {
    const key = p.url || `${p.sourceId}`;
    if (!numberOf.has(key)) {
      sources.push({ title: p.title, ...(p.url ? { url: p.url } : {}), source_id: p.sourceId, ref: sources.length + 1 });
      numberOf.set(key, sources.length);
    }
    return numberOf.get(key)!;
  };
  const parts: string[] = [];
  chosen.forEach((c, i) => {
    const next = chosen[i + 1];
    const passage = top[c.passageIndex];
    const n = cite(passage);
    // One citation after each run of sentences from the same passage.
    parts.push(next && next.passageIndex === c.passageIndex ? c.text : `${c.text} [${n}]`);
  });
  return { text: parts.join(' '), sources, grounded: true };
}

function notFound(lang: AnswerInput['lang']): ExtractedAnswer {
  return { text: DONT_KNOW[lang], sources: [], grounded: false };
}

/** Drops FAQ labels ("A:", "Answer:") and list bullets from a quoted sentence. */
function cleanSentence(s: string): string {
  return s.replace(/^\s*(?:[-*•]\s+|(?:a|answer|r|réponse|antwort|respuesta)\s*:\s*)/i, '').trim();
}

/** Splits text into stream pieces of a few words, as a model's tokens would arrive. */
export function* pieces(text: string, wordsPerPiece = 3): Generator<string> {
  const words = text.split(/(?<=\s)/);
  for (let i = 0; i < words.length; i += wordsPerPiece) yield words.slice(i, i + wordsPerPiece).join('');
}

export function createExtractiveEngine(): AnswerEngine {
  return {
    kind: 'offline',
    model: EXTRACTIVE_MODEL,
    async *answer(input: AnswerInput): AsyncIterable<AnswerEvent> {
      const result = extractAnswer(input.question, input.passages, input.lang);
      for (const piece of pieces(result.text)) {
        if (input.signal?.aborted) return;
        yield { type: 'delta', text: piece };
      }
      yield { type: 'end', sources: result.sources, model: EXTRACTIVE_MODEL, grounded: result.grounded };
    },
  };
}
