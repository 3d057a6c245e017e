import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { createSseStream, formatEvent, parseSse } from './sse.ts';

Deno.test('events are written as event + one JSON data line', () => {
  assertEquals(formatEvent('delta', { text: 'a\nb' }), 'event: delta\ndata: {"text":"a\\nb"}\n\n');
});

Deno.test('each event is its own chunk, readable before the stream ends', async () => {
  const sse = createSseStream({ heartbeatMs: 0 });
  assertEquals(sse.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = sse.response.body!.getReader();
  sse.send('conversation', { conversation_id: 'c' });
  const first = new TextDecoder().decode((await reader.read()).value);
  assertEquals(parseSse(first), [{ event: 'conversation', data: { conversation_id: 'c' } }]);
  sse.send('delta', { text: 'hi' });
  sse.close();
  const second = new TextDecoder().decode((await reader.read()).value);
  assertEquals(parseSse(second), [{ event: 'delta', data: { text: 'hi' } }]);
  assertEquals((await reader.read()).done, true);
  assertEquals(sse.send('late', {}), false);
});

Deno.test('heartbeat comments flow while nothing else is sent', async () => {
  const sse = createSseStream({ heartbeatMs: 20 });
  const reader = sse.response.body!.getReader();
  const chunk = new TextDecoder().decode((await reader.read()).value);
  assertEquals(chunk, ': ping\n\n');
  assertEquals(parseSse(chunk), []);
  sse.close();
});

Deno.test('a client that cancels aborts the stream signal', async () => {
  const sse = createSseStream({ heartbeatMs: 0 });
  let aborted = false;
  sse.signal.addEventListener('abort', () => (aborted = true));
  await sse.response.body!.cancel();
  assert(aborted);
  assert(sse.closed);
  assertEquals(sse.send('delta', { text: 'x' }), false);
});

Deno.test('the request signal aborting closes the stream', async () => {
  const req = new AbortController();
  const sse = createSseStream({ heartbeatMs: 0, signal: req.signal });
  req.abort();
  assert(sse.signal.aborted);
  assertEquals((await sse.response.body!.getReader().read()).done, true);
});
