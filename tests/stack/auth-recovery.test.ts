// Password recovery on /auth/v1, as Supabase Auth does it (internal/api/recover.go, verify.go):
// supabase-js auth.resetPasswordForEmail answers 200 {} whether or not the address has an account,
// and "sends" a one-time link (to the stack's outbox, LocalInfo.mailDir) for an address that has
// one; the link (GET /verify?type=recovery) signs the person in, and updateUser({password}) sets
// the new password. One message per address per [auth.email] max_frequency (60 s unless set).
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
const uniqueEmail = () => `recover-${randomUUID()}@example.test`;
/** Where the backoffice of a test stack lives: loopback on some port, allowed by config.toml. */
const WELCOME = 'http://127.0.0.1:45678/';
const OLD_PASSWORD = 'old-password-1';

async function createOwner(email = uniqueEmail()): Promise<{ email: string; id: string }> {
  const { data, error } = await adminClient().auth.admin.createUser({ email, password: OLD_PASSWORD, email_confirm: true });
  expect(error).toBeNull();
  return { email, id: data.user!.id };
}

async function requestReset(email: string, redirectTo: string | undefined = WELCOME) {
  return anonClient().auth.resetPasswordForEmail(email, { redirectTo });
}

function onlyMail(to: string): OutboxMail {
  const mails = readOutbox(stack.mailDir, to);
  expect(mails, `messages to ${to}`).toHaveLength(1);
  return mails[0];
}

/** Opens an e-mailed link as a browser would (no apikey), without following the redirect. */
async function open(link: string): Promise<{ status: number; location: string; params: URLSearchParams }> {
  const res = await fetch(link, { redirect: 'manual' });
  await res.text();
  const location = res.headers.get('location') ?? '';
  return { status: res.status, location, params: new URLSearchParams(location.split('#')[1] ?? '') };
}

async function signIn(email: string, password: string) {
  return anonClient().auth.signInWithPassword({ email, password });
}

