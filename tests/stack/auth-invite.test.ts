// Invitations by e-mail on /auth/v1, as Supabase Auth does them (internal/api/invite.go,
// verify.go): auth.admin.inviteUserByEmail creates an unconfirmed user without a password and
// "sends" a link (the local stack has no mail server: the message lands in the stack's outbox,
// LocalInfo.mailDir); the link (GET /verify, open without an apikey) confirms the address and
// redirects with the session in the URL fragment; verifyOtp (POST /verify) does the same by code.
import { createHash, randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { readOutbox, type OutboxMail } from '../../scripts/stack/auth/outbox.ts';

const stack = inject('stack');
const db = new pg.Pool({ connectionString: stack.dbUrl, max: 3 });
afterAll(() => db.end());

const options = { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } };
const anonClient = (): SupabaseClient => createClient(stack.apiUrl, stack.anonKey, options);
const adminClient = (): SupabaseClient => createClient(stack.apiUrl, stack.serviceRoleKey, options);
const uniqueEmail = () => `invite-${randomUUID()}@example.test`;
/** Where the backoffice of a test stack lives: loopback on some port, allowed by config.toml. */
const WELCOME = 'http://127.0.0.1:45678/';

function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function onlyMail(to: string): OutboxMail {
  const mails = readOutbox(stack.mailDir, to);
  expect(mails, `messages to ${to}`).toHaveLength(1);
  return mails[0];
}

/** Invites `email` with supabase-js; `redirectTo` null sends none. */
async function invite(email = uniqueEmail(), redirectTo: string | null = WELCOME, data?: Record<string, unknown>) {
  const { data: out, error } = await adminClient().auth.admin.inviteUserByEmail(email, { redirectTo: redirectTo ?? undefined, data });
  expect(error).toBeNull();
  return { email, user: out.user! };
}

/** Opens an e-mailed link as a browser would (no apikey), without following the redirect. */
async function open(link: string): Promise<{ status: number; location: string; params: URLSearchParams }> {
  const res = await fetch(link, { redirect: 'manual' });
  await res.text();
  const location = res.headers.get('location') ?? '';
  return { status: res.status, location, params: new URLSearchParams(location.split('#')[1] ?? '') };
}

async function signInFails(email: string, password: string) {
  const { data, error } = await anonClient().auth.signInWithPassword({ email, password });
  expect(data.session).toBeNull();
  expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
}

