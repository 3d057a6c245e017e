// Helpers shared by the Widget API integration tests (tests/integration/widget-api*.test.ts):
// sessions through the unmodified supabase-js client, websites made directly in Postgres (setup
// only; what is tested always goes through HTTP), and an SSE reader that records when each event
// arrived, so a test can tell streamed deltas from a buffered body.
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import type { LocalInfo } from '../../scripts/stack/stack.ts';

export type StackInfo = Pick<LocalInfo, 'apiUrl' | 'dbUrl' | 'anonKey' | 'serviceRoleKey' | 'jwtSecret'> & Partial<LocalInfo>;

export function supabaseClient(stack: StackInfo, key = stack.anonKey): SupabaseClient {
  return createClient(stack.apiUrl, key, {
    realtime: { transport: WebSocket as never },
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

const pools = new Map<string, pg.Pool>();
/** Superuser access for setup and for checking what was stored. */
export function db(stack: StackInfo): pg.Pool {
  let pool = pools.get(stack.dbUrl);
  if (!pool) {
    pool = new pg.Pool({ connectionString: stack.dbUrl, max: 4 });
    pool.on('error', () => {});
    pools.set(stack.dbUrl, pool);
  }
  return pool;
}
export async function closeDb(stack: StackInfo): Promise<void> {
  const pool = pools.get(stack.dbUrl);
  pools.delete(stack.dbUrl);
  await pool?.end();
}

export interface Session {
  userId: string;
  token: string;
  client: SupabaseClient;
}

/** A widget visitor: a Supabase anonymous user (contract §3). */
export async function visitor(stack: StackInfo): Promise<Session> {
  const client = supabaseClient(stack);
  const { data, error } = await client.auth.signInAnonymously();
  if (error || !data.session) throw error ?? new Error('no session');
  return { userId: data.user!.id, token: data.session.access_token, client };
}

/** A site owner or agent: an e-mail/password user. */
export async function member(stack: StackInfo): Promise<Session & { email: string }> {
  const client = supabaseClient(stack);
  const email = `owner-${randomUUID()}@test.emily.local`;
  const { data, error } = await client.auth.signUp({ email, password: 'correct-horse-battery' });
  if (error || !data.session) throw error ?? new Error('no session');
  return { userId: data.user!.id, token: data.session.access_token, client, email };
}

export interface WebsiteOptions {
  name?: string;
  allowed_domains?: string[];
  ai_enabled?: boolean;
  ai_instructions?: string;
}

/** A website owned by `owner` (its trigger makes the owner a member and creates the secret). */
export async function website(stack: StackInfo, owner: { userId: string }, opts: WebsiteOptions = {}): Promise<string> {
  const { rows } = await db(stack).query(
    `insert into public.websites (account_id, name, allowed_domains, ai_enabled, ai_instructions)
     values ($1, $2, $3, $4, $5) returning id`,
    [owner.userId, opts.name ?? 'Test Cycles', opts.allowed_domains ?? [], opts.ai_enabled ?? true, opts.ai_instructions ?? ''],
  );
  return rows[0].id;
}

/**
 * Puts an account on a paid plan (an active subscription, as the Stripe webhook would record it),
 * for tests and benchmarks that send more AI messages than the free plan's monthly quota.
 */
export async function subscribe(stack: StackInfo, accountId: string, plan: 'pro' | 'business' = 'business'): Promise<void> {
  await db(stack).query(
    `insert into public.subscriptions (account_id, plan_id, status) values ($1, $2, 'active')
     on conflict (account_id) do update set plan_id = excluded.plan_id, status = 'active'`,
    [accountId, plan],
  );
}

/** Knowledge added directly (setup for answer tests; the knowledge function has its own tests). */
export async function knowledge(stack: StackInfo, websiteId: string, items: Array<{ title: string; url?: string; content: string }>): Promise<void> {
  for (const item of items) {
    const { rows } = await db(stack).query(
      `insert into public.knowledge_sources (website_id, kind, title, url, content, status, progress)
       values ($1, 'text', $2, $3, $4, 'ready', 1) returning id`,
      [websiteId, item.title, item.url ?? null, item.content],
    );
    await db(stack).query(
      `insert into public.knowledge_chunks (source_id, website_id, position, content) values ($1, $2, 0, $3)`,
      [rows[0].id, websiteId, item.content],
    );
  }
}

export function fn(stack: StackInfo, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('apikey', stack.anonKey);
  if (init.token && !headers.has('authorization')) headers.set('authorization', `Bearer ${init.token}`);
  return fetch(`${stack.apiUrl}/functions/v1/${path}`, { ...init, headers });
}

export function postJson(stack: StackInfo, path: string, body: unknown, token: string | null, headers: Record<string, string> = {}): Promise<Response> {
  return fn(stack, path, {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface SseEvent {
  event: string;
  data: any;
  /** performance.timeOrigin + performance.now() when the event was parsed. */
  at: number;
}

const now = () => performance.timeOrigin + performance.now();

/** Reads an SSE body incrementally; `onEvent` sees each event as it arrives. */
export async function readSse(res: Response, onEvent?: (e: SseEvent) => void): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (!data.length) continue; // a heartbeat comment
      const e = { event, data: JSON.parse(data.join('\n')), at: now() };
      events.push(e);
      onEvent?.(e);
    }
  }
  return events;
}

export async function sendMessage(
  stack: StackInfo,
  session: { token: string },
  body: { website_id: string; content: string; client_id?: string; conversation_id?: string; [k: string]: unknown },
  headers: Record<string, string> = {},
): Promise<{ res: Response; events: SseEvent[]; json?: any }> {
  const res = await postJson(stack, 'widget-messages', { client_id: randomUUID(), ...body }, session.token, headers);
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return { res, events: await readSse(res) };
  return { res, events: [], json: await res.json() };
}

export const names = (events: SseEvent[]) => events.map((e) => e.event).filter((e, i, all) => e !== 'delta' || all[i - 1] !== 'delta');

/** Polls `check` until it returns a value, bounded in time. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
