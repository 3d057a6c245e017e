// The per-client limits of /auth/v1 with supabase/config.toml's own values, on a private stack
// (the shared test stack raises them: every test visitor comes from 127.0.0.1). Requests sent
// from another loopback address (127.0.0.2) are another client, as two visitors on two networks.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuthService } from '../../scripts/stack/auth/index.ts';
import { RateLimiter } from '../../scripts/stack/auth/rate-limit.ts';
import { readProjectConfig } from '../../scripts/stack/project-config.ts';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { startTestStack } from '../support/stack.ts';

let own: RunningStack;
let auth: AuthService;
let db: pg.Pool;

beforeAll(async () => {
  own = await startTestStack({ authSettings: {} }, { noStatic: true });
  auth = own.services.find((s) => s.prefix === '/auth/v1') as AuthService;
  db = new pg.Pool({ connectionString: own.info.dbUrl, max: 2 });
}, 120_000);
afterAll(async () => {
  await db?.end();
  await own?.stop();
});

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: any }

/** POST /auth/v1{path} as auth-js sends it, from the loopback address `from`. */
function post(path: string, body: unknown, from: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request('POST', path, from, headers, JSON.stringify(body));
}

function request(method: string, path: string, from: string, headers: Record<string, string> = {}, payload = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: own.config.host, port: own.config.apiPort, path: `/auth/v1${path}`, method, localAddress: from,
      headers: {
        apikey: own.info.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01',
        'content-length': Buffer.byteLength(payload), ...headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = /json/.test(res.headers['content-type'] ?? '');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: json && text ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const anonymousUsers = async () => Number((await db.query('select count(*) from auth.users where is_anonymous')).rows[0].count);

describe('[auth.rate_limit] anonymous_users', () => {
  it('allows config.toml\'s number of anonymous sign-ins per client address, then answers GoTrue\'s 429', async () => {
    const perHour = readProjectConfig().auth.rateLimitAnonymousUsers;
    expect(perHour).toBe(30);
    const before = await anonymousUsers();
    for (let i = 0; i < perHour; i++) {
      const ok = await post('/signup', {}, '127.0.0.2');
      expect(ok.status, `sign-in ${i + 1}`).toBe(200);
    }
    const refused = await post('/signup', { data: { n: perHour + 1 } }, '127.0.0.2');
    expect(refused.status).toBe(429);
    expect(refused.headers['x-sb-error-code']).toBe('over_request_rate_limit');
    expect(refused.body).toEqual({ code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    // On the local stack the TCP peer is the client: a forwarded-for header is the client's own word.
    const spoofed = await post('/signup', {}, '127.0.0.2', { 'x-forwarded-for': `203.0.113.${1 + Math.floor(Math.random() * 250)}` });
    expect(spoofed.status).toBe(429);
    expect(await anonymousUsers()).toBe(before + perHour);

    // Other clients, and e-mail sign-ups of the limited one, are not affected.
    expect((await post('/signup', {}, '127.0.0.3')).status).toBe(200);
    expect((await post('/signup', { email: `limits-${randomUUID()}@example.test`, password: 'correct-horse-1' }, '127.0.0.2')).status).toBe(200);
  });

  it('follows a changed limit, and supabase-js reports the refusal as GoTrue\'s error', async () => {
    auth.overrideSettings({ rateLimitAnonymousUsers: 2 });
    try {
      const client = () => createClient(own.info.apiUrl, own.info.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never },
      });
      expect((await client().auth.signInAnonymously()).error).toBeNull();
      expect((await client().auth.signInAnonymously()).error).toBeNull();
      const { data, error } = await client().auth.signInAnonymously();
      expect(data.session).toBeNull();
      expect(error).toMatchObject({ name: 'AuthApiError', status: 429, code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    } finally {
      auth.overrideSettings(null);
    }
  });
});

describe('[auth.rate_limit] token_verifications', () => {
  it('lets one client try e-mailed links and codes 30 times in a burst, then answers GoTrue\'s 429', async () => {
    expect(readProjectConfig().auth.rateLimitTokenVerifications).toBe(30);
    const link = (token: string) => `/verify?token=${token}&type=invite&redirect_to=http%3A%2F%2F127.0.0.1%3A45678%2F`;
    for (let i = 0; i < 30; i++) {
      const guess = await request('GET', link(String(i).padStart(56, '0')), '127.0.0.4');
      expect(guess.status, `guess ${i + 1}`).toBe(303);
    }
    const refused = await request('GET', link('f'.repeat(56)), '127.0.0.4');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    // Codes typed in count against the same limit; another client is not affected.
    expect((await post('/verify', { type: 'invite', email: 'a@b.co', token: '123456' }, '127.0.0.4')).status).toBe(429);
    expect((await post('/verify', { type: 'invite', email: 'a@b.co', token: '123456' }, '127.0.0.5')).status).toBe(403);
  });
});

describe('the token bucket', () => {
  it('starts full, refills at its rate up to the burst, and starts afresh when its size changes', () => {
    const limiter = new RateLimiter();
    const t0 = 1_000_000;
    // 3 per hour: one request back every 20 minutes.
    for (let i = 0; i < 3; i++) expect(limiter.take('a', 3, 3 / 3600, t0)).toBe(true);
    expect(limiter.take('a', 3, 3 / 3600, t0 + 1000)).toBe(false);
    expect(limiter.take('b', 3, 3 / 3600, t0 + 1000)).toBe(true);
    expect(limiter.take('a', 3, 3 / 3600, t0 + 20 * 60_000 - 1000)).toBe(false);
    expect(limiter.take('a', 3, 3 / 3600, t0 + 20 * 60_000 + 1000)).toBe(true);
    expect(limiter.take('a', 3, 3 / 3600, t0 + 20 * 60_000 + 1000)).toBe(false);
    // A day later the bucket holds the burst, not a day's worth.
    const later = t0 + 24 * 3600_000;
    for (let i = 0; i < 3; i++) expect(limiter.take('a', 3, 3 / 3600, later)).toBe(true);
    expect(limiter.take('a', 3, 3 / 3600, later)).toBe(false);
    expect(limiter.take('a', 5, 5 / 3600, later)).toBe(true);
    expect(limiter.take('z', 0, 0, later)).toBe(false);
  });
});
