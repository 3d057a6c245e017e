// The offline answer engine (no API key, and in tests): no language model at all. It quotes the
// sentences of the retrieved passages that best answer the question, with their citations, and
// says it does not know (offering a person) when none is relevant enough. It never writes a fact
// of its own: every sentence of an answer is a quote of the site's knowledge, or one of the few
// fixed lines of phrases.ts (a greeting, "you're welcome", "I don't know").
//
// How a sentence is chosen (relevance.ts scores each one):
// - a heading, a label line or an FAQ question is context, never quoted;
// - a visitor's question that is an FAQ's question gets that FAQ's answer, "Yes."/"No." included
//   when both are yes/no questions; elsewhere a bare leading "Yes."/"No." is dropped, since
//   without its question it would mislead;
// - the kind of answer asked for (an amount, times, an address, a duration…) is preferred;
// - 1 to 3 sentences: the best one, the sentences right after it that carry on the same point,
//   and others only when they answer a part of the question the first did not; never the same
//   fact twice;
// - citations [n] only for the sources quoted, numbered 1..k in order of first use.
import type { Lang } from '../text.ts';
import { ACK, BYE, CLARIFY, DONT_KNOW, greeting, HANDOFF, THANKS } from './phrases.ts';
import { type Candidate, candidates, MIN_RELEVANCE, prepareQuestion } from './relevance.ts';
import { smallTalk } from './smalltalk.ts';
import type { AnswerEngine, AnswerEvent, AnswerInput, Passage, Source, Turn } from './types.ts';
import { figures } from './words.ts';

export const EXTRACTIVE_MODEL = 'emily-extractive-v1';

const MAX_PASSAGES = 5;
const MAX_SENTENCES = 3;
const MAX_CHARS = 600;
/** Another sentence must score at least this share of the best one's. */
const COMPANION_SHARE = 0.7;
/** A sentence of which less than this share of words (and figures) is new repeats what was said. */
const MIN_NOVELTY = 0.4;

export interface ExtractedAnswer {
  text: string;
  sources: Source[];
  /** False when the engine did not find the answer (and offered a person). */
  grounded: boolean;
}

export interface ExtractOptions {
  websiteName?: string;
  history?: Turn[];
}

export function extractAnswer(question: string, passages: Passage[], lang: Lang, opts: ExtractOptions = {}): ExtractedAnswer {
  const talk = smallTalk(question);
  if (talk) return smallTalkAnswer(talk.kind, talk.lang ?? lang, opts);

  const q = prepareQuestion(question);
  if (!q.words.length) return fixed(CLARIFY[lang]);
  const top = passages.slice(0, MAX_PASSAGES);
  const all = candidates(q, top, opts.websiteName);
  const eligible = all.filter((c) => c.relevance >= MIN_RELEVANCE && c.onTopic);
  if (!eligible.length) return { text: DONT_KNOW[lang], sources: [], grounded: false };

  const chosen = choose(eligible, q.cues.length > 0);
  return compose(chosen, top, q.yesNo);
}

function fixed(text: string): ExtractedAnswer {
  return { text, sources: [], grounded: true };
}

function smallTalkAnswer(kind: string, lang: Lang, opts: ExtractOptions): ExtractedAnswer {
  const last = opts.history?.filter((t) => t.role !== 'visitor').at(-1);
  const offeredPerson = !!last && Object.values(DONT_KNOW).includes(last.content.trim());
  if (offeredPerson && (kind === 'yes' || kind === 'ack')) return { text: HANDOFF[lang], sources: [], grounded: false };
  if (kind === 'greeting') return fixed(greeting(lang, opts.websiteName ?? ''));
  if (kind === 'thanks') return fixed(THANKS[lang]);
  if (kind === 'bye') return fixed(BYE[lang]);
  return fixed(ACK[lang]);
}

