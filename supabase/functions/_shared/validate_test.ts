import { deepStrictEqual as assertEquals, throws as assertThrows } from 'node:assert/strict';
import { ApiError } from './http.ts';
import { asObject, httpUrl, MAX_CONTENT_CHARS, oneOf, text, uuid } from './validate.ts';

const bad = (fn: () => unknown, message: RegExp) =>
  assertThrows(fn, (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'invalid_request' && message.test(e.message));

Deno.test('the body must be an object', () => {
  for (const v of [null, [], 'x', 3]) assertThrows(() => asObject(v), ApiError);
  assertEquals(asObject({ a: 1 }), { a: 1 });
});

Deno.test('UUIDs: required, typed, well-formed, lower-cased', () => {
  const id = '123E4567-E89B-42D3-A456-426614174000';
  assertEquals(uuid({ id }, 'id'), id.toLowerCase());
  bad(() => uuid({}, 'id'), /^id is required/);
  bad(() => uuid({ id: 5 }, 'id'), /^id must be a string UUID, not a number/);
  bad(() => uuid({ id: 'abc' }, 'id'), /^id must be a UUID/);
  bad(() => uuid({ id: `${id}x` }, 'id'), /^id must be a UUID/);
  assertEquals(uuid({}, 'id', { optional: true }), undefined);
  assertEquals(uuid({ id: null }, 'id', { optional: true }), undefined);
});

Deno.test('content: 1–4000 characters after trimming', () => {
  const rule = { max: MAX_CONTENT_CHARS };
  assertEquals(text({ c: '  hi  ' }, 'c', rule), 'hi');
  bad(() => text({ c: '   ' }, 'c', rule), /^c must not be empty/);
  bad(() => text({ c: '' }, 'c', rule), /^c must not be empty/);
  bad(() => text({ c: 'x'.repeat(4001) }, 'c', rule), /^c must be at most 4000 characters \(got 4001\)/);
  assertEquals(text({ c: 'x'.repeat(4000) }, 'c', rule).length, 4000);
  // Characters, not UTF-16 units: 4000 emoji are allowed.
  assertEquals([...text({ c: '😀'.repeat(4000) }, 'c', rule)].length, 4000);
  bad(() => text({ c: ['a'] }, 'c', rule), /^c must be a string, not an array/);
  bad(() => text({ c: { a: 1 } }, 'c', rule), /^c must be a string, not an object/);
  bad(() => text({}, 'c', rule), /^c is required/);
});

Deno.test('text refuses NUL and unpaired surrogates (Postgres cannot store them), keeps every real character', () => {
  bad(() => text({ content: 'a\u0000b' }, 'content'), /^content must not contain NUL/);
  bad(() => text({ locale: 'en\u0000' }, 'locale', { optional: true, max: 35 }), /^locale must not contain NUL/);
  bad(() => text({ content: 'half \ud83d pair' }, 'content'), /^content must be valid Unicode/);
  bad(() => text({ content: '\udc00' }, 'content'), /^content must be valid Unicode/);
  assertEquals(text({ content: 'emoji 🚲, accents é, CJK 自転車, control \u0007' }, 'content'), 'emoji 🚲, accents é, CJK 自転車, control \u0007');
});

Deno.test('enums and URLs', () => {
  assertEquals(oneOf({ k: 'faq' }, 'k', ['text', 'faq'] as const), 'faq');
  bad(() => oneOf({ k: 'video' }, 'k', ['text', 'faq'] as const), /^k must be one of text, faq/);
  assertEquals(httpUrl({ u: 'https://a.example/x' }, 'u'), 'https://a.example/x');
  bad(() => httpUrl({ u: 'javascript:alert(1)' }, 'u'), /http\(s\) URL/);
  bad(() => httpUrl({ u: 'not a url' }, 'u'), /http\(s\) URL/);
});
