// What kind of answer a question wants, and whether a sentence has it: "how much" wants an amount,
// "when are you open" times and days, "where" an address, "how long" a duration, "what is your
// phone number" a phone number; "do you / can I" questions want a yes or a no. English, French,
// German and Spanish. The question words that only name the kind of answer ("price", "open",
// "located", "number") count as matched by a sentence that has that kind of answer.
import { words } from './words.ts';

export type Cue = 'price' | 'time' | 'place' | 'duration' | 'phone' | 'email';

interface CueRule {
  /** The question asks for this kind of answer. */
  asks: RegExp;
  /** A sentence gives this kind of answer. */
  gives: RegExp;
  /** Question words that only name the kind of answer. */
  names: string;
}

/** `\b` as a boundary between letters (any script) and the rest, which JavaScript's `\b` is not. */
const BOUNDARY = '(?:(?<![\\p{L}\\p{N}])(?=[\\p{L}\\p{N}])|(?<=[\\p{L}\\p{N}])(?![\\p{L}\\p{N}]))';
function unicodeWords(re: RegExp): RegExp {
  return new RegExp(re.source.replaceAll('\\b', BOUNDARY), re.flags.includes('u') ? re.flags : `${re.flags}u`);
}

const NUMBER_WORD = '\\d+(?:[.,]\\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|forty-five|sixty|ninety|half an?|a few|several|couple of';

