import { deepStrictEqual as assertEquals, match, ok, throws as assertThrows } from 'node:assert/strict';
import { ApiError } from '../_shared/http.ts';
import { forbidden, generatePassword, parseInvite } from './invite.ts';

const SITE = '123e4567-e89b-42d3-a456-426614174000';
const bad = (body: unknown, message: RegExp) =>
  assertThrows(() => parseInvite(body), (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'invalid_request' && message.test(e.message));

Deno.test('an invitation: website, e-mail (trimmed, lower-cased), role agent by default', () => {
  assertEquals(parseInvite({ website_id: SITE, email: '  Alex@Example.COM ' }), { websiteId: SITE, email: 'alex@example.com', role: 'agent', password: undefined });
  assertEquals(parseInvite({ website_id: SITE, email: 'a@b.co', role: 'owner', password: 'long enough' }).role, 'owner');
  assertEquals(parseInvite({ website_id: SITE, email: 'a@b.co', role: null, password: '' }), { websiteId: SITE, email: 'a@b.co', role: 'agent', password: undefined });
});

Deno.test('the body is an object with known fields only', () => {
  for (const body of [null, [], 'x', 3]) assertThrows(() => parseInvite(body), ApiError);
  bad({ website_id: SITE, email: 'a@b.co', admin: true }, /^admin is not a field/);
});

Deno.test('website_id: required, a string UUID', () => {
  bad({ email: 'a@b.co' }, /^website_id is required/);
  bad({ website_id: 42, email: 'a@b.co' }, /^website_id must be a string UUID, not a number/);
  bad({ website_id: 'not-a-uuid', email: 'a@b.co' }, /^website_id must be a UUID/);
});

Deno.test('email: required, a string, an address, at most 254 characters', () => {
  bad({ website_id: SITE }, /^email is required/);
  bad({ website_id: SITE, email: ['a@b.co'] }, /^email must be a string/);
  bad({ website_id: SITE, email: '   ' }, /^email must not be empty/);
  for (const email of ['alex', 'alex@', '@example.com', 'alex@example', 'al ex@example.com', 'a@b@c.com', 'alex@.com']) {
    bad({ website_id: SITE, email }, /^email must be an e-mail address/);
  }
  bad({ website_id: SITE, email: `${'a'.repeat(250)}@b.co` }, /^email must be at most 254 characters/);
});

Deno.test('role: agent or owner', () => {
  bad({ website_id: SITE, email: 'a@b.co', role: 'admin' }, /^role must be one of agent, owner/);
  bad({ website_id: SITE, email: 'a@b.co', role: 1 }, /^role must be one of agent, owner/);
});

Deno.test('password: optional; 8 characters to 72 bytes, no surrounding spaces', () => {
  bad({ website_id: SITE, email: 'a@b.co', password: 12345678 }, /^password must be a string/);
  bad({ website_id: SITE, email: 'a@b.co', password: 'short' }, /^password must be at least 8 characters/);
  bad({ website_id: SITE, email: 'a@b.co', password: 'é'.repeat(37) }, /^password must be at most 72 bytes/);
  bad({ website_id: SITE, email: 'a@b.co', password: ' padded password ' }, /^password must not start or end with spaces/);
  assertEquals(parseInvite({ website_id: SITE, email: 'a@b.co', password: 'x'.repeat(72) }).password?.length, 72);
});

Deno.test('generated passwords: 4 groups of 5 unambiguous characters, different every time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const p = generatePassword();
    match(p, /^[a-km-np-zA-HJ-NP-Z2-9]{5}(-[a-km-np-zA-HJ-NP-Z2-9]{5}){3}$/);
    seen.add(p);
  }
  assertEquals(seen.size, 200);
});

Deno.test('refusals say the same thing whatever the reason', () => {
  const e = forbidden();
  ok(e.status === 403 && e.code === 'forbidden');
});
