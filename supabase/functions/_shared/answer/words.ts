// The words the extractive engine matches a question against a sentence with: text.ts's terms
// (stop words out, light stemming, shared synonyms), plus what only matching needs: hyphenated
// words split ("heat-moulding" meets "heat moulding", "e-bike" stays one word), a few more
// near-certain synonyms, and light words that say little about what a question is about
// ("Do you *offer* an avalanche course?") and so weigh less.
import { stem, terms } from '../text.ts';

const SYNONYM_WORDS: Record<string, string> = {
  gear: 'equipment', kit: 'equipment', bicycle: 'bike', guarantee: 'warranty', guaranteed: 'warranty',
  appointment: 'book', booking: 'book', reserve: 'book', reservation: 'book', cancellation: 'cancel',
  telephone: 'phone', tel: 'phone', mobile: 'phone', reduction: 'discount', cheaper: 'discount',
  bought: 'buy', purchase: 'buy',
};
const LIGHT_WORDS = 'offer sell buy provide available near nearby around happen bad good allow allowed let'.split(' ');
/** The second half of a compound that carries no meaning of its own ("trade-in", "tune-up"). */
const PARTICLES = new Set(['in', 'ins', 'up', 'ups', 'on', 'out', 'off', 'over', 'by']);

let synonyms: Map<string, string> | undefined;
let light: Set<string> | undefined;

function synonym(word: string): string {
  synonyms ??= new Map(Object.entries(SYNONYM_WORDS).flatMap(([k, v]) => {
    const key = terms(k)[0];
    const value = terms(v)[0] ?? stem(v);
    return key ? [[key, value] as [string, string]] : [];
  }));
  return synonyms.get(word) ?? word;
}

/** Whether a word (as `words` returns it) weighs less than others. */
export function isLight(word: string): boolean {
  light ??= new Set(LIGHT_WORDS.flatMap((w) => terms(w).map(synonym)));
  return light.has(word);
}

/** Modal verbs text.ts keeps in French, German and Spanish ("est-ce que je *peux* payer…"). */
const MODALS = 'peux peut peuvent pouvez pouvons dois doit devez faut kannst könnt darf dürfen muss müssen soll sollen möchte möchten puedo puede pueden podemos podéis debo debe deben quiero quisiera';

let ignored: Set<string> | undefined;
/** Particles that say nothing on their own ("up to 48 hours"), and modal verbs. */
function isIgnored(word: string): boolean {
  ignored ??= new Set([...PARTICLES, ...terms(MODALS)]);
  return ignored.has(word);
}
/** Phrases that mean one thing whatever their spelling. */
const PHRASES: Array<[RegExp, string]> = [[/\bpick(?:ed|ing)?[- ]?ups?\b/gi, 'collect']];

/** Matching words of a text: stemmed, stop words out, compounds split, synonyms merged. */
export function words(text: string): string[] {
  let prepared = text;
  for (const [phrase, word] of PHRASES) prepared = prepared.replace(phrase, word);
  prepared = prepared
    // A one-letter prefix stays attached: e-bike → ebike, e-mail → email.
    .replace(/(?<![\p{L}\p{N}])(\p{L})[-‐](?=\p{L}{2})/gu, '$1')
    .replace(/(?<=[\p{L}\p{N}])[-‐/](\p{L}+)/gu, (_m, part: string) => (PARTICLES.has(part.toLowerCase()) ? '' : ` ${part}`));
  return terms(prepared).filter((w) => !isIgnored(w)).map(synonym);
}

/** Numbers, times and amounts in a text, for telling a repeated fact from a new one. */
export function figures(text: string): string[] {
  return (text.match(/\d+(?:[.,:]\d+)*/g) ?? []).map((n) => n.replace(/[.,:]00$/, ''));
}
