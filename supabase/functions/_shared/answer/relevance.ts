// How well each quotable sentence of the retrieved passages answers the question.
//
// relevance (0..1): the share of the question's words the sentence covers, each word weighted by
// how rare it is among the passages (a word no passage has weighs most: a question about
// something the site never mentions stays unanswered), light words ("offer", "sell") less. A word
// counts fully when the sentence has it, or the FAQ question it answers has it, or it only names
// the kind of answer asked for ("price", "open") and the sentence gives that kind; partly when
// only the sentence's heading (0.8) or the passage's title (0.6) has it.
// score: relevance, plus the kind of answer asked for (an amount, times…) present or missing,
// plus an FAQ whose question is the visitor's, minus a little per retrieval rank and for a very
// long sentence.
import { type Cue, cueCount, cuesGiven, questionShape } from './cues.ts';
import { segment, type Segment } from './segment.ts';
import type { Passage } from './types.ts';
import { isLight, words } from './words.ts';

/** A sentence answers when it covers at least this share of the question. */
export const MIN_RELEVANCE = 0.45;
const HEADING_CREDIT = 0.8;
const TITLE_CREDIT = 0.6;
const CUE_CREDIT = 0.7;
const LIGHT_WEIGHT = 0.35;
/** Both ways, the share of words an FAQ question and the visitor's must share to be the same question. */
const FAQ_MATCH = 0.75;
/**
 * A question with several topic words needs two of them in the sentence, its heading or its FAQ
 * question: one alone is too often another sense of the word ("fitting" a part is no bike fitting).
 */
const MIN_TOPIC_WORDS = 2;

export interface Question {
  words: string[];
  cues: Cue[];
  yesNo: boolean;
  cueWords: Set<string>;
}

export function prepareQuestion(question: string): Question {
  const shape = questionShape(question);
  return { words: [...new Set(words(question))], ...shape };
}

export interface Candidate {
  /** Index of its passage among those given. */
  passage: number;
  seg: Segment;
  /** Its own words. */
  own: Set<string>;
  /** Question words it covers by itself, through its FAQ question, or by the kind of answer it gives. */
  direct: Set<string>;
  /** Question words it covers in any way, context included. */
  touched: Set<string>;
  relevance: number;
  /** Share of the question's topic (its words that do not name a kind of answer) in its own words. */
  ownTopic: number;
  /** Enough of the question's topic words are in it, its heading or its FAQ question (see MIN_TOPIC_WORDS). */
  onTopic: boolean;
  cues: Cue[];
  /** It answers an FAQ question that is the visitor's question. */
  faqMatch: boolean;
  score: number;
  /** Normalised text, to spot the same sentence in two overlapping passages. */
  key: string;
}

/** Words a visitor uses for the business itself: "where is the *shop*?" is answered by "Northside Cycles is at…". */
const BUSINESS_WORDS = words('shop store business company boutique magasin entreprise laden geschäft firma tienda negocio empresa');

