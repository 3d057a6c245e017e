import { deepStrictEqual as assertEquals, notDeepStrictEqual as assertNotEquals, match as assertMatch } from 'node:assert/strict';
import { answerClientId, isDerivedId, uuidV5 } from './ids.ts';

Deno.test('UUID v5 matches the RFC example (DNS namespace, www.example.com)', async () => {
  assertEquals(await uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

Deno.test('the answer id is deterministic, distinct and a v5 UUID', async () => {
  const a = await answerClientId('0d4a3c9e-3a55-4c43-9a0e-57d8b5d2f6a1');
  assertEquals(await answerClientId('0D4A3C9E-3A55-4C43-9A0E-57D8B5D2F6A1'), a);
  assertNotEquals(await answerClientId('0d4a3c9e-3a55-4c43-9a0e-57d8b5d2f6a2'), a);
  assertMatch(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

Deno.test('derived ids are recognisable (version 5); the widget\'s random ids are not', async () => {
  assertEquals(isDerivedId(await answerClientId(crypto.randomUUID())), true);
  for (let i = 0; i < 20; i++) assertEquals(isDerivedId(crypto.randomUUID()), false);
  assertEquals(isDerivedId('0190b5c8-7a1e-7c3d-9f00-123456789abc'), false); // version 7
});
