import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { segment, structuralLines } from './segment.ts';

const brief = (text: string) => segment(text).map((s) => [s.kind, s.text, s.heading ?? s.question ?? null]);

Deno.test('a label line is a heading, never glued to the sentence under it', () => {
  assertEquals(brief('Puncture repair\nA puncture repair costs €15, inner tube included. It is done while you wait.'), [
    ['heading', 'Puncture repair', null],
    ['sentence', 'A puncture repair costs €15, inner tube included.', 'Puncture repair'],
    ['sentence', 'It is done while you wait.', 'Puncture repair'],
  ]);
});

Deno.test('Markdown headings (any level) are headings; the next heading replaces the last', () => {
  assertEquals(brief('# Prices\n## Wheel truing\nWheel truing costs €25 per wheel.\n### Labour\nLabour is €40 per hour.'), [
    ['heading', 'Prices', null],
    ['heading', 'Wheel truing', null],
    ['sentence', 'Wheel truing costs €25 per wheel.', 'Wheel truing'],
    ['heading', 'Labour', null],
    ['sentence', 'Labour is €40 per hour.', 'Labour'],
  ]);
});

Deno.test('a heading on a paragraph of its own (as the chunker and HTML extraction write it)', () => {
  assertEquals(brief('Returns policy\n\nYou can return unused items within 30 days. Bikes must be unridden.'), [
    ['heading', 'Returns policy', null],
    ['sentence', 'You can return unused items within 30 days.', 'Returns policy'],
    ['sentence', 'Bikes must be unridden.', 'Returns policy'],
  ]);
});

Deno.test('list items are items of their own, bullets removed, each under the heading', () => {
  assertEquals(brief('What we service\n- City bikes and e-bikes\n* Kids\' bikes from 14 inches\n1. Cargo bikes, by appointment.'), [
    ['heading', 'What we service', null],
    ['item', 'City bikes and e-bikes', 'What we service'],
    ['item', "Kids' bikes from 14 inches", 'What we service'],
    ['item', 'Cargo bikes, by appointment.', 'What we service'],
  ]);
});

Deno.test('table rows are items; the header row is context; the rule row disappears', () => {
  assertEquals(brief('| Service | Price |\n|---|---:|\n| Tune-up | €49 |\n| Full service | €119 |'), [
    ['item', 'Tune-up – €49', 'Service – Price'],
    ['item', 'Full service – €119', 'Service – Price'],
  ]);
});

Deno.test('a label with a value ("Phone: …", times) is a fact, not a heading', () => {
  assertEquals(brief('Contact\nPhone: +353 1 555 0142\nMon–Fri 9:00–18:30'), [
    ['heading', 'Contact', null],
    ['item', 'Phone: +353 1 555 0142', 'Contact'],
    ['item', 'Mon–Fri 9:00–18:30', 'Contact'],
  ]);
});

Deno.test('soft-wrapped prose stays one text: a line ending mid-phrase is not a label', () => {
  assertEquals(brief('Our workshop services skis and\nsnowboards. A basic wax costs 18 euros.'), [
    ['sentence', 'Our workshop services skis and snowboards.', null],
    ['sentence', 'A basic wax costs 18 euros.', null],
  ]);
});

Deno.test('FAQ: the question line is context for the answer, and a leading "Yes." is set apart', () => {
  const segs = segment('Can I pay by card?\nYes. We accept cash, all major debit and credit cards, and contactless payments.');
  assertEquals(segs.map((s) => s.kind), ['question', 'sentence']);
  assertEquals(segs[1].question, 'Can I pay by card?');
  assertEquals(segs[1].text, 'We accept cash, all major debit and credit cards, and contactless payments.');
  assertEquals(segs[1].polarity, 'Yes.');
  assertEquals(segs[1].original, 'Yes. We accept cash, all major debit and credit cards, and contactless payments.');
});

Deno.test('FAQ: "No." (an abbreviation to the sentence splitter) and "Yes, …" are set apart too', () => {
  const [, no] = segment('Are you open on Sundays?\nNo. We are closed on Sundays and public holidays.');
  assertEquals([no.polarity, no.text], ['No.', 'We are closed on Sundays and public holidays.']);
  const [, yes] = segment('Do you offer bike hire?\n\nYes, city bikes can be hired for £20 per day.');
  assertEquals([yes.polarity, yes.text, yes.original], ['Yes,', 'City bikes can be hired for £20 per day.', 'Yes, city bikes can be hired for £20 per day.']);
});

Deno.test('FAQ: Q:/A: labels and Markdown question headings; a question answers only up to the next paragraph', () => {
  const segs = segment('Q: Do you sell helmets?\nA: Yes, from 39 euros.\n\n## Is parking free?\nYes, for two hours.\n\nOther news follows here.');
  assertEquals(segs.map((s) => [s.kind, s.text, s.question ?? null]), [
    ['question', 'Do you sell helmets?', null],
    ['sentence', 'From 39 euros.', 'Do you sell helmets?'],
    ['question', 'Is parking free?', null],
    ['sentence', 'For two hours.', 'Is parking free?'],
    ['sentence', 'Other news follows here.', null],
  ]);
});

Deno.test('a bare "Yes." answer keeps its polarity and has no text of its own', () => {
  const [, yes] = segment('Is it free?\nYes.');
  assertEquals([yes.kind, yes.text, yes.polarity], ['sentence', '', 'Yes.']);
});

Deno.test('a passage starting mid-sentence (overlap with the previous one) is marked as a fragment', () => {
  const segs = segment('…deep cleaned and regreased. Allow two working days.');
  assertEquals(segs.map((s) => !!s.fragment), [true, false]);
});

Deno.test('structuralLines: headings, labels, items on lines of their own; wrapped prose joined', () => {
  assertEquals(structuralLines('## Hours\nOpening hours\nWe open at 9:00 and\nclose at 18:00.\n- Closed Sundays\n\nNext'), [
    '## Hours', 'Opening hours', 'We open at 9:00 and close at 18:00.', '- Closed Sundays', '', 'Next',
  ]);
});
