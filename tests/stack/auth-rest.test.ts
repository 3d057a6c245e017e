// Auth and REST together, as an app uses them: a session from /auth/v1 is what PostgREST-style
// requests run under, so auth.uid() and RLS see the signed-in user (and nobody after sign-out).
import { createClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { applyRestFixture, FIXTURE_SCHEMA } from './rest/fixture.ts';

const stack = inject('stack');
const newClient = () =>
  createClient(stack.apiUrl, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });

beforeAll(() => applyRestFixture(stack));

describe('a session from /auth/v1 drives RLS in /rest/v1', () => {
  it('auth.uid() is the signed-in user, for a password user and for an anonymous visitor', async () => {
    const owner = newClient();
    const email = `auth-rest-${randomUUID()}@example.test`;
    const { data: signUp, error } = await owner.auth.signUp({ email, password: 'correct horse 42' });
    expect(error).toBeNull();
    const { data: me } = await owner.schema(FIXTURE_SCHEMA).rpc('whoami');
    expect(me).toBe(signUp.user!.id);
    const { data: role } = await owner.schema(FIXTURE_SCHEMA).rpc('my_role');
    expect(role).toBe('authenticated');

    const visitor = newClient();
    const { data: anon } = await visitor.auth.signInAnonymously();
    const { data: visitorId } = await visitor.schema(FIXTURE_SCHEMA).rpc('whoami');
    expect(visitorId).toBe(anon.user!.id);
    expect(visitorId).not.toBe(me);
  });

  it('after sign-out the client is anonymous again, and a refreshed token keeps the same user', async () => {
    const c = newClient();
    const { data } = await c.auth.signInAnonymously();
    const { data: refreshed } = await c.auth.refreshSession();
    // Rotation: a new refresh token (the access token may be byte-identical within the same second).
    expect(refreshed.session!.refresh_token).not.toBe(data.session!.refresh_token);
    expect((await c.schema(FIXTURE_SCHEMA).rpc('whoami')).data).toBe(data.user!.id);
    await c.auth.signOut();
    expect((await c.schema(FIXTURE_SCHEMA).rpc('whoami')).data).toBeNull();
    expect((await c.schema(FIXTURE_SCHEMA).rpc('my_role')).data).toBe('anon');
  });
});