describe('POST /invite (auth.admin.inviteUserByEmail)', () => {
  it('creates an invited, unconfirmed user without a password and writes the invitation to the outbox', async () => {
    const { email, user } = await invite(uniqueEmail().replace('invite-', 'Invite-'), WELCOME, { invited_to: 'Bike Shop' });
    expect(user).toMatchObject({
      email: email.toLowerCase(), aud: 'authenticated', role: 'authenticated', is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] }, user_metadata: { invited_to: 'Bike Shop' },
    });
    expect(user.invited_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(user.confirmation_sent_at).toBe(user.invited_at);
    expect(user.email_confirmed_at).toBeUndefined();
    expect(user.identities).toHaveLength(1);
    expect(user.identities![0]).toMatchObject({ provider: 'email', identity_data: { sub: user.id, email: email.toLowerCase(), email_verified: false } });

    const mail = onlyMail(email);
    expect(mail).toMatchObject({ type: 'invite', to: email.toLowerCase(), subject: "You've been invited", redirect_to: WELCOME });
    expect(mail.token).toMatch(/^\d{6}$/);
    expect(mail.token_hash).toBe(createHash('sha224').update(email.toLowerCase() + mail.token).digest('hex'));
    expect(mail.link).toBe(`${stack.apiUrl}/auth/v1/verify?token=${mail.token_hash}&type=invite&redirect_to=${WELCOME}`);
    expect(mail.html).toContain(`<a href="${mail.link.replaceAll('&', '&#38;')}">Accept invitation</a>`);

    const { rows: [row] } = await db.query('select encrypted_password, confirmation_token, email_confirmed_at from auth.users where id = $1', [user.id]);
    expect(row).toEqual({ encrypted_password: '', confirmation_token: mail.token_hash, email_confirmed_at: null });
    // Nobody can sign in as the invited address before they open the link, whatever password they try.
    await signInFails(email, 'any-password-1');
  });

  it('sends a new link to an address still waiting (the old one stops working) and refuses a confirmed account: 422 email_exists', async () => {
    const { email, user } = await invite();
    const first = onlyMail(email);
    const again = await adminClient().auth.admin.inviteUserByEmail(email.toUpperCase(), { redirectTo: WELCOME });
    expect(again.error).toBeNull();
    expect(again.data.user!.id).toBe(user.id);
    const mails = readOutbox(stack.mailDir, email);
    expect(mails).toHaveLength(2);
    expect(mails[1].token_hash).not.toBe(first.token_hash);
    expect((await open(first.link)).params.get('error_code')).toBe('otp_expired');
    expect((await open(mails[1].link)).params.get('access_token')).toBeTruthy();

    const refused = await adminClient().auth.admin.inviteUserByEmail(email);
    expect(refused.error).toMatchObject({ status: 422, code: 'email_exists', message: 'A user with this email address has already been registered' });
    const signedUp = uniqueEmail();
    expect((await anonClient().auth.signUp({ email: signedUp, password: 'correct-horse-1' })).error).toBeNull();
    expect((await adminClient().auth.admin.inviteUserByEmail(signedUp)).error).toMatchObject({ status: 422, code: 'email_exists' });
    expect(readOutbox(stack.mailDir, signedUp)).toEqual([]);
  });

  it('is for the service role only, and checks the address', async () => {
    const email = uniqueEmail();
    const asAnon = await anonClient().auth.admin.inviteUserByEmail(email);
    expect(asAnon.error).toMatchObject({ status: 403, code: 'not_admin' });
    const { data } = await anonClient().auth.signUp({ email: uniqueEmail(), password: 'correct-horse-1' });
    const asUser = await fetch(`${stack.apiUrl}/auth/v1/invite`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, authorization: `Bearer ${data.session!.access_token}`, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ email }),
    });
    expect(asUser.status).toBe(403);
    expect(await asUser.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });
    expect(readOutbox(stack.mailDir, email)).toEqual([]);
    const bad = await adminClient().auth.admin.inviteUserByEmail('not an address');
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Unable to validate email address: invalid format' });
  });

  it('sends people only where the allow-list says: another site becomes site_url', async () => {
    const { email } = await invite(uniqueEmail(), 'https://attacker.example/steal');
    expect(onlyMail(email).redirect_to).toBe('http://127.0.0.1:54323');
    const fallback = await open(onlyMail(email).link);
    expect(fallback.location.startsWith('http://127.0.0.1:54323#access_token=')).toBe(true);

    const { email: other } = await invite(uniqueEmail(), null);
    expect(onlyMail(other).redirect_to).toBe('http://127.0.0.1:54323');
    // A redirect_to with its own query (and characters the mailer must escape) survives the trip.
    const { email: third } = await invite(uniqueEmail(), 'http://127.0.0.1:45678/?from=invite&x=1');
    const mail = onlyMail(third);
    expect(mail.link).toContain('&redirect_to=http%3A%2F%2F127.0.0.1%3A45678%2F%3Ffrom%3Dinvite%26x%3D1');
    expect((await open(mail.link)).location.startsWith('http://127.0.0.1:45678/?from=invite&x=1#access_token=')).toBe(true);
  });
});

