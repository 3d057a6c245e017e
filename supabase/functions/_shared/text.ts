// Small language tools shared by the chunker, the extractive engine and retrieval: sentence
// splitting, word tokens with stop words removed and a light stemmer, and a guess of the language
// of a short question (English, French, German, Spanish) from its function words.

export type Lang = 'en' | 'fr' | 'de' | 'es';
export const LANGS: readonly Lang[] = ['en', 'fr', 'de', 'es'];

const STOP: Record<Lang, string[]> = {
  en: 'a an and are as at be been but by can could did do does for from had has have how i if in is it its me my of on or our so that the their them there these they this to us was we were what when where which who why will with would you your yours am any do does please tell about much many get got'.split(' '),
  fr: 'a au aux avec ce ces comment dans de des du elle en est et il ils je la le les leur mais me mes mon ne nous on ou où par pas pour qu que quel quelle quels qui sa se ses son sont sur ta te tes toi ton tu un une vos votre vous y est-ce puis-je combien'.split(' '),
  de: 'aber als am an auch auf aus bei bin bis das dass dem den der des die du ein eine einem einen einer er es für hat haben ich ihr ihre im in ist ja kann kein mit nach nicht noch oder sie sind so über um und uns von vor was wann wer wie wo wir zu zum zur können'.split(' '),
  es: 'a al como con cual cuando de del donde el ella en es esta este esto hay la las le lo los me mi mis no nos o para pero por que qué quien se si sin sobre su sus te tu un una uno y yo cuánto cómo dónde puedo'.split(' '),
};
const STOP_ALL = new Set(Object.values(STOP).flat());

/** Question phrases that say what kind of answer is wanted, not what it is about. */
const QUESTION_PHRASES = /\b(?:how (?:long|much|many|often|far|soon)|what kind of|is it possible to|do you know|i would like to|i'd like to|i want to|i need to|can i|could i|can you|could you|combien de|est-ce que|wie (?:lange|viel|viele|oft)|cuánto tiempo|cuántos?|cuántas?)\b/g;
const FILLERS = new Set(
  'something anything someone anyone thing things way also just really please hello hi hey thanks thank possible know like need want bring take takes happen happens work works get inside back time'
    .split(' '),
);

/**
 * Words visitors and websites use for the same thing, mapped to one key (after stemming), so
 * "shipping" finds "delivery" and "shop" finds "store". Deliberately short: near-certain pairs only.
 */
const SYNONYM_WORDS: Record<string, string> = {
  store: 'shop', boutique: 'shop', shipping: 'delivery', ship: 'delivery', postage: 'delivery', deliver: 'delivery',
  price: 'cost', charge: 'cost', fee: 'cost', hire: 'rent', rental: 'rent', hours: 'open', close: 'open', closed: 'open',
  located: 'address', location: 'address', kids: 'child', children: 'child', fix: 'repair', mend: 'repair', patch: 'repair',
  safety: 'safe', parking: 'park',
};
let synonyms: Map<string, string> | undefined;
function synonym(stemmed: string): string {
  synonyms ??= new Map(Object.entries(SYNONYM_WORDS).map(([k, v]) => [stem(k), stem(v)]));
  return synonyms.get(stemmed) ?? stemmed;
}

/** Lower-cased words (letters and digits, accents kept) without stop words, lightly stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().normalize('NFC').replace(QUESTION_PHRASES, ' ').match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []) {
    const word = raw.replace(/['’]s$/, '');
    if (word.length < 2 && !/\d/.test(word)) continue;
    if (STOP_ALL.has(word) || FILLERS.has(word)) continue;
    const stemmed = stem(word);
    out.push(synonym(stemmed));
  }
  return out;
}

/**
 * A deliberately light stemmer (plural and -ing/-ed endings, a final e, a doubled consonant), so
 * "bikes", "biking" and "bike" meet, and "shipping" meets "ship". Not a linguistic tool: it only
 * needs to map a question's words and a passage's words to the same key.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/(?:[sxz]|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed']) {
    const base = w.slice(0, -suffix.length);
    if (w.endsWith(suffix) && base.length >= 3 && /[aeiouy]/.test(base)) {
      w = base;
      break;
    }
  }
  if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Splits prose into sentences, keeping abbreviations like "e.g." and decimals like "4.5" intact. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n\s*\n|\n(?=\s*[-*•]\s)|\n(?=\s*\d+[.)]\s)/)) {
    const flat = block.replace(/\s+/g, ' ').trim();
    if (!flat) continue;
    const parts = flat.split(/(?<=[.!?…])\s+(?=[\p{Lu}\p{N}"“'(¿¡])/u);
    let carry = '';
    for (const part of parts) {
      const s = carry ? `${carry} ${part}` : part;
      if (/\b(?:e\.g|i\.e|etc|vs|Mr|Mrs|Dr|St|No|approx)\.$/i.test(s)) {
        carry = s;
        continue;
      }
      carry = '';
      out.push(s);
    }
    if (carry) out.push(carry);
  }
  return out;
}

/** The language of a question, from its function words; `fallback` when nothing tells. */
export function guessLanguage(text: string, fallback: Lang = 'en'): Lang {
  const words = text.toLowerCase().match(/[\p{L}'’-]+/gu) ?? [];
  let best: Lang = fallback;
  let bestScore = 0;
  for (const lang of LANGS) {
    const set = new Set(STOP[lang]);
    let score = 0;
    for (const w of words) if (set.has(w)) score++;
    if (/[äöüß]/.test(text) && lang === 'de') score += 2;
    if (/[¿¡ñ]/.test(text) && lang === 'es') score += 2;
    if (/[àâçèêëîïôûœ]/.test(text) && lang === 'fr') score += 1;
    if (score > bestScore) {
      best = lang;
      bestScore = score;
    }
  }
  return bestScore >= 1 ? best : fallback;
}

/** 'fr-CA,fr;q=0.9,en;q=0.8' → 'fr-CA'; the first well-formed tag, or undefined. */
export function primaryLocale(acceptLanguage: string | null | undefined): string | undefined {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0].trim();
    if (/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(tag)) return tag;
  }
  return undefined;
}

export function langOfLocale(locale: string | null | undefined): Lang | undefined {
  const base = (locale ?? '').slice(0, 2).toLowerCase();
  return (LANGS as readonly string[]).includes(base) ? (base as Lang) : undefined;
}
