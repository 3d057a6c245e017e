import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { constantTimeEqual, hmacSha256Hex, verifyUserHash } from './hmac.ts';

Deno.test('HMAC-SHA256 hex matches Node crypto (what a site backend would use)', async () => {
  const expected = createHmac('sha256', 'secret-123').update('user-42').digest('hex');
  assertEquals(await hmacSha256Hex('secret-123', 'user-42'), expected);
});

Deno.test('a correct hash verifies, upper-case hex too; a wrong one does not', async () => {
  const h = createHmac('sha256', 's').update('u').digest('hex');
  assertEquals(await verifyUserHash('s', 'u', h), true);
  assertEquals(await verifyUserHash('s', 'u', h.toUpperCase()), true);
  assertEquals(await verifyUserHash('s', 'u2', h), false);
  assertEquals(await verifyUserHash('other', 'u', h), false);
  assertEquals(await verifyUserHash('s', 'u', h.slice(0, -1)), false);
  assertEquals(await verifyUserHash('', 'u', h), false);
});

Deno.test('constant-time comparison is exact', () => {
  assertEquals(constantTimeEqual('abc', 'abc'), true);
  assertEquals(constantTimeEqual('abc', 'abd'), false);
  assertEquals(constantTimeEqual('abc', 'ab'), false);
  assertEquals(constantTimeEqual('', ''), true);
  assertEquals(constantTimeEqual('', 'a'), false);
});
