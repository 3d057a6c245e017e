import { deepStrictEqual as assertEquals, match as assertMatch, ok as assert } from 'node:assert/strict';
import { createExtractiveEngine, extractAnswer } from './extractive.ts';
import { DONT_KNOW } from './phrases.ts';
import type { Passage } from './types.ts';

const passages: Passage[] = [
  {
    id: 'c1', sourceId: 's1', title: 'Opening hours', url: 'https://northside.example/hours', score: 1,
    content: 'Northside Cycles is open Monday to Friday from 9am to 6pm. On Saturdays we open from 10am to 4pm. We are closed on Sundays and public holidays.',
  },
  {
    id: 'c2', sourceId: 's2', title: 'Repairs', url: 'https://northside.example/repairs', score: 0.5,
    content: 'A standard service costs £45 and includes gear and brake adjustment. Puncture repairs cost £12 and are usually done while you wait.',
  },
  {
    id: 'c3', sourceId: 's3', title: 'FAQ', score: 0.4,
    content: 'Do you offer bike hire?\n\nYes, city bikes can be hired for £20 per day, helmet included.',
  },
];

Deno.test('quotes the sentence that answers the question, with its citation', () => {
  const a = extractAnswer('How much does a puncture repair cost?', passages, 'en');
  assert(a.grounded);
  assertMatch(a.text, /Puncture repairs cost £12/);
  assertMatch(a.text, /\[1\]/);
  assertEquals(a.sources, [{ title: 'Repairs', url: 'https://northside.example/repairs', source_id: 's2', ref: 1 }]);
});

Deno.test('an FAQ answer is found through its question', () => {
  const a = extractAnswer('Can I hire a bike?', passages, 'en');
  assert(a.grounded, a.text);
  assertMatch(a.text, /£20 per day/);
  assert(!a.text.includes('Do you offer bike hire?'), 'the FAQ question itself is not the answer');
});

Deno.test('says it does not know, offering a person, when nothing is relevant', () => {
  const a = extractAnswer('Do you sell cars?', passages, 'en');
  assertEquals(a.grounded, false);
  assertEquals(a.text, DONT_KNOW.en);
  assertEquals(a.sources, []);
  assertMatch(a.text, /person/);
});

Deno.test('the fallback speaks the visitor language', () => {
  assertEquals(extractAnswer('Vendez-vous des voitures ?', passages, 'fr').text, DONT_KNOW.fr);
});

Deno.test('no passages → does not know', () => {
  assertEquals(extractAnswer('When are you open?', [], 'en').grounded, false);
});

Deno.test('a question of stop words only → does not know', () => {
  assertEquals(extractAnswer('what is it?', passages, 'en').grounded, false);
});

Deno.test('the engine streams pieces that add up to the answer, then ends with sources', async () => {
  const engine = createExtractiveEngine();
  const events = [];
  for await (const e of engine.answer({ question: 'When are you open on Saturdays?', passages, history: [], websiteName: 'N', lang: 'en' })) events.push(e);
  const deltas = events.filter((e) => e.type === 'delta');
  assert(deltas.length > 1, 'streamed in several pieces');
  const text = deltas.map((e) => (e as { text: string }).text).join('');
  assertMatch(text, /Saturdays we open from 10am to 4pm/);
  const end = events.at(-1)!;
  assertEquals(end.type, 'end');
  if (end.type === 'end') {
    assertEquals(end.sources[0].title, 'Opening hours');
    assertEquals(end.model, engine.model);
  }
});

Deno.test('question phrases ("how long", "something") do not count as topic words', () => {
  const returns: Passage[] = [{
    id: 'r', sourceId: 'r', title: 'Returns', score: 1,
    content: 'Returns policy\n\nYou can return unused items within 30 days with the receipt. Refunds take 5 working days.',
  }];
  const a = extractAnswer('How long do I have to return something?', returns, 'en');
  assert(a.grounded, a.text);
  assertMatch(a.text, /within 30 days/);
});
