// Shared by the /rest/v1 conformance tests: applies tests/fixtures/rest-fixture.sql to the shared
// test stack (idempotent; files may apply it concurrently), tells the REST service to reload its
// schema cache, and makes unmodified supabase-js clients for anon, service_role and signed-in users.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { ROOT_DIR } from '../../../scripts/stack/config.ts';
import { signJwt } from '../../../scripts/stack/jwt.ts';
import type { LocalInfo } from '../../../scripts/stack/stack.ts';
import { FIXTURE_SCHEMA } from '../../support/stack.ts';

export { FIXTURE_SCHEMA };

const FIXTURE_SQL = join(ROOT_DIR, 'tests', 'fixtures', 'rest-fixture.sql');

export async function applyRestFixture(stack: LocalInfo): Promise<void> {
  const client = new pg.Client({ connectionString: stack.dbUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(readFileSync(FIXTURE_SQL, 'utf8'));
    await client.query('commit');
    await client.query("notify pgrst, 'reload schema'");
  } finally {
    await client.end();
  }
  // The reload is asynchronous: wait (bounded) until the REST service sees the fixture.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${stack.apiUrl}/rest/v1/rpc/add_numbers?a=1&b=2`, {
      headers: { apikey: stack.anonKey, 'Accept-Profile': FIXTURE_SCHEMA },
    });
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`REST schema cache never saw the fixture (last status ${res.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function client(stack: LocalInfo, key: string, accessToken?: string): SupabaseClient {
  return createClient(stack.apiUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
    ...(accessToken ? { global: { headers: { Authorization: `Bearer ${accessToken}` } } } : {}),
  });
}

/** The fixture schema through the anon key. */
export const anon = (stack: LocalInfo) => client(stack, stack.anonKey).schema(FIXTURE_SCHEMA);
export const service = (stack: LocalInfo) => client(stack, stack.serviceRoleKey).schema(FIXTURE_SCHEMA);

/** A signed-in user: a JWT like Supabase Auth's, for a fresh random user id. */
export function user(stack: LocalInfo, id = randomUUID()) {
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt({
    iss: 'supabase', sub: id, aud: 'authenticated', role: 'authenticated', exp: now + 3600, iat: now,
    email: `${id}@rest.test`, is_anonymous: false,
  }, stack.jwtSecret);
  return { id, token, db: client(stack, stack.anonKey, token).schema(FIXTURE_SCHEMA) };
}

/** Raw HTTP to /rest/v1 for what supabase-js cannot send (hostile query strings, bad headers). */
export async function rest(stack: LocalInfo, path: string, init: RequestInit & { profile?: string } = {}) {
  const { profile = FIXTURE_SCHEMA, headers, ...rest } = init;
  const method = (rest.method ?? 'GET').toUpperCase();
  const res = await fetch(`${stack.apiUrl}/rest/v1${path}`, {
    ...rest,
    headers: {
      apikey: stack.anonKey,
      Authorization: `Bearer ${stack.anonKey}`,
      [method === 'GET' || method === 'HEAD' ? 'Accept-Profile' : 'Content-Profile']: profile,
      ...(rest.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(headers as Record<string, string> | undefined),
    },
  });
  const text = await res.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
