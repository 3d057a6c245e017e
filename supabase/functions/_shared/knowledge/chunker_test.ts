import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { chunkText } from './chunker.ts';

const para = (n: number, words = 12) =>
  Array.from({ length: n }, (_, i) => `Sentence ${i} talks about ${'topic '.repeat(words - 5).trim()} here.`).join(' ');

Deno.test('a short text is one passage', () => {
  const chunks = chunkText('We open at 9am. We close at 6pm.');
  assertEquals(chunks, [{ position: 0, content: 'We open at 9am. We close at 6pm.' }]);
});

Deno.test('empty text gives no passage', () => {
  assertEquals(chunkText('  \n\n '), []);
});

Deno.test('long text is split near the target size on sentence boundaries', () => {
  const text = [para(10), para(10), para(10)].join('\n\n');
  const chunks = chunkText(text, { targetChars: 800 });
  assert(chunks.length >= 3, `expected several passages, got ${chunks.length}`);
  for (const c of chunks) {
    assert(c.content.length <= 800 + 130, `passage too long: ${c.content.length}`);
    assert(/[.]$/.test(c.content), `passage should end on a sentence: ${c.content.slice(-20)}`);
  }
  assertEquals(chunks.map((c) => c.position), chunks.map((_, i) => i));
});

Deno.test('consecutive passages overlap by roughly 15 %', () => {
  const chunks = chunkText(para(40), { targetChars: 800 });
  for (let i = 1; i < chunks.length; i++) {
    const prevTail = chunks[i - 1].content.slice(-300);
    const firstSentence = chunks[i].content.split('. ')[0];
    assert(prevTail.includes(firstSentence), `passage ${i} should start with the end of passage ${i - 1}`);
  }
});

Deno.test('every sentence of the source lands in some passage', () => {
  const text = para(30);
  const chunks = chunkText(text, { targetChars: 300 });
  for (let i = 0; i < 30; i++) assert(chunks.some((c) => c.content.includes(`Sentence ${i} talks`)), `sentence ${i} lost`);
});

Deno.test('a sentence longer than a passage is cut on words, never lost', () => {
  const text = 'word '.repeat(1000).trim() + '.';
  const chunks = chunkText(text, { targetChars: 500 });
  assert(chunks.length >= 2);
  for (const c of chunks) assert(c.content.length <= 500 + 100);
});

Deno.test('paragraph breaks survive inside a passage; a heading is not glued to the next sentence', () => {
  const [c] = chunkText('Returns policy\n\nYou can return unused items within 30 days. Bikes must be unridden.');
  assertEquals(c.content, 'Returns policy\n\nYou can return unused items within 30 days. Bikes must be unridden.');
});

Deno.test('a label line, list items and a table row keep their own lines inside a passage', () => {
  const [c] = chunkText('Opening hours\nWe are open Monday to Friday.\n- Closed on Sundays\n- Closed on public holidays\n| Service | Price |\n\nPuncture repair\nA puncture repair costs €15.');
  assertEquals(c.content, 'Opening hours\nWe are open Monday to Friday.\n- Closed on Sundays\n- Closed on public holidays\n| Service | Price |\n\nPuncture repair\nA puncture repair costs €15.');
});

Deno.test('soft-wrapped prose is still joined into sentences', () => {
  const [c] = chunkText('Our workshop services skis and\nsnowboards. A basic wax costs\n18 euros.');
  assertEquals(c.content, 'Our workshop services skis and snowboards. A basic wax costs 18 euros.');
});
