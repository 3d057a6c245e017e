import { deepStrictEqual as assertEquals, ok, throws as assertThrows } from 'node:assert/strict';
import { ApiError } from '../_shared/http.ts';
import { forbidden, invitationRedirect, parseInvite } from './invite.ts';

const SITE = '123e4567-e89b-42d3-a456-426614174000';
const bad = (body: unknown, message: RegExp) =>
  assertThrows(() => parseInvite(body), (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'invalid_request' && message.test(e.message));

Deno.test('an invitation: website, e-mail (trimmed, lower-cased), role agent by default', () => {
  assertEquals(parseInvite({ website_id: SITE, email: '  Alex@Example.COM ' }), { websiteId: SITE, email: 'alex@example.com', role: 'agent' });
  assertEquals(parseInvite({ website_id: SITE, email: 'a@b.co', role: 'owner' }).role, 'owner');
  assertEquals(parseInvite({ website_id: SITE, email: 'a@b.co', role: null }), { websiteId: SITE, email: 'a@b.co', role: 'agent' });
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

Deno.test('password: never accepted, whatever its value (the person invited chooses their own)', () => {
  for (const password of ['long enough password', 12345678, '', null, ['x']]) {
    bad({ website_id: SITE, email: 'a@b.co', password }, /^password is not accepted: the person invited chooses their own password/);
  }
});

Deno.test('the invitation link leads to the configured backoffice, else to the caller\'s origin, without a fragment', () => {
  assertEquals(invitationRedirect(undefined, 'http://127.0.0.1:40123'), 'http://127.0.0.1:40123/');
  assertEquals(invitationRedirect('https://app.example.com/backoffice/', 'http://127.0.0.1:40123'), 'https://app.example.com/backoffice/');
  assertEquals(invitationRedirect('https://app.example.com/#/team', null), 'https://app.example.com/');
  assertEquals(invitationRedirect('not a url', 'null'), undefined);
  assertEquals(invitationRedirect(undefined, 'javascript:alert(1)'), undefined);
  assertEquals(invitationRedirect('', undefined as unknown as null), undefined);
});

Deno.test('refusals say the same thing whatever the reason', () => {
  const e = forbidden();
  ok(e.status === 403 && e.code === 'forbidden');
});
