import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { extractHtml } from './html.ts';

const page = `<!doctype html><html><head><title>Repairs &amp; Servicing | Northside</title>
<style>body{color:red}</style><script>var secret = "do not index";</script></head>
<body>
<header><a href="/">Home</a> <nav><a href="/hire">Hire</a><a href="/about">About us</a></nav></header>
<main>
<h1>Repairs</h1>
<p>A standard service costs £45.<br>It includes brake adjustment.</p>
<ul><li>Puncture repair: £12</li><li>Wheel true: £15</li></ul>
<div hidden>Hidden promo</div>
<p>See <a href="/prices#top">our prices</a> or <a href="https://other.example/x">a partner</a> or <a href="mailto:a@b.c">mail</a>.</p>
</main>
<aside>Sidebar ad</aside>
<footer>© Northside Cycles — <a href="/privacy">Privacy</a></footer>
</body></html>`;

Deno.test('keeps the main content, drops nav, header, footer, aside, scripts, styles, hidden', () => {
  const p = extractHtml(page, 'https://northside.example/repairs');
  assertEquals(p.title, 'Repairs & Servicing | Northside');
  assert(p.text.includes('A standard service costs £45.'));
  assert(p.text.includes('- Puncture repair: £12'));
  for (const gone of ['do not index', 'color:red', 'About us', 'Sidebar ad', 'Privacy', 'Hidden promo']) {
    assert(!p.text.includes(gone), `should drop "${gone}"`);
  }
});

Deno.test('paragraphs are separated by blank lines', () => {
  const p = extractHtml(page);
  assert(p.text.split('\n\n').length >= 4, p.text);
  assertEquals(p.text.split('\n\n')[0], 'Repairs');
});

Deno.test('links are resolved, de-fragmented, http(s) only', () => {
  const p = extractHtml(page, 'https://northside.example/repairs');
  assert(p.links.includes('https://northside.example/prices'));
  assert(p.links.includes('https://northside.example/hire'));
  assert(p.links.includes('https://other.example/x'));
  assert(!p.links.some((l) => l.startsWith('mailto:')));
});

Deno.test('a page without <main> keeps its body text; broken markup does not throw', () => {
  const p = extractHtml('<html><body><div><p>Open 9 to 6<p>Closed Sundays</div><nav>menu</nav>');
  assertEquals(p.text, 'Open 9 to 6\n\nClosed Sundays');
  assertEquals(extractHtml('<<<>>><p unclosed').text.includes('<'), true);
});

Deno.test('the title falls back to the first h1', () => {
  assertEquals(extractHtml('<body><h1>Bike hire</h1><p>£20 a day.</p></body>').title, 'Bike hire');
});