const RULE_SOURCES: Record<Cue, CueRule> = {
  duration: {
    asks: /\bhow (?:long|soon|quickly|fast)\b|\bhow many (?:days|weeks|hours|minutes|months|years)\b|\bcombien de temps\b|\bdélai|\bdurée\b|\bwie (?:lange|schnell)\b|\bdauer|\bcu[aá]nto (?:tiempo|tarda|dura)|\bplazo\b|\bduraci[oó]n\b/i,
    gives: new RegExp(
      `\\b(?:${NUMBER_WORD})(?:\\s*(?:to|-|–)\\s*\\d+)?\\s+(?:(?:working|business|calendar|full)\\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\\b` +
        '|\\bsame day\\b|\\bnext (?:working |business )?day\\b|\\bwhile you wait\\b|\\bovernight\\b|\\blifetime\\b' +
        '|\\b\\d+\\s*(?:minutes|heures?|jours?|semaines?|mois|ans|années|minuten|stunden|tagen?|wochen|monaten?|jahren?|minutos|horas|días|semanas|meses|años)\\b',
      'i',
    ),
    names: 'long time take',
  },
  price: {
    asks: /\bhow much\b|\bprices?\b|\bpricing\b|\bcosts?\b|\bcharges?\b|\bfees?\b|\brates?\b|\bexpensive\b|\bcheap|\bcombien\b|\bprix\b|\btarifs?\b|\bco[uû]t|\bpayer combien|\bwie ?viel\b|\bpreis|\bkoste|\bgebühr|\bcu[aá]nto\b|\bprecios?\b|\bcuesta|\bcost[eo]s?\b|\btarifas?\b/i,
    gives: /[€$£¥]|\d\s?(?:eur|euros?|dollars?|usd|pounds?|gbp|chf|francs?|cents?)\b|\b(?:free|no charge|no extra cost|gratuit|gratuite|offert|kostenlos|umsonst|gratis)\b/i,
    names: 'cost much expensive cheap',
  },
  time: {
    asks: /\bwhen\b|\bwhat time\b|\bopen|\bclos(?:e|es|ing)\b|\bhours\b|\bschedule|\bquand\b|\bheures?\b|\bhoraires?\b|\bouv(?:er|re)|\bferm|\bwann\b|\buhrzeit|\bgeöffnet|\böffnungszeit|\boffen\b|\bgeschlossen|\bcu[aá]ndo\b|\bhorarios?\b|\babiert|\bcerrad|\babren\b|\bcierran\b/i,
    gives: /\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}(?:[.:]\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.|uhr)\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b(?:weekdays?|weekends?|public holidays?|bank holidays?|daily|every day)\b|\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?\b|\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)s?\b|\b(?:lunes|martes|miércoles|jueves|viernes|sábados?|domingos?)\b/i,
    names: 'open time hour day heure horaire wann uhrzeit hora horario',
  },
  place: {
    asks: /\bwhere\b|\baddress\b|\blocat|\bdirections?\b|\bfind you\b|\bget there\b|\boù\b|\badresse\b|\bsitué|\bwo\b|\bd[oó]nde\b|\bdirecci[oó]n\b|\bubica/i,
    gives:
      /\b\d{1,5}[a-z]?,?\s+(?:\p{Lu}[\p{L}'’.-]*\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|way|square|place|boulevard|drive|quay|row|close|court|crescent|terrace|hill|parade|walk)\b|\b(?:rue|boulevard|chemin|allée|quai|straße|strasse|gasse|platz|calle|avenida|plaza|paseo)\b|\b(?:next to|opposite|across from|in front of|on the corner|close to|à côté|en face|près d|neben|gegenüber|in der nähe|junto a|enfrente|cerca de)\b/iu,
    names: 'address locat where situé adresse dirección ubicación',
  },
  phone: {
    asks: /\b(?:phone|telephone|call (?:you|us)|ring you|phone number|contact number|your number)\b|\bt[ée]l[ée]phone\b|\btelefon|\banrufen\b|\btel[ée]fono\b|\bllamar\b/i,
    gives: /\+?\d[\d ().-]{6,}\d/,
    names: 'phone number call contact ring',
  },
  email: {
    asks: /\be-?mails?\b|\bcourriel\b|\bcorreo\b/i,
    gives: /[\w.+-]+@[\w-]+\.[\w.-]+/,
    names: 'email mail address write contact',
  },
};

const RULES = Object.fromEntries(
  Object.entries(RULE_SOURCES).map(([cue, r]) => {
    const gives = unicodeWords(r.gives);
    return [cue, { ...r, asks: unicodeWords(r.asks), gives, givesAll: new RegExp(gives.source, `${gives.flags}g`) }];
  }),
) as Record<Cue, CueRule & { givesAll: RegExp }>;

/** Cues in the order they are tried; a duration question is not also a price or time question. */
const ORDER: Cue[] = ['duration', 'email', 'phone', 'price', 'place', 'time'];
const EXCLUSIVE: Partial<Record<Cue, Cue[]>> = { duration: ['price', 'time'], email: ['place', 'phone'], phone: ['place'] };

const YES_NO = [
  /^(?:do|does|did|can|could|is|are|was|were|will|would|should|shall|may|might|have|has|had|am|must)\b/i,
  /^(?:est-ce que?|est-ce qu['’]|y a-t-il|[\p{L}]+-(?:vous|je|il|elle|on|nous|ils|elles|tu)\b)/iu,
  /^(?:kann|kannst|können|könnt|darf|dürfen|muss|müssen|soll|sollte|haben|hat|habt|ist|sind|gibt|bieten|bietet|nehmen|nimmt|macht|machen|reparieren|verkaufen|akzeptieren|liefern|brauche|braucht|wird|werden)\b/i,
  /^¿?(?:puedo|puede|pueden|podéis|tienen|tiene|tienes|hay|es|son|está|están|hacen|hace|aceptan|acepta|venden|vende|ofrecen|ofrece|necesito|necesita|reparan|repara|entregan|envían)\b/i,
];
const LEADING_GREETING = /^(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|bonjour|salut|hallo|guten tag|hola|buenos días|buenas)\b[\s,!.:;-]*)+/i;

export interface QuestionShape {
  cues: Cue[];
  yesNo: boolean;
  /** Words of the question that the cues' kinds of answer stand for. */
  cueWords: Set<string>;
}

export function questionShape(question: string): QuestionShape {
  const q = question.trim();
  const cues: Cue[] = [];
  for (const cue of ORDER) {
    if (cues.some((c) => EXCLUSIVE[c]?.includes(cue))) continue;
    if (RULES[cue].asks.test(q)) cues.push(cue);
  }
  const cueWords = new Set(cues.flatMap((c) => words(RULES[c].names)));
  const bare = q.replace(LEADING_GREETING, '');
  return { cues, yesNo: YES_NO.some((r) => r.test(bare)), cueWords };
}

/** The kinds of answer a sentence gives, among `wanted`. */
export function cuesGiven(text: string, wanted: Cue[]): Cue[] {
  return wanted.filter((c) => RULES[c].gives.test(text));
}

/** How many pieces of the wanted kinds a sentence gives (times, days, amounts…): more is a fuller answer. */
export function cueCount(text: string, wanted: Cue[]): number {
  let n = 0;
  for (const c of wanted) n += text.match(RULES[c].givesAll)?.length ?? 0;
  return n;
}
