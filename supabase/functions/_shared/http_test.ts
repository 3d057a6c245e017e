import { deepStrictEqual as assertEquals, rejects as assertRejects, ok as assert } from 'node:assert/strict';
import { ApiError, errorResponse, readJson, requireMethod, subPath } from './http.ts';

const post = (body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  new Request('http://x/functions/v1/widget-messages', { method: 'POST', body, headers });

async function failsWith(p: Promise<unknown>, status: number, code: string) {
  await assertRejects(p, (e: unknown) => e instanceof ApiError && e.status === status && e.code === code);
}

Deno.test('valid JSON is parsed', async () => {
  assertEquals(await readJson(post('{"a":1}')), { a: 1 });
  assertEquals(await readJson(post('{"a":1}', { 'content-type': 'application/json; charset=utf-8' })), { a: 1 });
});

Deno.test('wrong or missing content type → 415', async () => {
  await failsWith(readJson(post('{"a":1}', { 'content-type': 'text/plain' })), 415, 'unsupported_media_type');
  await failsWith(readJson(post('a=1', { 'content-type': 'application/x-www-form-urlencoded' })), 415, 'unsupported_media_type');
});

Deno.test('invalid JSON, empty body and bad UTF-8 → 400 invalid_json', async () => {
  await failsWith(readJson(post('{"a":')), 400, 'invalid_json');
  await failsWith(readJson(post('')), 400, 'invalid_json');
  await failsWith(readJson(post(new Uint8Array([0x7b, 0xff, 0x7d]))), 400, 'invalid_json');
});

Deno.test('a body over the limit → 413, read incrementally without Content-Length', async () => {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      if (pulled > 1000) return c.close();
      c.enqueue(new Uint8Array(1024).fill(0x20));
    },
  });
  await failsWith(readJson(post(stream), 64 * 1024), 413, 'payload_too_large');
  assert(pulled < 100, `stopped reading early (read ${pulled} chunks)`);
});

Deno.test('a declared Content-Length over the limit → 413 at once', async () => {
  const req = post('{}', { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
  await failsWith(readJson(req, 1024), 413, 'payload_too_large');
});

Deno.test('wrong method → 405 with Allow', () => {
  try {
    requireMethod(new Request('http://x', { method: 'PUT' }), ['POST']);
    assert(false);
  } catch (e) {
    assert(e instanceof ApiError);
    assertEquals([e.status, e.code, e.headers.Allow], [405, 'method_not_allowed', 'POST, OPTIONS']);
  }
});

Deno.test('errors become the envelope; unknown errors never leak their message or stack', async () => {
  const r = errorResponse(new ApiError(404, 'website_not_found', 'No such website.'));
  assertEquals(r.status, 404);
  assertEquals(await r.json(), { error: { code: 'website_not_found', message: 'No such website.' } });
  const origError = console.error;
  console.error = () => {};
  try {
    const r2 = errorResponse(new Error('password=hunter2 at db.ts:12'));
    const body = await r2.text();
    assertEquals(r2.status, 500);
    assert(!body.includes('hunter2') && !body.includes('db.ts'));
  } finally {
    console.error = origError;
  }
});

Deno.test('sub-paths after the function name', () => {
  assertEquals(subPath(new Request('http://x/functions/v1/widget-conversations/abc/messages?after=1'), 'widget-conversations'), ['abc', 'messages']);
  assertEquals(subPath(new Request('http://x/widget-conversations'), 'widget-conversations'), []);
});