describe('GET /verify (the link in the invitation)', () => {
  it('confirms the address and redirects with the session in the fragment, as the implicit flow does', async () => {
    const { email, user } = await invite();
    const mail = onlyMail(email);
    const { status, location, params } = await open(mail.link);
    expect(status).toBe(303);
    expect(location.startsWith(`${WELCOME}#`)).toBe(true);
    expect([...params.keys()]).toEqual(['access_token', 'expires_at', 'expires_in', 'refresh_token', 'sb', 'token_type', 'type']);
    expect(params.get('token_type')).toBe('bearer');
    expect(params.get('type')).toBe('invite');
    expect(params.get('expires_in')).toBe('3600');
    expect(params.get('refresh_token')).toMatch(/^[a-z2-7]{12}$/);
    const claims = claimsOf(params.get('access_token')!);
    expect(claims).toMatchObject({ sub: user.id, email, role: 'authenticated', aal: 'aal1', is_anonymous: false });
    expect(claims.amr).toEqual([{ method: 'otp', timestamp: expect.any(Number) }]);
    expect(Number(params.get('expires_at'))).toBe(claims.exp);

    // The session is a real one: the user reads themselves with it, confirmed now.
    const client = anonClient();
    const { data: got } = await client.auth.setSession({ access_token: params.get('access_token')!, refresh_token: params.get('refresh_token')! });
    expect(got.user).toMatchObject({ id: user.id, user_metadata: { email_verified: true } });
    expect(got.user!.email_confirmed_at).toBeTruthy();
    expect(got.user!.identities![0].identity_data).toMatchObject({ email_verified: true });

    // Until they choose a password, no password signs them in; then theirs does.
    await signInFails(email, 'any-password-1');
    expect((await client.auth.updateUser({ password: 'chosen-by-them-1' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'chosen-by-them-1' })).error).toBeNull();

    // A link works once.
    const reused = await open(mail.link);
    expect(reused.status).toBe(303);
    expect(reused.location).toBe(`${WELCOME}#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=`);
  });

  it('refuses a link older than [auth.email] otp_expiry, and a forged or mistyped one', async () => {
    const { email, user } = await invite();
    await db.query(`update auth.users set confirmation_sent_at = now() - interval '2 hours' where id = $1`, [user.id]);
    expect((await open(onlyMail(email).link)).params.get('error_code')).toBe('otp_expired');
    await db.query(`update auth.users set confirmation_sent_at = now() where id = $1`, [user.id]);

    const forged = await open(`${stack.apiUrl}/auth/v1/verify?token=${'0'.repeat(56)}&type=invite&redirect_to=${WELCOME}`);
    expect(Object.fromEntries(forged.params)).toEqual({ error: 'access_denied', error_code: 'otp_expired', error_description: 'Email link is invalid or has expired', sb: '' });
    const wrongType = await open(onlyMail(email).link.replace('type=invite', 'type=recovery'));
    expect(wrongType.params.get('error_code')).toBe('otp_expired');
    const unknownType = await open(onlyMail(email).link.replace('type=invite', 'type=bogus'));
    expect(Object.fromEntries(unknownType.params)).toEqual({ error: 'invalid_request', error_code: 'validation_failed', error_description: 'Invalid email verification type', sb: '' });
    // The genuine link still works after all that.
    expect((await open(onlyMail(email).link)).params.get('type')).toBe('invite');
  });

  it('sends an error to the allowed redirect only, and answers a link missing its type or token with JSON', async () => {
    const evil = await open(`${stack.apiUrl}/auth/v1/verify?token=nope&type=invite&redirect_to=${encodeURIComponent('https://attacker.example/')}`);
    expect(evil.location.startsWith('http://127.0.0.1:54323#error=access_denied')).toBe(true);
    for (const [query, message] of [['token=abc', 'Verify requires a verification type'], ['type=invite', 'Verify requires a token or a token hash']]) {
      const res = await fetch(`${stack.apiUrl}/auth/v1/verify?${query}`, { headers: { 'x-supabase-api-version': '2024-01-01' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ code: 'validation_failed', message });
    }
    // Only /verify is open: the rest of /auth/v1 still wants the apikey.
    expect((await fetch(`${stack.apiUrl}/auth/v1/settings`)).status).toBe(401);
  });
});

describe('POST /verify (verifyOtp)', () => {
  it('signs the invited user in with the code and their address, or with the token hash', async () => {
    const { email, user } = await invite();
    const code = onlyMail(email).token;
    const wrong = await anonClient().auth.verifyOtp({ email, token: code === '000000' ? '111111' : '000000', type: 'invite' });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Token has expired or is invalid' });
    const { data, error } = await anonClient().auth.verifyOtp({ email: email.toUpperCase(), token: code, type: 'invite' });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: user.id });
    expect(data.session!.refresh_token).toMatch(/^[a-z2-7]{12}$/);
    expect(claimsOf(data.session!.access_token).amr[0].method).toBe('otp');

    const { email: second, user: secondUser } = await invite();
    const byHash = await anonClient().auth.verifyOtp({ token_hash: onlyMail(second).token_hash, type: 'invite' });
    expect(byHash.error).toBeNull();
    expect(byHash.data.user!.id).toBe(secondUser.id);
    const again = await anonClient().auth.verifyOtp({ token_hash: onlyMail(second).token_hash, type: 'invite' });
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Email link is invalid or has expired' });
  });

  it('answers malformed requests as GoTrue does', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${stack.apiUrl}/auth/v1/verify`, {
        method: 'POST', headers: { apikey: stack.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    expect(await post({ token: '123456', email: 'a@b.co' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Verify requires a verification type' } });
    expect(await post({ type: 'invite' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Verify requires either a token or a token hash' } });
    expect(await post({ type: 'invite', token: '1', token_hash: 'x' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Verify requires either a token or a token hash' } });
    expect(await post({ type: 'invite', token: '123456' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Only an email address or phone number should be provided on verify' } });
    expect(await post({ type: 'invite', token: '123456', email: 'nope' })).toEqual({ status: 422, body: { code: 'validation_failed', message: 'Invalid email format' } });
    expect(await post({ type: 'invite', token_hash: 'x', email: 'a@b.co' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Only the token_hash and type should be provided' } });
    expect(await post({ type: 'sms', token_hash: 'x' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Invalid email verification type' } });
    expect((await post({ type: 'invite', token_hash: ['x'] })).status).toBe(400);
  });
});
