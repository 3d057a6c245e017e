import { deepStrictEqual as assertEquals, match as assertMatch, ok as assert } from 'node:assert/strict';
import { createExtractiveEngine, extractAnswer, pieces } from './extractive.ts';
import { DONT_KNOW, greeting, HANDOFF, THANKS } from './phrases.ts';
import type { Passage } from './types.ts';

// A small knowledge base in the shape the demo seed and the chunker store: a heading line, then
// its paragraph; FAQ passages are a question line and its answer.
const p = (id: string, title: string, content: string, url?: string): Passage => ({ id, sourceId: `s-${title}`, title, content, score: 0, ...(url ? { url } : {}) });
const faqPuncture = p('f1', 'FAQ', 'Do I need an appointment for a puncture repair?\nNo. Puncture repairs are done while you wait, usually in under 30 minutes, any time during opening hours.');
const faqSunday = p('f2', 'FAQ', 'Are you open on Sundays?\nNo. We are closed on Sundays and public holidays. On Saturday we are open from 10:00 to 17:00.');
const faqCard = p('f3', 'FAQ', 'Can I pay by card?\nYes. We accept cash, all major debit and credit cards, and contactless payments.');
const puncture = p('r1', 'Repairs and prices', 'Puncture repair\nA puncture repair costs €15, inner tube included. It is done while you wait, usually in under 30 minutes.', 'https://northside.example/repairs');
const fullService = p('r2', 'Repairs and prices', 'Full service\nA full service costs €119. The bike is stripped down and deep cleaned, and the wheels are trued. Allow two working days.', 'https://northside.example/repairs');
const hours = p('h1', 'Opening hours and contact', 'Opening hours\nNorthside Cycles is open Monday to Friday from 9:00 to 18:30 and on Saturday from 10:00 to 17:00. The shop and the workshop are closed on Sunday and on public holidays.', 'https://northside.example/contact');
const address = p('h2', 'Opening hours and contact', 'Address and getting here\nYou will find Northside Cycles at 14 Canal Street, next to the footbridge. There is secure bike parking in front of the shop.', 'https://northside.example/contact');
const rentals = p('x1', 'Rentals', 'Rental prices\nCity bikes can be rented for €18 per day or €75 per week. A helmet and a lock are included in the price.');

const ask = (question: string, passages: Passage[], lang: 'en' | 'fr' | 'de' | 'es' = 'en') => extractAnswer(question, passages, lang, { websiteName: 'Northside Cycles' });

Deno.test('segmentation: a heading is context, never quoted, never glued to the sentence after it', () => {
  const a = ask('How much is a puncture repair?', [puncture]);
  assertEquals(a.text, 'A puncture repair costs €15, inner tube included. [1]');
});

Deno.test('answer-type cue: a price question prefers the sentence with the amount, even from a lower-ranked passage', () => {
  const a = ask('How much is a puncture repair?', [faqPuncture, puncture]);
  assertEquals(a.text, 'A puncture repair costs €15, inner tube included. [1]');
  assertEquals(a.sources, [{ title: 'Repairs and prices', url: 'https://northside.example/repairs', source_id: 's-Repairs and prices', ref: 1 }]);
});

Deno.test('answer-type cue: "how long" prefers the duration, introduced by its section when it names nothing itself', () => {
  assertEquals(ask('How long does a full service take?', [fullService, puncture]).text, 'A full service costs €119. Allow two working days. [1]');
  assertMatch(ask('How long does a puncture repair take?', [puncture, fullService]).text, /usually in under 30 minutes/);
});

Deno.test('answer-type cue: "when are you open" prefers times and days; "where" an address', () => {
  assertEquals(
    ask('When are you open?', [faqSunday, hours]).text,
    'Northside Cycles is open Monday to Friday from 9:00 to 18:30 and on Saturday from 10:00 to 17:00. The shop and the workshop are closed on Sunday and on public holidays. [1]',
  );
  // "the shop" is the business: the sentence naming Northside Cycles answers it, though it never says "shop".
  assertEquals(
    ask('Where is the shop?', [hours, address]).text,
    'You will find Northside Cycles at 14 Canal Street, next to the footbridge. There is secure bike parking in front of the shop. [1]',
  );
});

Deno.test('FAQ: the visitor asks the FAQ question (yes/no) → its answer, "Yes."/"No." included', () => {
  assertEquals(ask('Can I pay by card?', [faqCard, rentals]).text, 'Yes. We accept cash, all major debit and credit cards, and contactless payments. [1]');
  assertEquals(ask('Are you open on Sundays?', [faqSunday, hours]).text, 'No. We are closed on Sundays and public holidays. On Saturday we are open from 10:00 to 17:00. [1]');
  assertEquals(ask('Do I need an appointment for a puncture repair?', [faqPuncture, puncture]).text,
    'No. Puncture repairs are done while you wait, usually in under 30 minutes, any time during opening hours. [1]');
});