/** The best sentence (or the FAQ answer it belongs to), then what carries on or completes it. */
function choose(eligible: Candidate[], cueAsked: boolean): Candidate[] {
  const ranked = [...eligible].sort((a, b) => b.score - a.score || a.passage - b.passage || a.seg.index - b.seg.index);
  const best = ranked[0];
  let chosen: Candidate[];
  if (best.faqMatch) {
    // The owner's own answer to this very question: quote it whole (within bounds).
    chosen = ranked.filter((c) => c.passage === best.passage && c.seg.question === best.seg.question && c.faqMatch)
      .sort((a, b) => a.seg.index - b.seg.index);
  } else {
    chosen = [best];
    // A sentence that is about the question only through its heading ("Allow two working days."
    // under "Full service") is introduced by its section's first sentence.
    if (best.ownTopic === 0 && best.seg.heading) {
      const lead = ranked.find((c) =>
        c.passage === best.passage && c.seg.heading === best.seg.heading && c.seg.index < best.seg.index && c.ownTopic > 0
      );
      if (lead) chosen.unshift(lead);
    }
  }
  chosen = trim(chosen);

  let added = true;
  while (added && chosen.length < MAX_SENTENCES) {
    added = false;
    for (const c of ranked) {
      if (chosen.length >= MAX_SENTENCES) break;
      if (chosen.includes(c) || c.score < best.score * COMPANION_SHARE) continue;
      if (cueAsked && !c.cues.length) continue;
      if (repeats(c, chosen)) continue;
      // Right before or after a chosen sentence, under the same heading: the same point, carried on.
      const carriesOn = chosen.some((k) =>
        k.passage === c.passage && Math.abs(c.seg.index - k.seg.index) === 1 && c.seg.heading === k.seg.heading &&
        c.seg.question === k.seg.question
      );
      if (!carriesOn && !completes(c, chosen)) continue;
      if (length([...chosen, c]) > MAX_CHARS) continue;
      chosen.push(c);
      added = true;
    }
  }
  return chosen;
}

function trim(list: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of list) {
    if (out.length >= MAX_SENTENCES || (out.length && length([...out, c]) > MAX_CHARS)) break;
    out.push(c);
  }
  return out;
}

function length(list: Candidate[]): number {
  return list.reduce((n, c) => n + c.seg.text.length + 1, 0);
}

/** Says nothing new: the same sentence, or mostly the same words and figures as what is chosen. */
function repeats(c: Candidate, chosen: Candidate[]): boolean {
  if (chosen.some((k) => k.key === c.key)) return true;
  const said = new Set(chosen.flatMap((k) => [...k.own, ...figures(k.seg.text)]));
  const facts = new Set([...c.own, ...figures(c.seg.text)]);
  if (!facts.size) return true;
  let fresh = 0;
  for (const f of facts) if (!said.has(f)) fresh++;
  return fresh / facts.size < MIN_NOVELTY;
}

/** Answers a part of the question that the chosen sentences do not touch at all. */
function completes(c: Candidate, chosen: Candidate[]): boolean {
  const covered = new Set(chosen.flatMap((k) => [...k.touched]));
  return [...c.direct].some((w) => !covered.has(w));
}

/** The chosen sentences as one text with citations, grouped by passage, best group first. */
function compose(chosen: Candidate[], passages: Passage[], yesNo: boolean): ExtractedAnswer {
  const groups = new Map<number, Candidate[]>();
  for (const c of chosen) groups.set(c.passage, [...(groups.get(c.passage) ?? []), c]);
  const ordered = [...groups.values()].map((g) => g.sort((a, b) => a.seg.index - b.seg.index));

  const sources: Source[] = [];
  const refOf = new Map<string, number>();
  const cite = (p: Passage): number => {
    const key = p.url || p.sourceId;
    let ref = refOf.get(key);
    if (!ref) {
      ref = sources.length + 1;
      sources.push({ title: p.title, ...(p.url ? { url: p.url } : {}), source_id: p.sourceId, ref });
      refOf.set(key, ref);
    }
    return ref;
  };

  const parts: string[] = [];
  let lastRef = 0;
  for (const group of ordered) {
    const ref = cite(passages[group[0].passage]);
    // Sentences of consecutive groups citing the same source share one citation.
    if (lastRef && lastRef !== ref) parts[parts.length - 1] += ` [${lastRef}]`;
    for (const c of group) {
      // "Yes." / "No." is kept only beside the question it answers: the visitor's own yes/no question.
      const text = c.faqMatch && yesNo && c.seg.original ? c.seg.original : c.seg.text;
      if (text) parts.push(text);
    }
    lastRef = ref;
  }
  if (lastRef) parts[parts.length - 1] += ` [${lastRef}]`;
  return { text: parts.join(' '), sources, grounded: true };
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
      const result = extractAnswer(input.question, input.passages, input.lang, { websiteName: input.websiteName, history: input.history });
      for (const piece of pieces(result.text)) {
        if (input.signal?.aborted) return;
        yield { type: 'delta', text: piece };
      }
      yield { type: 'end', sources: result.sources, model: EXTRACTIVE_MODEL, grounded: result.grounded };
    },
  };
}
