// Conformance of /auth/v1 with Supabase Auth (GoTrue), driven by the unmodified supabase-js
// client for every call Emily makes, plus raw HTTP for the bad input a client library never sends.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { ROOT_DIR } from '../../scripts/stack/config.ts';
import { asRole, createPool } from '../../scripts/stack/db.ts';
import { signJwt, verifyJwt } from '../../scripts/stack/jwt.ts';
import type { AuthService } from '../../scripts/stack/auth/index.ts';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { startTestStack } from '../support/stack.ts';

const stack = inject('stack');
const db = new pg.Pool({ connectionString: stack.dbUrl, max: 3 });
afterAll(() => db.end());

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } };
/** A new client each time: auth-js remembers a failed refresh for a while, and sessions are per client. */
const anonClient = (apiUrl = stack.apiUrl, key = stack.anonKey): SupabaseClient => createClient(apiUrl, key, clientOptions);
const adminClient = (): SupabaseClient => createClient(stack.apiUrl, stack.serviceRoleKey, clientOptions);
const uniqueEmail = () => `auth-${randomUUID()}@example.test`;
const PASSWORD = 'correct-horse-1';

function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Raw call to /auth/v1 with the anon key, as auth-js would send it unless told otherwise. */
function raw(path: string, init: RequestInit & { version?: string | null; bearer?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { apikey: stack.anonKey, 'content-type': 'application/json' };
  if (init.version !== null) headers['x-supabase-api-version'] = init.version ?? '2024-01-01';
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  return fetch(`${stack.apiUrl}/auth/v1${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
}

async function signUp(email = uniqueEmail(), password = PASSWORD, data: Record<string, unknown> = {}) {
  const { data: out, error } = await anonClient().auth.signUp({ email, password, options: { data } });
  expect(error).toBeNull();
  return { email, session: out.session!, user: out.user! };
}

async function tokensOfSession(sessionId: string) {
  const { rows } = await db.query(
    'select token, revoked, parent from auth.refresh_tokens where session_id = $1 order by id', [sessionId],
  );
  return rows as Array<{ token: string; revoked: boolean; parent: string | null }>;
}

describe('anonymous sign-in (POST /signup without email)', () => {
  it('returns a session for a new anonymous user, with data as user_metadata', async () => {
    const { data, error } = await anonClient().auth.signInAnonymously({ options: { data: { locale: 'fr' } } });
    expect(error).toBeNull();
    const { session, user } = data;
    expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(session!.refresh_token).toMatch(/^[a-z2-7]{12}$/);
    expect(session!.expires_at).toBe(claimsOf(session!.access_token).exp);
    expect(user).toMatchObject({
      aud: 'authenticated', role: 'authenticated', email: '', phone: '', is_anonymous: true,
      app_metadata: {}, user_metadata: { locale: 'fr' }, identities: [],
    });
    expect(user!.last_sign_in_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const { rows: [row] } = await db.query('select is_anonymous, email, encrypted_password, instance_id from auth.users where id = $1', [user!.id]);
    expect(row).toEqual({ is_anonymous: true, email: null, encrypted_password: '', instance_id: '00000000-0000-0000-0000-000000000000' });
    const claims = claimsOf(session!.access_token);
    expect(claims).toMatchObject({ sub: user!.id, is_anonymous: true, role: 'authenticated', aal: 'aal1' });
    expect(claims.amr).toEqual([{ method: 'anonymous', timestamp: expect.any(Number) }]);
    expect(await tokensOfSession(claims.session_id)).toEqual([{ token: session!.refresh_token, revoked: false, parent: null }]);
  });
});

describe('e-mail sign-up (POST /signup)', () => {
  it('creates a confirmed user with an e-mail identity and a bcrypt hash (no mail server: auto-confirmed)', async () => {
    const email = uniqueEmail().replace('auth-', 'Auth-');
    const { session, user } = await signUp(email, PASSWORD, { name: 'Ada' });
    expect(session.access_token).toBeTruthy();
    expect(user).toMatchObject({
      email: email.toLowerCase(), is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { name: 'Ada', email_verified: true },
    });
    expect(user.email_confirmed_at).toBeTruthy();
    expect(user.confirmed_at).toBe(user.email_confirmed_at);
    expect(user.identities).toHaveLength(1);
    expect(user.identities![0]).toMatchObject({
      id: user.id, user_id: user.id, provider: 'email', email: email.toLowerCase(),
      identity_data: { sub: user.id, email: email.toLowerCase(), email_verified: false, phone_verified: false, name: 'Ada' },
    });
    const { rows: [row] } = await db.query('select encrypted_password, last_sign_in_at from auth.users where id = $1', [user.id]);
    expect(row.encrypted_password).toMatch(/^\$2[ab]\$10\$/);
    expect(await bcrypt.compare(PASSWORD, row.encrypted_password)).toBe(true);
    expect(row.last_sign_in_at).not.toBeNull();
    expect(claimsOf(session.access_token).amr[0].method).toBe('password');
  });

  it('confirms at once locally although config.toml keeps e-mail confirmations on for the hosted project', async () => {
    const toml = parseToml(readFileSync(join(ROOT_DIR, 'supabase', 'config.toml'), 'utf8')) as { auth: { email: Record<string, unknown> } };
    // `supabase config push` must never switch confirmations off in production.
    expect(toml.auth.email.enable_confirmations).toBe(true);
    const { session, user } = await signUp();
    expect(session.access_token).toBeTruthy();
    expect(user.email_confirmed_at).toBeTruthy();
    expect((await (await raw('/settings')).json()).mailer_autoconfirm).toBe(true);
  });

  it('refuses an address already registered: 422 user_already_exists', async () => {
    const { email } = await signUp();
    const { data, error } = await anonClient().auth.signUp({ email: email.toUpperCase(), password: PASSWORD });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ name: 'AuthApiError', status: 422, code: 'user_already_exists', message: 'User already registered' });
  });

  it('refuses a short password: 422 weak_password with reasons', async () => {
    const { error } = await anonClient().auth.signUp({ email: uniqueEmail(), password: '12345' });
    expect(error).toMatchObject({
      name: 'AuthWeakPasswordError', status: 422, code: 'weak_password',
      message: 'Password should be at least 6 characters.', reasons: ['length'],
    });
  });

  it('refuses a password longer than bcrypt can hash, a bad address and a missing password: 400 validation_failed', async () => {
    const long = await anonClient().auth.signUp({ email: uniqueEmail(), password: 'x'.repeat(73) });
    expect(long.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Password cannot be longer than 72 characters' });
    const bad = await anonClient().auth.signUp({ email: 'not-an-address', password: PASSWORD });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Unable to validate email address: invalid format' });
    const none = await anonClient().auth.signUp({ email: uniqueEmail(), password: '' });
    expect(none.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Signup requires a valid password' });
  });
});

describe('password sign-in (POST /token?grant_type=password)', () => {
  it('signs in, opens a new session and updates last_sign_in_at', async () => {
    const { email, user, session: first } = await signUp();
    const before = (await db.query('select last_sign_in_at from auth.users where id = $1', [user.id])).rows[0].last_sign_in_at;
    const { data, error } = await anonClient().auth.signInWithPassword({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user!.id).toBe(user.id);
    expect(data.session!.refresh_token).not.toBe(first.refresh_token);
    expect(claimsOf(data.session!.access_token).session_id).not.toBe(claimsOf(first.access_token).session_id);
    const after = (await db.query('select last_sign_in_at from auth.users where id = $1', [user.id])).rows[0].last_sign_in_at;
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    expect(data.user!.last_sign_in_at).toBeTruthy();
  });

  it('answers a wrong password and an unknown address alike: 400 invalid_credentials', async () => {
    const { email } = await signUp();
    for (const creds of [{ email, password: 'wrong-password' }, { email: uniqueEmail(), password: PASSWORD }]) {
      const { data, error } = await anonClient().auth.signInWithPassword(creds);
      expect(data.session).toBeNull();
      expect(error).toMatchObject({ name: 'AuthApiError', status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    }
  });

  it('does not let bcrypt\'s 72-byte cut-off accept a longer password', async () => {
    const password = 'p'.repeat(72);
    const { email } = await signUp(uniqueEmail(), password);
    const { error } = await anonClient().auth.signInWithPassword({ email, password: password + '-and-more' });
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('refuses an address that is not confirmed yet: 400 email_not_confirmed', async () => {
    const unconfirmed = uniqueEmail();
    const created = await adminClient().auth.admin.createUser({ email: unconfirmed, password: PASSWORD });
    expect(created.error).toBeNull();
    const { error } = await anonClient().auth.signInWithPassword({ email: unconfirmed, password: PASSWORD });
    expect(error).toMatchObject({ status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' });
  });
});

describe('refresh tokens (POST /token?grant_type=refresh_token)', () => {
  it('rotates: the used token is revoked and its child (parent = used token) is issued', async () => {
    const { session } = await signUp();
    const sessionId = claimsOf(session.access_token).session_id;
    const { data, error } = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(error).toBeNull();
    const next = data.session!;
    expect(next.refresh_token).not.toBe(session.refresh_token);
    expect(claimsOf(next.access_token)).toMatchObject({ session_id: sessionId, sub: session.user.id });
    // A refresh keeps the session's original sign-in method.
    expect(claimsOf(next.access_token).amr.map((a: { method: string }) => a.method)).toEqual(['password']);
    expect(await tokensOfSession(sessionId)).toEqual([
      { token: session.refresh_token, revoked: true, parent: null },
      { token: next.refresh_token, revoked: false, parent: session.refresh_token },
    ]);
    const { rows: [s] } = await db.query('select refreshed_at from auth.sessions where id = $1', [sessionId]);
    expect(s.refreshed_at).not.toBeNull();
  });

  it('gives a client that lost the answer the active token again when it retries with the parent', async () => {
    const { session } = await signUp();
    const first = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    const retry = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(retry.error).toBeNull();
    expect(retry.data.session!.refresh_token).toBe(first.data.session!.refresh_token);
    expect(await tokensOfSession(claimsOf(session.access_token).session_id)).toHaveLength(2);
  });

  it('serialises concurrent refreshes of one token: both succeed with the same new token', async () => {
    const { session } = await signUp();
    const send = () => raw('/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: session.refresh_token }) });
    const answers = await Promise.all([send(), send(), send()]);
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(bodies.map((b) => b.refresh_token)).size).toBe(1);
    const tokens = await tokensOfSession(claimsOf(session.access_token).session_id);
    expect(tokens.filter((t) => !t.revoked)).toHaveLength(1);
  });

  it('refuses a used token once outside refresh_token_reuse_interval and revokes the whole family', async () => {
    const { session } = await signUp();
    const sessionId = claimsOf(session.access_token).session_id;
    const a = session.refresh_token;
    const b = (await anonClient().auth.refreshSession({ refresh_token: a })).data.session!.refresh_token;
    const c = (await anonClient().auth.refreshSession({ refresh_token: b })).data.session!.refresh_token;
    // Instead of sleeping past the 10 s reuse interval, age the used tokens: the interval counts
    // from a token's updated_at, which is when it was revoked.
    await db.query(`update auth.refresh_tokens set updated_at = now() - interval '1 hour' where token = any($1)`, [[a, b]]);

    const reuse = await anonClient().auth.refreshSession({ refresh_token: a });
    expect(reuse.data.session).toBeNull();
    expect(reuse.error).toMatchObject({
      name: 'AuthApiError', status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used',
    });
    // The family died with it: even the newest token (c) is revoked now.
    expect((await tokensOfSession(sessionId)).every((t) => t.revoked)).toBe(true);
    await db.query(`update auth.refresh_tokens set updated_at = now() - interval '1 hour' where token = $1`, [c]);
    const stolen = await anonClient().auth.refreshSession({ refresh_token: c });
    expect(stolen.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
  });

  it('accepts a revoked token again within the reuse interval, as GoTrue does', async () => {
    const { session } = await signUp();
    const a = session.refresh_token;
    const b = (await anonClient().auth.refreshSession({ refresh_token: a })).data.session!.refresh_token;
    await anonClient().auth.refreshSession({ refresh_token: b });
    // a is not the parent of the active token any more, but was used less than 10 s ago.
    const again = await anonClient().auth.refreshSession({ refresh_token: a });
    expect(again.error).toBeNull();
    expect(again.data.session!.refresh_token).not.toBe(b);
  });

  it('answers unknown, empty and ill-typed refresh tokens as GoTrue does', async () => {
    for (const token of ['abcdefghijkl', 'short', 'x'.repeat(40)]) {
      const { error } = await anonClient().auth.refreshSession({ refresh_token: token });
      expect(error).toMatchObject({ status: 400, code: 'refresh_token_not_found', message: 'Invalid Refresh Token: Refresh Token Not Found' });
    }
    const empty = await raw('/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: '' }) });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
    const typed = await raw('/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: 42 }) });
    expect(typed.status).toBe(400);
    expect((await typed.json()).code).toBe('bad_json');
  });

  it('answers an unsupported grant type with GoTrue\'s 400 invalid_credentials "unsupported_grant_type"', async () => {
    for (const grant of ['pkce-nope', '']) {
      const res = await raw(`/token?grant_type=${grant}`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'unsupported_grant_type' });
    }
  });
});

describe('the signed-in user (GET/PUT /user)', () => {
  it('returns the user at top level for its access token', async () => {
    const { session, user } = await signUp();
    const { data, error } = await anonClient().auth.getUser(session.access_token);
    expect(error).toBeNull();
    expect(data.user).toEqual(expect.objectContaining({ id: user.id, email: user.email, identities: user.identities }));
    const res = await raw('/user', { bearer: session.access_token });
    expect(Object.keys(await res.json())).toEqual([
      'id', 'aud', 'role', 'email', 'email_confirmed_at', 'phone', 'confirmed_at', 'last_sign_in_at', 'app_metadata',
      'user_metadata', 'identities', 'created_at', 'updated_at', 'is_anonymous',
    ]);
  });

  it('ends the client\'s session when the token\'s session is gone: 403 session_not_found', async () => {
    const { email } = await signUp();
    const client = anonClient();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    await db.query('delete from auth.sessions where id = $1', [claimsOf(data.session!.access_token).session_id]);
    const res = await raw('/user', { bearer: data.session!.access_token });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' });
    const { error } = await client.auth.getUser();
    expect(error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await client.auth.getSession()).data.session).toBeNull();
  });

  it('updates user_metadata: keys merge and null removes one', async () => {
    const { email } = await signUp(uniqueEmail(), PASSWORD, { name: 'Ada', team: 'red' });
    const client = anonClient();
    await client.auth.signInWithPassword({ email, password: PASSWORD });
    const { data, error } = await client.auth.updateUser({ data: { team: null, plan: 'pro' } });
    expect(error).toBeNull();
    expect(data.user!.user_metadata).toEqual({ name: 'Ada', plan: 'pro', email_verified: true });
    const { rows: [row] } = await db.query('select raw_user_meta_data from auth.users where id = $1', [data.user!.id]);
    expect(row.raw_user_meta_data).toEqual({ name: 'Ada', plan: 'pro', email_verified: true });
  });

  it('changes the password and signs out the user\'s other sessions, keeping this one', async () => {
    const { email, session: other } = await signUp();
    const client = anonClient();
    const { data: signedIn } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const same = await client.auth.updateUser({ password: PASSWORD });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
    const weak = await client.auth.updateUser({ password: 'abc' });
    expect(weak.error).toMatchObject({ name: 'AuthWeakPasswordError', code: 'weak_password', reasons: ['length'] });
    expect((await client.auth.updateUser({ password: 'a-new-password' })).error).toBeNull();

    expect((await anonClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toMatchObject({ code: 'invalid_credentials' });
    expect((await anonClient().auth.signInWithPassword({ email, password: 'a-new-password' })).error).toBeNull();
    expect((await anonClient().auth.getUser(other.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await anonClient().auth.getUser(signedIn.session!.access_token)).error).toBeNull();
  });

  it('turns an anonymous user into an e-mail user (confirmed at once locally)', async () => {
    const client = anonClient();
    const { data: anon } = await client.auth.signInAnonymously();
    const noEmail = await client.auth.updateUser({ password: PASSWORD });
    expect(noEmail.error).toMatchObject({ status: 422, code: 'validation_failed' });
    const email = uniqueEmail();
    const { data, error } = await client.auth.updateUser({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: anon.user!.id, email, is_anonymous: false });
    expect(data.user!.identities!.map((i) => i.provider)).toEqual(['email']);
    expect((await anonClient().auth.signInWithPassword({ email, password: PASSWORD })).data.user!.id).toBe(anon.user!.id);
  });

  it('refuses app_metadata from the user (403 not_admin) and an address another user has (422 email_exists)', async () => {
    const { email: taken } = await signUp();
    const { email } = await signUp();
    const client = anonClient();
    await client.auth.signInWithPassword({ email, password: PASSWORD });
    const res = await raw('/user', {
      method: 'PUT', bearer: (await client.auth.getSession()).data.session!.access_token,
      body: JSON.stringify({ app_metadata: { role: 'admin' } }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'not_admin', message: 'Updating app_metadata requires admin privileges' });
    const { error } = await client.auth.updateUser({ email: taken });
    expect(error).toMatchObject({ status: 422, code: 'email_exists' });
  });
});

describe('sign-out (POST /logout)', () => {
  async function threeSessions() {
    const { email } = await signUp();
    const clients = [anonClient(), anonClient(), anonClient()];
    const sessions = [];
    for (const c of clients) sessions.push((await c.auth.signInWithPassword({ email, password: PASSWORD })).data.session!);
    return { clients, sessions, userId: sessions[0].user.id };
  }
  const alive = async (token: string) => !(await anonClient().auth.getUser(token)).error;

  it('scope local ends only this session, and its refresh tokens with it', async () => {
    const { clients, sessions } = await threeSessions();
    const sessionId = claimsOf(sessions[0].access_token).session_id;
    expect((await clients[0].auth.signOut({ scope: 'local' })).error).toBeNull();
    expect(await alive(sessions[0].access_token)).toBe(false);
    expect(await alive(sessions[1].access_token)).toBe(true);
    expect(await tokensOfSession(sessionId)).toEqual([]);
    const { error } = await anonClient().auth.refreshSession({ refresh_token: sessions[0].refresh_token });
    expect(error).toMatchObject({ code: 'refresh_token_not_found' });
  });

  it('scope others keeps only this session; scope global (the default) ends them all', async () => {
    const { clients, sessions, userId } = await threeSessions();
    expect((await clients[1].auth.signOut({ scope: 'others' })).error).toBeNull();
    expect(await Promise.all(sessions.map((s) => alive(s.access_token)))).toEqual([false, true, false]);
    expect((await clients[1].auth.signOut()).error).toBeNull();
    expect(await alive(sessions[1].access_token)).toBe(false);
    expect((await db.query('select count(*)::int as n from auth.sessions where user_id = $1', [userId])).rows[0].n).toBe(0);
  });

  it('answers 204 with no body, and 400 for an unknown scope', async () => {
    const { session } = await signUp();
    const bad = await raw('/logout?scope=everywhere', { method: 'POST', bearer: session.access_token });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: 'validation_failed', message: 'Unsupported logout scope "everywhere"' });
    const ok = await raw('/logout?scope=local', { method: 'POST', bearer: session.access_token });
    expect(ok.status).toBe(204);
    expect(await ok.text()).toBe('');
  });
});

describe('admin API (service_role)', () => {
  it('creates a confirmed user with metadata who can then sign in', async () => {
    const email = uniqueEmail();
    const { data, error } = await adminClient().auth.admin.createUser({
      email, password: PASSWORD, email_confirm: true, user_metadata: { name: 'Agent' }, app_metadata: { plan: 'team' },
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      email, app_metadata: { provider: 'email', providers: ['email'], plan: 'team' },
      user_metadata: { name: 'Agent', email_verified: true },
    });
    expect(data.user!.email_confirmed_at).toBeTruthy();
    const signIn = await anonClient().auth.signInWithPassword({ email, password: PASSWORD });
    expect(signIn.error).toBeNull();
    expect(claimsOf(signIn.data.session!.access_token).app_metadata).toEqual({ provider: 'email', providers: ['email'], plan: 'team' });
    const dup = await adminClient().auth.admin.createUser({ email, password: PASSWORD });
    expect(dup.error).toMatchObject({ status: 422, code: 'email_exists' });
    const none = await adminClient().auth.admin.createUser({ password: PASSWORD });
    expect(none.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('lists users with the pagination headers auth-js reads', async () => {
    for (let i = 0; i < 3; i++) await signUp();
    const listed = await adminClient().auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(listed.error).toBeNull();
    if (listed.error) return;
    const { data } = listed;
    expect(data.users).toHaveLength(2);
    expect(data.aud).toBe('authenticated');
    expect(data.total).toBeGreaterThanOrEqual(3);
    expect(data.nextPage).toBe(2);
    const res = await fetch(`${stack.apiUrl}/auth/v1/admin/users?page=1&per_page=2`, {
      headers: { apikey: stack.serviceRoleKey, authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    const total = Number(res.headers.get('x-total-count'));
    expect(total).toBeGreaterThanOrEqual(3);
    expect(res.headers.get('link')).toBe(
      `</admin/users?page=2&per_page=2>; rel="next", </admin/users?page=${Math.ceil(total / 2)}&per_page=2>; rel="last"`,
    );
    // Newest first, like GoTrue's default sort.
    const { users } = await res.json();
    expect(Date.parse(users[0].created_at)).toBeGreaterThanOrEqual(Date.parse(users[1].created_at));
  });

  it('reads, updates and deletes a user by id', async () => {
    const { user, session } = await signUp();
    const admin = adminClient().auth.admin;
    expect((await admin.getUserById(user.id)).data.user!.email).toBe(user.email);
    const updated = await admin.updateUserById(user.id, { user_metadata: { name: 'Renamed' }, app_metadata: { plan: 'pro' }, password: 'another-password' });
    expect(updated.error).toBeNull();
    expect(updated.data.user).toMatchObject({ user_metadata: { name: 'Renamed' }, app_metadata: { plan: 'pro', provider: 'email' } });
    // A password set by the admin signs the user out everywhere.
    expect((await anonClient().auth.getUser(session.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await anonClient().auth.signInWithPassword({ email: user.email!, password: 'another-password' })).error).toBeNull();

    expect((await admin.deleteUser(user.id)).error).toBeNull();
    expect((await db.query('select 1 from auth.users where id = $1', [user.id])).rowCount).toBe(0);
    expect((await db.query('select 1 from auth.identities where user_id = $1', [user.id])).rowCount).toBe(0);
    expect((await admin.getUserById(user.id)).error).toMatchObject({ status: 404, code: 'user_not_found', message: 'User not found' });
    const badId = await fetch(`${stack.apiUrl}/auth/v1/admin/users/not-a-uuid`, {
      headers: { apikey: stack.serviceRoleKey, authorization: `Bearer ${stack.serviceRoleKey}`, 'x-supabase-api-version': '2024-01-01' },
    });
    expect(badId.status).toBe(404);
    expect(await badId.json()).toEqual({ code: 'validation_failed', message: 'user_id must be an UUID' });
  });

  it('refuses the anon key and users\' tokens: 403 not_admin', async () => {
    const { session } = await signUp();
    const asAnon = await anonClient().auth.admin.listUsers();
    expect(asAnon.error).toMatchObject({ status: 403, code: 'not_admin', message: 'User not allowed' });
    const asUser = await raw('/admin/users', { method: 'POST', bearer: session.access_token, body: JSON.stringify({ email: uniqueEmail() }) });
    expect(asUser.status).toBe(403);
    expect(await asUser.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });
    // A user's token whose session has ended is refused as such, before its role is looked at.
    await anonClient().auth.admin.signOut(session.access_token, 'local');
    const ended = await raw('/admin/users', { bearer: session.access_token });
    expect(ended.status).toBe(403);
    expect((await ended.json()).code).toBe('session_not_found');
  });

  it('bans a user for a Go duration and lifts the ban with "none"', async () => {
    const { email, user, session } = await signUp();
    const admin = adminClient().auth.admin;
    const banned = await admin.updateUserById(user.id, { ban_duration: '24h' });
    expect(Date.parse(banned.data.user!.banned_until!)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect((await anonClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toMatchObject({ status: 400, code: 'user_banned' });
    expect((await anonClient().auth.refreshSession({ refresh_token: session.refresh_token })).error).toMatchObject({ status: 400, code: 'user_banned' });
    expect((await anonClient().auth.getUser(session.access_token)).error).toMatchObject({ status: 403, code: 'user_banned' });
    const bad = await admin.updateUserById(user.id, { ban_duration: 'forever' });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await admin.updateUserById(user.id, { ban_duration: 'none' })).data.user!.banned_until).toBeUndefined();
    expect((await anonClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
  });

  it('soft-deletes a user: the row stays, contact details are hashed and sessions end', async () => {
    const { email, user, session } = await signUp();
    expect((await adminClient().auth.admin.deleteUser(user.id, true)).error).toBeNull();
    const { rows: [row] } = await db.query('select email, deleted_at, encrypted_password, raw_user_meta_data from auth.users where id = $1', [user.id]);
    expect(row.deleted_at).not.toBeNull();
    expect(row.email).not.toBe(email);
    expect(row.encrypted_password).toBeNull();
    expect(row.raw_user_meta_data).toEqual({});
    expect((await anonClient().auth.getUser(session.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await anonClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toMatchObject({ code: 'invalid_credentials' });
  });
});

describe('access tokens', () => {
  it('carry Supabase Auth\'s claims, signed HS256 with the JWT secret', async () => {
    const { session, user } = await signUp();
    const check = verifyJwt(session.access_token, stack.jwtSecret);
    expect(check.ok).toBe(true);
    const claims = claimsOf(session.access_token);
    expect(Object.keys(claims)).toEqual([
      'iss', 'sub', 'aud', 'exp', 'iat', 'email', 'phone', 'app_metadata', 'user_metadata', 'role', 'aal', 'amr', 'session_id', 'is_anonymous',
    ]);
    expect(claims).toMatchObject({
      iss: `${stack.apiUrl}/auth/v1`, sub: user.id, aud: 'authenticated', email: user.email, phone: '',
      app_metadata: { provider: 'email', providers: ['email'] }, role: 'authenticated', aal: 'aal1', is_anonymous: false,
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(Math.abs(claims.amr[0].timestamp - claims.iat)).toBeLessThanOrEqual(1);
    expect((await db.query('select 1 from auth.sessions where id = $1 and user_id = $2', [claims.session_id, user.id])).rowCount).toBe(1);
  });

  it('make auth.uid(), auth.role() and auth.jwt() see the user in Postgres', async () => {
    const { session, user } = await signUp();
    const url = new URL(stack.dbUrl);
    url.username = 'authenticator';
    const pool = createPool(url.toString(), 1);
    try {
      const row = await asRole(pool, claimsOf(session.access_token), async (c) =>
        (await c.query(`select auth.uid() as uid, auth.role() as role, auth.email() as email,
          auth.jwt()->>'session_id' as sid, current_user as db_role`)).rows[0], { readOnly: true });
      expect(row).toEqual({
        uid: user.id, role: 'authenticated', email: user.email, sid: claimsOf(session.access_token).session_id, db_role: 'authenticated',
      });
    } finally {
      await pool.end();
    }
  });
});

describe('bad input', () => {
  const signed = (claims: Record<string, unknown>, secret = stack.jwtSecret) => signJwt(claims, secret);

  it('rejects garbage, ill-typed and non-object JSON bodies with 400 bad_json', async () => {
    const cases: Array<[string, string]> = [
      ['{"email": "a@b.c", "password": ', 'Could not parse request body as JSON: '],
      ['', 'Could not parse request body as JSON: unexpected end of JSON input'],
      ['{"email": 5, "password": "x"}', 'Could not parse request body as JSON: json: cannot unmarshal number into Go struct field SignupParams.email of type string'],
      ['{"data": "text"}', 'Could not parse request body as JSON: json: cannot unmarshal string into Go struct field SignupParams.data of type map[string]interface {}'],
      ['[1, 2]', 'Could not parse request body as JSON: json: cannot unmarshal array into Go value of type api.SignupParams'],
    ];
    for (const [body, message] of cases) {
      const res = await raw('/signup', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-sb-error-code')).toBe('bad_json');
      const json = await res.json();
      expect(json.code).toBe('bad_json');
      expect(json.message.startsWith(message)).toBe(true);
    }
    const grant = await raw('/token?grant_type=password', { method: 'POST', body: '{"email": ["x"], "password": "y"}' });
    expect(grant.status).toBe(400);
    expect((await grant.json()).code).toBe('bad_json');
  });

  it('refuses a body over the limit with 413 request_entity_too_large', async () => {
    const res = await raw('/signup', { method: 'POST', body: JSON.stringify({ data: { blob: 'x'.repeat(2 * 1024 * 1024) } }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: 'request_entity_too_large', message: 'Request body too large (max 1048576 bytes)' });
  });

  it('answers a missing bearer token with 401 no_authorization and a bad one with 403 bad_jwt', async () => {
    const { user, session } = await signUp();
    const now = Math.floor(Date.now() / 1000);
    const good = claimsOf(session.access_token);
    const missing = await raw('/user');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ code: 'no_authorization', message: 'This endpoint requires a valid Bearer token' });

    const cases: Array<[string, string]> = [
      ['garbage', 'token is malformed: token contains an invalid number of segments'],
      ['a.b.c', 'token is malformed: could not JSON decode token'],
      [signed({ ...good, exp: now - 10 }), 'token has invalid claims: token is expired'],
      [signed(good, 'another-secret-another-secret-another-secret'), 'token signature is invalid: signature is invalid'],
      [`${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}.`,
        'token signature is invalid: signing method none is invalid'],
      [signed({ ...good, sub: 12 }), 'token is malformed: could not JSON decode claim'],
    ];
    for (const [token, why] of cases) {
      const res = await raw('/user', { bearer: token });
      expect(res.status, why).toBe(403);
      expect(await res.json()).toEqual({ code: 'bad_jwt', message: `invalid JWT: unable to parse or verify signature, ${why}` });
    }
    // The anon key is a valid JWT without a user.
    const anonKey = await raw('/user', { bearer: stack.anonKey });
    expect(anonKey.status).toBe(403);
    expect(await anonKey.json()).toEqual({ code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
    const notUuid = await raw('/user', { bearer: signed({ ...good, sub: 'someone' }) });
    expect(notUuid.status).toBe(400);
    const ghost = await raw('/user', { bearer: signed({ ...good, sub: randomUUID() }) });
    expect(ghost.status).toBe(403);
    expect((await ghost.json()).code).toBe('user_not_found');
    // auth-js surfaces these as AuthApiError with the same code.
    const { error } = await anonClient().auth.getUser(signed({ ...good, exp: now - 10 }));
    expect(error).toMatchObject({ name: 'AuthApiError', status: 403, code: 'bad_jwt' });
    expect(user.id).toBe(good.sub);
  });

  it('uses GoTrue\'s original error shape without the API version header, and echoes the header with it', async () => {
    const body = JSON.stringify({ email: uniqueEmail(), password: '123' });
    const old = await raw('/signup', { method: 'POST', body, version: null });
    expect(old.status).toBe(422);
    expect(old.headers.get('x-supabase-api-version')).toBeNull();
    expect(old.headers.get('x-sb-error-code')).toBe('weak_password');
    expect(await old.json()).toEqual({
      code: 422, error_code: 'weak_password', msg: 'Password should be at least 6 characters.', weak_password: { reasons: ['length'] },
    });
    const current = await raw('/signup', { method: 'POST', body });
    expect(current.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await current.json()).toEqual({
      code: 'weak_password', message: 'Password should be at least 6 characters.', weak_password: { reasons: ['length'] },
    });
    const legacy = await raw('/token?grant_type=password', { method: 'POST', body: JSON.stringify({ email: uniqueEmail(), password: 'x' }), version: null });
    expect(legacy.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(await legacy.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
  });

  it('answers unknown routes and methods with JSON and keeps serving', async () => {
    const missing = await raw('/nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('not_found');
    const method = await raw('/signup', { method: 'DELETE' });
    expect(method.status).toBe(405);
    expect((await method.json()).code).toBe('method_not_allowed');
    const health = await raw('/health');
    expect(await health.json()).toMatchObject({ name: 'GoTrue' });
  });
});

describe('health and settings', () => {
  it('report the service and what config.toml switches on', async () => {
    const health = await raw('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ version: expect.any(String), name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });
    const settings = await (await raw('/settings')).json();
    expect(settings).toMatchObject({ disable_signup: false, mailer_autoconfirm: true, external: { email: true, anonymous_users: true, phone: false, google: false } });
  });
});

describe('[auth] settings of config.toml (a private stack)', () => {
  let own: RunningStack;
  let auth: AuthService;
  const client = () => anonClient(own.info.apiUrl, own.info.anonKey);

  beforeAll(async () => {
    own = await startTestStack({}, { noStatic: true });
    auth = own.services.find((s) => s.prefix === '/auth/v1') as AuthService;
  });
  afterAll(async () => { await own?.stop(); });

  it('refuses anonymous sign-ins when enable_anonymous_sign_ins is false: 422 anonymous_provider_disabled', async () => {
    auth.overrideSettings({ enableAnonymousSignIns: false });
    const { error } = await client().auth.signInAnonymously();
    expect(error).toMatchObject({ status: 422, code: 'anonymous_provider_disabled', message: 'Anonymous sign-ins are disabled' });
    expect((await client().auth.signUp({ email: uniqueEmail(), password: PASSWORD })).error).toBeNull();
  });

  it('refuses every sign-up when enable_signup is false: 422 signup_disabled, sign-in still works', async () => {
    auth.overrideSettings(null);
    const email = uniqueEmail();
    expect((await client().auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    auth.overrideSettings({ enableSignup: false });
    for (const attempt of [client().auth.signUp({ email: uniqueEmail(), password: PASSWORD }), client().auth.signInAnonymously()]) {
      expect((await attempt).error).toMatchObject({ status: 422, code: 'signup_disabled', message: 'Signups not allowed for this instance' });
    }
    expect((await client().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
  });

  it('follows minimum_password_length and jwt_expiry', async () => {
    auth.overrideSettings({ minimumPasswordLength: 12, jwtExpiry: 120 });
    const { error } = await client().auth.signUp({ email: uniqueEmail(), password: 'elevenchars' });
    expect(error).toMatchObject({ code: 'weak_password', message: 'Password should be at least 12 characters.', reasons: ['length'] });
    const { data } = await client().auth.signUp({ email: uniqueEmail(), password: 'twelve-chars' });
    expect(data.session!.expires_in).toBe(120);
    expect(claimsOf(data.session!.access_token).exp - claimsOf(data.session!.access_token).iat).toBe(120);
  });

  it('with refresh_token_reuse_interval = 0 a used token is refused at once', async () => {
    auth.overrideSettings({ refreshTokenReuseInterval: 0 });
    const { data } = await client().auth.signInAnonymously();
    const a = data.session!.refresh_token;
    const b = (await client().auth.refreshSession({ refresh_token: a })).data.session!.refresh_token;
    await client().auth.refreshSession({ refresh_token: b });
    const { error } = await client().auth.refreshSession({ refresh_token: a });
    expect(error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
  });

  it('exposes verifyAccessToken for other parts of the stack, which sees signed-out sessions', async () => {
    auth.overrideSettings(null);
    const c = client();
    const { data } = await c.auth.signInAnonymously();
    const token = data.session!.access_token;
    expect(await auth.verifyAccessToken(token)).toMatchObject({ ok: true, userId: data.user!.id, sessionId: claimsOf(token).session_id });
    expect(await auth.verifyAccessToken(own.info.anonKey)).toMatchObject({ ok: true, userId: null });
    await c.auth.signOut();
    expect(await auth.verifyAccessToken(token)).toMatchObject({ ok: false, status: 403, code: 'session_not_found' });
    expect(await auth.verifyAccessToken('nope')).toMatchObject({ ok: false, status: 403, code: 'bad_jwt' });
  });
});