Deno.test('FAQ: quoted for another question, a bare leading "No." is dropped (it answered a different question)', () => {
  const a = ask('Do you repair punctures?', [faqPuncture]);
  assertEquals(a.text, 'Puncture repairs are done while you wait, usually in under 30 minutes, any time during opening hours. [1]');
  const saturday = ask('When are you open on Saturday?', [faqSunday]);
  assertEquals(saturday.text, 'On Saturday we are open from 10:00 to 17:00. [1]');
});

Deno.test('FAQ: "Yes, …" is kept for the matching yes/no question, rephrased without it otherwise', () => {
  const hire = p('f4', 'FAQ', 'Do you offer bike hire?\n\nYes, city bikes can be hired for £20 per day, helmet included.');
  assertEquals(ask('Can I hire a bike?', [hire]).text, 'Yes, city bikes can be hired for £20 per day, helmet included. [1]');
  assertEquals(ask('How much is bike hire per day?', [hire]).text, 'City bikes can be hired for £20 per day, helmet included. [1]');
});

Deno.test('dedupe: the same fact from two passages is said once', () => {
  // The FAQ repeats the Saturday hours of the opening-hours passage.
  const a = ask('When are you open on Saturday?', [hours, faqSunday]);
  assertEquals((a.text.match(/10:00 to 17:00/g) ?? []).length, 1, a.text);
  // Overlapping passages (the chunker repeats a passage's tail at the start of the next) quote a sentence once.
  const first = p('o1', 'Delivery', 'Delivery is free within the city for orders over €150. Smaller orders are delivered for €7.50.');
  const second = p('o2', 'Delivery', 'Smaller orders are delivered for €7.50. New bikes are delivered assembled.');
  const d = ask('How much is delivery?', [first, second]);
  assertEquals(d.text, 'Delivery is free within the city for orders over €150. Smaller orders are delivered for €7.50. [1]');
});

Deno.test('length: one to three sentences, however many match', () => {
  const many = p('m', 'Brakes', Array.from({ length: 8 }, (_, i) => `Brake pads of type ${i} cost €${10 + i}.`).join(' '));
  const a = ask('How much do brake pads cost?', [many]);
  const sentences = a.text.replace(/ \[\d+\]/g, '').split(/(?<=\.)\s/);
  assert(sentences.length >= 1 && sentences.length <= 3, a.text);
});

