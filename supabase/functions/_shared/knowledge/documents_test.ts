import { deepStrictEqual as assertEquals, match as assertMatch, rejects as assertRejects, ok as assert } from 'node:assert/strict';
import { documentText, documentType, stripMarkdown } from './documents.ts';

const fixture = (name: string) => Deno.readFile(new URL(`../../../../tests/fixtures/knowledge/${name}`, import.meta.url));

Deno.test('document types from media type, else from the file extension', () => {
  assertEquals(documentType('text/html; charset=utf-8'), 'html');
  assertEquals(documentType('application/pdf'), 'pdf');
  assertEquals(documentType('', 'Notes.MD'), 'markdown');
  assertEquals(documentType(null, 'a.txt'), 'text');
  assertEquals(documentType('image/png', 'x.png'), undefined);
});

Deno.test('PDF text is extracted (unpdf)', async () => {
  const doc = await documentText(await fixture('warranty.pdf'), 'pdf');
  assertMatch(doc.text, /two year warranty on the frame/);
  assertMatch(doc.text, /returned within 30 days/);
});

Deno.test('a file that is not a PDF is refused as one', async () => {
  await assertRejects(documentText(new TextEncoder().encode('hello'), 'pdf'), /not a PDF/);
});

Deno.test('NUL characters are dropped from extracted text (Postgres text cannot hold them)', async () => {
  assertEquals((await documentText(new TextEncoder().encode('a\u0000b\n'), 'text')).text, 'ab');
  assertEquals((await documentText(new TextEncoder().encode('# T\u0000itle\n\nBo\u0000dy'), 'markdown')).title, 'Title');
});

Deno.test('Markdown is reduced to its words', () => {
  assertEquals(stripMarkdown('# Title\n\nSome **bold** and [a link](http://x) and `code`.\n\n- item'), 'Title\n\nSome bold and a link and code.\n\n- item');
});

Deno.test('HTML documents keep main content and links', async () => {
  const doc = await documentText(new TextEncoder().encode('<title>T</title><nav><a href="/a">A</a></nav><p>Body</p>'), 'html', 'https://x.example/');
  assertEquals(doc.title, 'T');
  assertEquals(doc.text, 'Body');
  assert(doc.links.includes('https://x.example/a'));
});