/** Every quotable sentence of the passages, scored against the question. */
export function candidates(q: Question, passages: Passage[], websiteName = ''): Candidate[] {
  const segmented = passages.map((p) => segment(p.content));
  const nameWords = words(websiteName);
  const business = q.words.filter((w) => BUSINESS_WORDS.includes(w));
  const namesBusiness = (set: Set<string>) => nameWords.length > 0 && nameWords.every((w) => set.has(w));
  const withBusiness = (set: Set<string>) => {
    if (business.length && namesBusiness(set)) for (const w of business) set.add(w);
    return set;
  };
  const wordsOf = new Map<Segment, Set<string>>();
  const units: Set<string>[] = [];
  for (const list of segmented) {
    for (const s of list) {
      const set = withBusiness(new Set(words(s.original ?? s.text)));
      wordsOf.set(s, set);
      units.push(set);
    }
  }
  const dfCache = new Map<string, number>();
  const weight = (w: string) => {
    let df = dfCache.get(w);
    if (df === undefined) {
      df = units.reduce((n, u) => n + (u.has(w) ? 1 : 0), 0);
      dfCache.set(w, df);
    }
    // A word no passage has weighs a little more than the rarest one present: enough that a
    // question about something the site never mentions stays unanswered, not so much that one
    // word phrased differently ("safety" for "awareness") silences a good answer.
    return Math.log(1 + units.length / (Math.max(df, 0.5) + 0.5)) * (isLight(w) ? LIGHT_WEIGHT : 1);
  };
  const total = q.words.reduce((n, w) => n + weight(w), 0);
  const topicWords = q.words.filter((w) => !q.cueWords.has(w));
  const strongTopic = topicWords.filter((w) => !isLight(w));
  const needed = Math.min(MIN_TOPIC_WORDS, strongTopic.length);
  const topicTotal = topicWords.reduce((n, w) => n + weight(w), 0);
  const contextCache = new Map<string, Set<string>>();
  const wordsOfContext = (text: string | undefined) => {
    if (!text) return new Set<string>();
    let set = contextCache.get(text);
    if (!set) contextCache.set(text, set = new Set(words(text)));
    return set;
  };

  const out: Candidate[] = [];
  segmented.forEach((list, pi) => {
    const title = wordsOfContext(passages[pi].title);
    for (const seg of list) {
      if ((seg.kind !== 'sentence' && seg.kind !== 'item') || seg.fragment) continue;
      if (!seg.text && !seg.question) continue; // a bare "Yes." is quotable only as an FAQ's answer
      const own = wordsOf.get(seg)!;
      const heading = wordsOfContext(seg.heading);
      const faq = wordsOfContext(seg.question);
      const cues = cuesGiven(seg.text, q.cues);
      const direct = new Set<string>();
      const touched = new Set<string>();
      let covered = 0;
      let ownTopic = 0;
      let strong = 0;
      for (const w of q.words) {
        let credit = 0;
        if (own.has(w) || faq.has(w)) credit = 1;
        else if (cues.length && q.cueWords.has(w)) credit = CUE_CREDIT;
        else if (heading.has(w)) credit = HEADING_CREDIT;
        else if (title.has(w)) credit = TITLE_CREDIT;
        if (credit >= CUE_CREDIT) direct.add(w);
        if (credit > 0) touched.add(w);
        if (credit >= HEADING_CREDIT && strongTopic.includes(w)) strong++;
        covered += credit * weight(w);
        if (own.has(w) && !q.cueWords.has(w)) ownTopic += weight(w);
      }
      const relevance = total ? covered / total : 0;
      const faqMatch = !!seg.question && sameQuestion(q.words, [...faq], weight);
      // A sentence whose first words are the question's topic is about it, not just mentioning it.
      const opening = withBusiness(new Set(words(seg.text.split(/\s+/).slice(0, 5).join(' '))));
      const about = topicTotal ? topicWords.reduce((n, w) => n + (opening.has(w) ? weight(w) : 0), 0) / topicTotal : 0;
      const score = relevance +
        (q.cues.length ? (cues.length ? 0.25 + 0.02 * Math.min(4, cueCount(seg.text, q.cues) - 1) : -0.15) : 0) +
        0.1 * about +
        (faqMatch ? 0.3 : 0) +
        (q.yesNo && faqMatch ? 0.05 : 0) -
        0.03 * pi -
        (seg.text.length > 300 ? 0.05 : 0);
      out.push({
        passage: pi, seg, own, direct, touched, relevance, ownTopic: topicTotal ? ownTopic / topicTotal : 0,
        onTopic: strong >= needed, cues, faqMatch, score,
        key: seg.text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim(),
      });
    }
  });
  return out;
}

/** The visitor's question and an FAQ's question ask the same thing: each covers most of the other. */
function sameQuestion(visitor: string[], faq: string[], weight: (w: string) => number): boolean {
  if (!visitor.length || !faq.length) return false;
  const share = (of: string[], by: string[]) => {
    const set = new Set(by);
    const all = of.reduce((n, w) => n + weight(w), 0);
    return all ? of.reduce((n, w) => n + (set.has(w) ? weight(w) : 0), 0) / all : 0;
  };
  return share(visitor, faq) >= FAQ_MATCH && share(faq, visitor) >= FAQ_MATCH;
}