Deno.test('citations: only the sources quoted, numbered 1..k in order of first use, matching the sources list', () => {
  const a = ask('Where are you and when are you open?', [rentals, puncture, address, hours]);
  const cited = [...a.text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  assertEquals([...new Set(cited)], a.sources.map((s) => s.ref));
  assertEquals(a.sources.map((s) => s.ref), a.sources.map((_, i) => i + 1));
  assert(!a.sources.some((s) => s.title === 'Rentals'), 'an unquoted passage is not a source');
  assert(a.sources.length >= 1, a.text);
  // Two passages of one source (same URL) share one number.
  const both = ask('When are you open and where is the shop?', [hours, address]);
  assertEquals(both.sources.length, 1, both.text);
  assertEquals([...both.text.matchAll(/\[(\d+)\]/g)].map((m) => m[1]), ['1']);
});

Deno.test('greetings and thanks get a short friendly line, not a quote and not "I don\'t know"', () => {
  for (const hi of ['Hi', 'Hello, is anyone there?', 'hey!']) {
    const a = ask(hi, [faqCard, hours]);
    assertEquals(a, { text: greeting('en', 'Northside Cycles'), sources: [], grounded: true }, hi);
  }
  assertEquals(ask('Thanks!', [hours]).text, THANKS.en);
  assertEquals(ask('Merci !', [hours], 'en').text, THANKS.fr);
  assertMatch(ask('Hallo', []).text, /Northside Cycles/);
  // Still a question: answered as one.
  assertMatch(ask('Hi, how much is a puncture repair?', [puncture]).text, /€15/);
});

Deno.test('after "shall I bring in a person?", a "yes" hands over (and is flagged: not grounded)', () => {
  const a = extractAnswer('yes please', [], 'en', { history: [{ role: 'visitor', content: 'Do you sell cars?' }, { role: 'assistant', content: DONT_KNOW.en }] });
  assertEquals(a, { text: HANDOFF.en, sources: [], grounded: false });
});

Deno.test('no answer: says it does not know and offers a person, in the visitor\'s language', () => {
  const passages = [puncture, hours, address, rentals, faqCard];
  for (const q of ['Do you sell cars?', 'Do you sell sailing boats or kayaks?', 'Do you repair cars?', 'Can I rent a scooter?']) {
    const a = ask(q, passages);
    assertEquals(a, { text: DONT_KNOW.en, sources: [], grounded: false }, q);
  }
  assertEquals(ask('Vendez-vous des voitures ?', passages, 'fr').text, DONT_KNOW.fr);
  assertEquals(ask('Verkaufen Sie Autos?', passages, 'de').text, DONT_KNOW.de);
  assertEquals(ask('¿Venden coches?', passages, 'es').text, DONT_KNOW.es);
  assertEquals(ask('When are you open?', []).grounded, false);
});

Deno.test('one word of a question in another sense is not an answer ("fitting" a part is no bike fitting)', () => {
  const parts = p('pl', 'Repairs and prices', 'Parts and labour\nParts are charged at shop prices, and we always ask before fitting anything that costs more than €20.');
  assertEquals(ask('Do you do bike fittings?', [parts]).grounded, false);
});

Deno.test('a message with nothing to look up asks what the visitor is looking for', () => {
  const a = ask('what is it?', [hours]);
  assertMatch(a.text, /tell me a little more/);
  assertEquals(a.sources, []);
});

Deno.test('the engine streams pieces of a few words that add up to the answer, then ends with the sources', async () => {
  const engine = createExtractiveEngine();
  const events = [];
  for await (const e of engine.answer({ question: 'When are you open on Saturday?', passages: [faqSunday, hours], history: [], websiteName: 'N', lang: 'en' })) events.push(e);
  const deltas = events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text);
  assert(deltas.length > 1, 'streamed in several pieces');
  assert(deltas.every((d) => d.trim().split(/\s+/).length <= 3), JSON.stringify(deltas));
  assertEquals(deltas.join(''), 'On Saturday we are open from 10:00 to 17:00. [1]');
  const end = events.at(-1)!;
  assertEquals(end.type, 'end');
  if (end.type === 'end') {
    assertEquals(end.sources.map((s) => s.title), ['FAQ']);
    assertEquals(end.model, engine.model);
    assertEquals(end.grounded, true);
  }
});

Deno.test('the stream stops when the visitor is gone', async () => {
  const controller = new AbortController();
  controller.abort();
  const events = [];
  for await (const e of createExtractiveEngine().answer({ question: 'Where is the shop?', passages: [address], history: [], websiteName: 'N', lang: 'en', signal: controller.signal })) events.push(e);
  assertEquals(events, []);
});

Deno.test('pieces keep every character', () => {
  const text = 'A puncture repair costs €15, inner tube included. [1]';
  assertEquals([...pieces(text)].join(''), text);
});

Deno.test('question phrases ("how long", "something") do not count as topic words', () => {
  const returns = p('r', 'Returns', 'Returns policy\n\nYou can return unused items within 30 days with the receipt. Refunds take 5 working days.');
  assertMatch(ask('How long do I have to return something?', [returns]).text, /within 30 days/);
});

Deno.test('other languages: French prices, times and FAQ, modal verbs ("je peux") not counted as topic words', () => {
  const fr = [
    p('fa', 'Tarifs', 'Réparation de crevaison\nUne réparation de crevaison coûte 15 €, chambre à air comprise. Elle est faite pendant que vous attendez.'),
    p('fb', 'Horaires', "Horaires d'ouverture\nLe magasin est ouvert du lundi au vendredi de 9h00 à 18h30 et le samedi de 10h00 à 17h00."),
    p('fc', 'FAQ', 'Acceptez-vous la carte bancaire ?\nOui. Nous acceptons les espèces et toutes les cartes bancaires.'),
  ];
  assertEquals(ask('Combien coûte une réparation de crevaison ?', fr, 'fr').text, 'Une réparation de crevaison coûte 15 €, chambre à air comprise. [1]');
  assertMatch(ask('Quand êtes-vous ouverts le samedi ?', fr, 'fr').text, /le samedi de 10h00 à 17h00\. \[1\]$/);
  assertEquals(ask('Acceptez-vous la carte bancaire ?', fr, 'fr').text, 'Oui. Nous acceptons les espèces et toutes les cartes bancaires. [1]');
  assertEquals(ask('Est-ce que je peux payer par carte bancaire ?', fr, 'fr').text, 'Nous acceptons les espèces et toutes les cartes bancaires. [1]');
});