async function postRecover(body: unknown) {
  const res = await fetch(`${stack.apiUrl}/auth/v1/recover`, {
    method: 'POST', headers: { apikey: stack.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('POST /recover (auth.resetPasswordForEmail)', () => {
  it('sends a one-time link; the link signs in; updateUser sets the new password and the old one stops working', async () => {
    const { email, id } = await createOwner();
    const { data, error } = await requestReset(email);
    expect(error).toBeNull();
    expect(data).toEqual({});

    const mail = onlyMail(email);
    expect(mail).toMatchObject({ type: 'recovery', to: email, subject: 'Reset Your Password', redirect_to: WELCOME });
    expect(mail.token).toMatch(/^\d{6}$/);
    expect(mail.token_hash).toBe(createHash('sha224').update(email + mail.token).digest('hex'));
    expect(mail.link).toBe(`${stack.apiUrl}/auth/v1/verify?token=${mail.token_hash}&type=recovery&redirect_to=${WELCOME}`);
    expect(mail.html).toContain(`<a href="${mail.link.replaceAll('&', '&#38;')}">Reset Password</a>`);
    const { rows: [stored] } = await db.query('select recovery_token, recovery_sent_at is not null as sent from auth.users where id = $1', [id]);
    expect(stored).toEqual({ recovery_token: mail.token_hash, sent: true });

    const opened = await open(mail.link);
    expect(opened.status).toBe(303);
    expect(opened.location.startsWith(`${WELCOME}#access_token=`)).toBe(true);
    expect(opened.params.get('type')).toBe('recovery');
    expect(opened.params.get('token_type')).toBe('bearer');

    // What the backoffice does with the fragment: a session for this user, then a new password.
    const client = anonClient();
    const { data: session, error: sessionError } = await client.auth.setSession({
      access_token: opened.params.get('access_token')!, refresh_token: opened.params.get('refresh_token')!,
    });
    expect(sessionError).toBeNull();
    expect(session.user?.id).toBe(id);
    const { error: updateError } = await client.auth.updateUser({ password: 'brand-new-password-2' });
    expect(updateError).toBeNull();

    const fresh = await signIn(email, 'brand-new-password-2');
    expect(fresh.error).toBeNull();
    expect(fresh.data.user?.id).toBe(id);
    const old = await signIn(email, OLD_PASSWORD);
    expect(old.data.session).toBeNull();
    expect(old.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('answers an address without an account the same 200 {}, and sends nothing', async () => {
    const email = uniqueEmail();
    const { data, error } = await requestReset(email);
    expect(error).toBeNull();
    expect(data).toEqual({});
    expect(readOutbox(stack.mailDir, email)).toEqual([]);
    expect(await postRecover({ email: uniqueEmail() })).toEqual({ status: 200, body: {} });
  });

  it('sends one message per address per interval, with or without an account (429 over_email_send_rate_limit)', async () => {
    const { email } = await createOwner();
    expect((await requestReset(email)).error).toBeNull();
    const again = await requestReset(email);
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    expect(again.error!.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
    expect(readOutbox(stack.mailDir, email)).toHaveLength(1);
    // The address without an account is answered exactly the same, so the 429 tells nothing either.
    const nobody = uniqueEmail();
    expect((await requestReset(nobody)).error).toBeNull();
    expect((await requestReset(nobody)).error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    // Another address is not held up by them.
    expect((await requestReset(uniqueEmail())).error).toBeNull();
  });

  it('checks its input as GoTrue does', async () => {
    expect(await postRecover({})).toEqual({ status: 422, body: { code: 'validation_failed', message: 'Password recovery requires an email' } });
    expect(await postRecover({ email: 'not-an-address' })).toEqual({ status: 400, body: { code: 'validation_failed', message: 'Unable to validate email address: invalid format' } });
    expect((await postRecover({ email: 42 })).status).toBe(400);
    const pkce = await postRecover({ email: uniqueEmail(), code_challenge: 'x'.repeat(43), code_challenge_method: 's256' });
    expect(pkce.status).toBe(400);
    expect(pkce.body.code).toBe('validation_failed');
    const res = await fetch(`${stack.apiUrl}/auth/v1/recover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('sends people only where the allow-list says: another site becomes site_url', async () => {
    const { email } = await createOwner();
    expect((await requestReset(email, 'https://attacker.example/steal')).error).toBeNull();
    const mail = onlyMail(email);
    expect(mail.redirect_to).toBe('http://127.0.0.1:54323');
    expect((await open(mail.link)).location.startsWith('http://127.0.0.1:54323#access_token=')).toBe(true);
  });
});

describe('GET /verify?type=recovery (the link in the message)', () => {
  it('works once: a second use redirects with GoTrue\'s otp_expired error', async () => {
    const { email } = await createOwner();
    await requestReset(email);
    const { link } = onlyMail(email);
    expect((await open(link)).params.get('type')).toBe('recovery');
    const reused = await open(link);
    expect(reused.status).toBe(303);
    expect(reused.location).toBe(`${WELCOME}#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=`);
    // The password was not changed by opening the link.
    expect((await signIn(email, OLD_PASSWORD)).error).toBeNull();
  });

  it('refuses a link older than [auth.email] otp_expiry, and an invitation\'s type on a recovery token', async () => {
    const { email, id } = await createOwner();
    await requestReset(email);
    const { link } = onlyMail(email);
    expect((await open(link.replace('type=recovery', 'type=invite'))).params.get('error_code')).toBe('otp_expired');
    await db.query(`update auth.users set recovery_sent_at = now() - interval '2 hours' where id = $1`, [id]);
    expect(Object.fromEntries((await open(link)).params)).toEqual({
      error: 'access_denied', error_code: 'otp_expired', error_description: 'Email link is invalid or has expired', sb: '',
    });
    await db.query(`update auth.users set recovery_sent_at = now() where id = $1`, [id]);
    expect((await open(link)).params.get('type')).toBe('recovery');
  });

  it('confirms an address not confirmed yet, as the link proves it', async () => {
    const email = uniqueEmail();
    const { data, error } = await adminClient().auth.admin.createUser({ email, password: OLD_PASSWORD });
    expect(error).toBeNull();
    await requestReset(email);
    expect((await open(onlyMail(email).link)).params.get('type')).toBe('recovery');
    const { rows: [row] } = await db.query('select email_confirmed_at is not null as confirmed, recovery_token from auth.users where id = $1', [data.user!.id]);
    expect(row).toEqual({ confirmed: true, recovery_token: '' });
  });
});

describe('POST /verify {type: recovery} (verifyOtp)', () => {
  it('signs in with the code and the address, once', async () => {
    const { email, id } = await createOwner();
    await requestReset(email);
    const { token } = onlyMail(email);
    const client = anonClient();
    const { data, error } = await client.auth.verifyOtp({ email, token, type: 'recovery' });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(id);
    const again = await anonClient().auth.verifyOtp({ email, token, type: 'recovery' });
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired' });
  });
});
