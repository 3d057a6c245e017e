// Messages that are not questions about the website: "hi", "thanks!", "bye", "ok". Quoting the
// knowledge base at them would be odd, and "I don't know, shall I fetch a person?" worse; the
// engine answers with a short friendly line instead. A message with anything else in it
// ("hi, how much is a tune-up?") is a question and is answered as one.
import type { Lang } from '../text.ts';

export type SmallTalkKind = 'greeting' | 'thanks' | 'bye' | 'ack' | 'yes';

interface Vocabulary {
  kind: SmallTalkKind;
  words: Partial<Record<Lang | 'any', string>>;
}

const VOCABULARY: Vocabulary[] = [
  {
    kind: 'greeting',
    words: {
      en: 'hi hello hey hiya howdy greetings morning afternoon evening help',
      fr: 'bonjour salut bonsoir coucou aide',
      de: 'hallo servus moin morgen abend hilfe grüß grüss',
      es: 'hola buenas buenos días dias tardes noches ayuda',
    },
  },
  { kind: 'thanks', words: { en: 'thanks thank thx ty cheers', fr: 'merci', de: 'danke dank dankeschön', es: 'gracias' } },
  { kind: 'bye', words: { en: 'bye goodbye later', fr: 'revoir', de: 'tschüss tschüs wiedersehen', es: 'adiós adios luego', any: 'ciao' } },
  {
    kind: 'ack',
    words: {
      en: 'ok okay okey great cool nice fine alright awesome understood',
      fr: 'parfait génial daccord entendu',
      de: 'gut prima perfekt verstanden alles klar',
      es: 'vale perfecto genial entendido',
      any: 'super top no nope non nein',
    },
  },
  { kind: 'yes', words: { en: 'yes yeah yep please sure', fr: 'oui', de: 'ja gerne bitte', es: 'sí si claro' } },
];

/** Words that may sit beside the ones above without making the message a question. */
const NEUTRAL = new Set(
  ('a all also again am any anyone anybody are bit can could day dear do doing everyone for good got have how i i\'m is it lot me much my ' +
    'need not oh so some someone that the there this to today very well what you your ' +
    'ça au beaucoup bien bon bonne de est journée je la le les me mille pour s\'il suis tout très un vous plaît va ' +
    'auf bis bald das den der die dir ein es euch geht ich ihnen ist mir noch schön sehr tag vielen wie ' +
    'a adiós bien como cómo el está estás hasta la muchas mucho muy por favor que qué tal todo un una')
    .split(' '),
);

let index: Map<string, { kind: SmallTalkKind; lang?: Lang }> | undefined;
function lookup(word: string) {
  if (!index) {
    index = new Map();
    for (const v of VOCABULARY) {
      for (const [lang, list] of Object.entries(v.words)) {
        for (const w of list!.split(' ')) index.set(w, { kind: v.kind, ...(lang === 'any' ? {} : { lang: lang as Lang }) });
      }
    }
  }
  return index.get(word);
}

const PRIORITY: SmallTalkKind[] = ['bye', 'thanks', 'greeting', 'yes', 'ack'];

export interface SmallTalk {
  kind: SmallTalkKind;
  /** The language its words say, when they say one ("merci" is French). */
  lang?: Lang;
}

/** The kind of small talk a message is, or undefined when it says anything else. */
export function smallTalk(message: string): SmallTalk | undefined {
  const tokens = message.toLowerCase().normalize('NFC').replace(/d['’]accord/g, 'daccord').match(/[\p{L}'’]+/gu) ?? [];
  if (!tokens.length || tokens.length > 12) return undefined;
  const found: SmallTalk[] = [];
  for (const raw of tokens) {
    const token = raw.replace(/’/g, "'");
    const hit = lookup(token);
    if (hit) found.push(hit);
    else if (!NEUTRAL.has(token)) return undefined;
  }
  if (!found.length) return undefined;
  const kind = PRIORITY.find((k) => found.some((f) => f.kind === k))!;
  const lang = found.find((f) => f.kind === kind && f.lang)?.lang ?? found.find((f) => f.lang)?.lang;
  return { kind, ...(lang ? { lang } : {}) };
}
