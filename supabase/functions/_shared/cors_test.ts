import { deepStrictEqual as assertEquals, throws as assertThrows } from 'node:assert/strict';
import { assertOriginAllowed, corsHeaders, originAllowed, preflight } from './cors.ts';
import { ApiError } from './http.ts';

Deno.test('an empty list lets every origin in', () => {
  assertEquals(originAllowed('https://anything.example', []), true);
  assertEquals(originAllowed('https://anything.example', null), true);
  assertEquals(originAllowed('https://anything.example', ['  ']), true);
});

Deno.test('host matching: bare host, any port when none is given, exact port when given', () => {
  const list = ['shop.example', 'localhost:8080'];
  assertEquals(originAllowed('https://shop.example', list), true);
  assertEquals(originAllowed('http://shop.example:3000', list), true);
  assertEquals(originAllowed('http://localhost:8080', list), true);
  assertEquals(originAllowed('http://localhost:8081', list), false);
  assertEquals(originAllowed('https://evil.example', list), false);
  assertEquals(originAllowed('https://shop.example.evil.example', list), false);
  assertEquals(originAllowed('https://notshop.example', list), false);
});

Deno.test('full origins, upper case and paths in entries; wildcard subdomains', () => {
  assertEquals(originAllowed('https://shop.example', ['HTTPS://Shop.Example/']), true);
  assertEquals(originAllowed('http://127.0.0.1:54324', ['http://127.0.0.1:54324']), true);
  assertEquals(originAllowed('http://127.0.0.1:54325', ['http://127.0.0.1:54324']), false);
  assertEquals(originAllowed('https://blog.shop.example', ['*.shop.example']), true);
  assertEquals(originAllowed('https://shop.example', ['*.shop.example']), true);
  assertEquals(originAllowed('https://blog.shop.example', ['shop.example']), false);
});

Deno.test('no Origin header (not a cross-site browser call) is not refused; a garbage one is', () => {
  assertEquals(originAllowed(null, ['shop.example']), true);
  assertEquals(originAllowed('null', ['shop.example']), false);
  assertEquals(originAllowed('file://x', ['shop.example']), false);
});

Deno.test('a disallowed origin → 403 origin_not_allowed', () => {
  const req = new Request('http://x', { headers: { origin: 'https://evil.example' } });
  assertThrows(() => assertOriginAllowed(req, ['shop.example']), (e: unknown) => e instanceof ApiError && e.status === 403 && e.code === 'origin_not_allowed');
});

Deno.test('CORS headers echo the origin and vary on it; preflight is 204', () => {
  const req = new Request('http://x', { method: 'OPTIONS', headers: { origin: 'https://shop.example' } });
  const h = corsHeaders(req);
  assertEquals(h['Access-Control-Allow-Origin'], 'https://shop.example');
  assertEquals(h.Vary, 'Origin');
  const res = preflight(req);
  assertEquals(res.status, 204);
  assertEquals(res.headers.get('access-control-allow-headers')?.includes('authorization'), true);
  assertEquals(corsHeaders(new Request('http://x'))['Access-Control-Allow-Origin'], '*');
});
