// /functions/v1 conformance: the unmodified supabase-js `functions.invoke` and raw HTTP against the
// local stack's Edge Functions host, with the fixture functions of tests/fixtures/functions.
// Hot reload, env files, time limits and idle shutdown run on a private stack that also serves a
// temporary folder.
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readEnvFile, ROOT_DIR } from '../../scripts/stack/config.ts';
import { signJwt } from '../../scripts/stack/jwt.ts';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { DEFAULT_PASS_ENV } from '../../scripts/stack/functions/options.ts';
import { isRuntimeEnvName, matchesPassEnv } from '../../scripts/stack/functions/env.ts';
import { FIXTURE_FUNCTIONS_DIR, startTestStack } from '../support/stack.ts';

const stack = inject('stack');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function client(apiUrl = stack.apiUrl, key = stack.anonKey) {
  return createClient(apiUrl, key, {
    realtime: { transport: WebSocket as never },
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

function fn(path: string, init: RequestInit = {}, apiUrl = stack.apiUrl, key: string | null = stack.anonKey) {
  const headers = new Headers(init.headers);
  if (key && !headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
  return fetch(`${apiUrl}/functions/v1/${path}`, { ...init, headers });
}

interface Echo {
  method: string;
  url: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  envNames: string[];
  envDigests: Record<string, string | null>;
}

/** Reads an SSE body event by event (the caller decides when to read the next one). */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<{ event: string; data: any } | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
          return { event, data };
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** Polls `check` until it returns a value, at most `ms` (behaviour that happens asynchronously). */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function streamStats(apiUrl = stack.apiUrl) {
  return (await (await fn('stream/stats', {}, apiUrl)).json()) as { started: number; completed: number; cancelled: number; signalAborted: number };
}

describe('functions.invoke with the unmodified supabase-js', () => {
  it('POSTs a JSON body and gets JSON back, with the headers supabase-js sends', async () => {
    const payload = { hello: 'world', n: 42, nested: { ok: true } };
    const { data, error } = await client().functions.invoke<Echo>('echo', { body: payload, headers: { 'x-custom': 'yes' } });
    expect(error).toBeNull();
    expect(data!.method).toBe('POST');
    expect(data!.path).toBe('/echo');
    expect(JSON.parse(data!.body)).toEqual(payload);
    expect(data!.headers['content-type']).toBe('application/json');
    expect(data!.headers['authorization']).toBe(`Bearer ${stack.anonKey}`);
    expect(data!.headers['apikey']).toBe(stack.anonKey);
    expect(data!.headers['x-client-info']).toMatch(/^supabase-js/);
    expect(data!.headers['x-custom']).toBe('yes');
  });

  it('GETs a sub-path with a query: the function sees /NAME/… on the gateway origin', async () => {
    const { data, error } = await client().functions.invoke<Echo>('echo/a/b?x=1&y=two%20words', { method: 'GET' });
    expect(error).toBeNull();
    expect(data!.method).toBe('GET');
    expect(data!.path).toBe('/echo/a/b');
    expect(data!.query).toEqual({ x: '1', y: 'two words' });
    expect(data!.url).toBe(`${stack.apiUrl}/echo/a/b?x=1&y=two%20words`);
    expect(data!.body).toBe('');
  });

  it('passes every method and a text body through', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const { data, error } = await client().functions.invoke<Echo>('echo/item/7', { method, body: `text for ${method}` });
      expect(error).toBeNull();
      expect(data!.method).toBe(method);
      expect(data!.path).toBe('/echo/item/7');
      expect(data!.body).toBe(`text for ${method}`);
      expect(data!.headers['content-type']).toBe('text/plain');
    }
  });

  it('serves a function written as `export default { fetch }`', async () => {
    const { data, error } = await client().functions.invoke('default-export/x', { method: 'GET' });
    expect(error).toBeNull();
    expect(data).toEqual({ style: 'default export', path: '/default-export/x' });
  });

  it('streams SSE: invoke gives the unread Response and events arrive one by one', async () => {
    const ack = randomUUID();
    const { data, error } = await client().functions.invoke(`stream?n=3&gap=10&ack=${ack}`, { method: 'GET' });
    expect(error).toBeNull();
    expect(data).toBeInstanceOf(Response);
    const events = sseReader((data as Response).body!);
    expect(await events.next()).toMatchObject({ event: 'tick', data: { i: 0 } });
    // The function sends nothing more until we confirm we have the first event: a buffered
    // stream would never get here.
    expect(await (await fn(`stream/ack/${ack}`)).json()).toEqual({ released: true });
    expect(await events.next()).toMatchObject({ event: 'tick', data: { i: 1 } });
    expect(await events.next()).toMatchObject({ event: 'tick', data: { i: 2 } });
    expect(await events.next()).toMatchObject({ event: 'done', data: { n: 3 } });
    expect(await events.next()).toBeUndefined();
  });

  it('reports a function error as FunctionsHttpError with the status and JSON body', async () => {
    const { data, error } = await client().functions.invoke('crash');
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const response = (error as FunctionsHttpError).context as Response;
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
  });
});

describe('SSE and bodies over raw HTTP', () => {
  it('delivers SSE chunk by chunk to fetch (POST)', async () => {
    const ack = randomUUID();
    const res = await fn(`stream?n=2&gap=10&ack=${ack}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = sseReader(res.body!);
    expect((await events.next())?.data.i).toBe(0);
    await fn(`stream/ack/${ack}`);
    expect((await events.next())?.data.i).toBe(1);
    expect((await events.next())?.event).toBe('done');
  });

  it('aborts the function request when the client goes away', async () => {
    const before = await streamStats();
    const controller = new AbortController();
    const res = await fn('stream?n=1000&gap=50', { signal: controller.signal });
    const events = sseReader(res.body!);
    expect((await events.next())?.event).toBe('tick');
    controller.abort();
    const after = await eventually(async () => {
      const s = await streamStats();
      return s.cancelled > before.cancelled && s.signalAborted > before.signalAborted ? s : undefined;
    });
    expect(after.started).toBeGreaterThan(before.started);
  });

  it('streams the request body to the function as it arrives', async () => {
    const { hostname, port } = new URL(stack.apiUrl);
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer before the body ended: the body was buffered')), 10_000);
      const req = httpRequest({
        host: hostname, port, method: 'POST', path: '/functions/v1/upload',
        headers: { authorization: `Bearer ${stack.anonKey}`, 'content-type': 'application/octet-stream' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        res.setEncoding('utf8');
        let pending = '';
        res.on('data', (chunk: string) => {
          pending += chunk;
          const parts = pending.split('\n');
          pending = parts.pop()!;
          for (const line of parts) {
            lines.push(line);
            // The function answered after the first chunk only: now send the rest.
            if (line.startsWith('first ')) req.end(Buffer.alloc(3000, 2));
          }
        });
        res.on('end', () => { clearTimeout(timer); resolve(); });
      });
      req.write(Buffer.alloc(1000, 1));
    });
    expect(lines).toEqual(['first 1000', 'total 4000']);
  });

  it('respects backpressure: a slow reader holds the function back', async () => {
    const controller = new AbortController();
    const res = await fn('firehose?mb=1024', { signal: controller.signal });
    const reader = res.body!.getReader();
    let read = 0;
    while (read < 1024 * 1024) read += (await reader.read()).value!.length;
    // Give an unbounded pipeline time to run ahead (it would produce the whole GiB).
    await new Promise((r) => setTimeout(r, 1000));
    const { produced } = (await (await fn('firehose/stats')).json()) as { produced: number };
    controller.abort();
    expect(produced).toBeGreaterThanOrEqual(read);
    expect(produced).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a body over the gateway limit with 413 (declared or streamed)', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 97);
    // Several times: the client is usually still writing when the refusal is decided.
    for (let i = 0; i < 6; i++) {
      const declared = await fn('echo', { method: 'POST', body: big });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toEqual({ code: 'REQUEST_TOO_LARGE', message: 'Request body is larger than 10485760 bytes' });
    }

    const { hostname, port } = new URL(stack.apiUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: hostname, port, method: 'POST', path: '/functions/v1/echo',
        headers: { authorization: `Bearer ${stack.anonKey}`, 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 98);
      let sent = 0;
      const pump = () => {
        while (sent <= 11 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect((await fn('echo', { method: 'POST', body: 'still fine' })).status).toBe(200);
  });

  it('lets a slow client finish sending a refused body and read its 413, without cutting the connection', async () => {
    // fetch (undici) drops the connection when an answer is complete before its body is sent, so a
    // refusal sent while the client is still writing reaches it as "fetch failed", not as a 413.
    // Streamed (chunked) and slow: the limit is crossed long before the client is done.
    const mib = new Uint8Array(1024 * 1024).fill(97);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 12) return controller.close();
        if (sent === 11) await new Promise((r) => setTimeout(r, 300));
        sent++;
        controller.enqueue(mib);
      },
    });
    const res = await fetch(`${stack.apiUrl}/functions/v1/echo`, {
      method: 'POST', body, duplex: 'half', headers: { authorization: `Bearer ${stack.anonKey}` },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: 'REQUEST_TOO_LARGE', message: 'Request body is larger than 10485760 bytes' });
    expect(sent).toBe(12);
  });
});

describe('verify_jwt', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses missing, malformed, expired and wrongly signed JWTs before the function runs', async () => {
    const before = await streamStats();
    const cases: Array<[string | null, string]> = [
      [null, 'Missing authorization header'],
      ['Bearer not-a-jwt', 'Invalid Token or Protected Header formatting'],
      [`Bearer ${signJwt({ role: 'anon', exp: now() - 60 }, stack.jwtSecret)}`, 'Invalid JWT'],
      [`Bearer ${signJwt({ role: 'anon', exp: now() + 600 }, 'another-secret-that-is-at-least-32-chars')}`, 'Invalid JWT'],
    ];
    for (const [authorization, message] of cases) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const res = await fn('stream?n=1', { headers }, stack.apiUrl, null);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: 401, message });
    }
    // supabase-js with a bad key sees the same refusal as FunctionsHttpError.
    const { error } = await client(stack.apiUrl, `${stack.anonKey.slice(0, -4)}AAAA`).functions.invoke('echo');
    expect(error).toBeInstanceOf(FunctionsHttpError);
    expect(((error as FunctionsHttpError).context as Response).status).toBe(401);
    expect((await streamStats()).started).toBe(before.started);
  });

  it('lets any valid JWT through: anon key, service_role key, a user token', async () => {
    const user = signJwt({ sub: randomUUID(), role: 'authenticated', aud: 'authenticated', exp: now() + 600 }, stack.jwtSecret);
    for (const key of [stack.anonKey, stack.serviceRoleKey, user]) {
      const res = await fn('echo', {}, stack.apiUrl, key);
      expect(res.status).toBe(200);
    }
  });

  it('skips the check for a function with verify_jwt = false', async () => {
    const anonymous = await fn('public-echo/hook?src=stripe', { method: 'POST', body: 'raw' }, stack.apiUrl, null);
    expect(anonymous.status).toBe(200);
    const echo = (await anonymous.json()) as Echo;
    expect(echo.path).toBe('/public-echo/hook');
    expect(echo.body).toBe('raw');
    expect((await fn('public-echo', { headers: { authorization: 'Bearer garbage' } }, stack.apiUrl, null)).status).toBe(200);
  });

  it('lets CORS preflights reach the function without a JWT', async () => {
    const res = await fn('echo', { method: 'OPTIONS', headers: { origin: 'http://site.test', 'access-control-request-method': 'POST' } }, stack.apiUrl, null);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).method).toBe('OPTIONS');
  });
});

describe('environment', () => {
  it('gives the Supabase variables with the right values (compared by digest)', async () => {
    const names = ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_URL'];
    const echo = (await (await fn(`echo?env=${names.join(',')}`)).json()) as Echo;
    expect(echo.envDigests).toEqual({
      SUPABASE_URL: sha256(stack.apiUrl),
      SUPABASE_ANON_KEY: sha256(stack.anonKey),
      SUPABASE_SERVICE_ROLE_KEY: sha256(stack.serviceRoleKey),
      SUPABASE_DB_URL: sha256(stack.dbUrl),
    });
  });

  it('leaks nothing else from the stack process environment', async () => {
    const echo = (await (await fn('echo?env=SUPABASE_JWT_SECRET,EMILY_TEST_STACK')).json()) as Echo;
    expect(echo.envDigests).toEqual({ SUPABASE_JWT_SECRET: null, EMILY_TEST_STACK: null });
    const fromFiles = ['.env', '.env.local'].flatMap((f) => Object.keys(readEnvFile(join(ROOT_DIR, 'supabase', 'functions', f))));
    const allowed = new Set(['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_URL', ...fromFiles]);
    const unexpected = echo.envNames.filter((n) => !allowed.has(n) && !isRuntimeEnvName(n) && !matchesPassEnv(n, DEFAULT_PASS_ENV));
    expect(unexpected).toEqual([]);
  });
});

describe('errors and isolation', () => {
  it('answers an unknown function with 404 JSON', async () => {
    for (const path of ['nope', 'nope/deeper?x=1', '_shared', '_shared/digest.ts', '', '..%2Fecho']) {
      const res = await fn(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('sb-error-code')).toBe('NOT_FOUND');
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
    }
  });

  it('answers a function that fails at import with 503 BOOT_ERROR, and keeps serving others', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fn('crash');
      expect(res.status).toBe(503);
      expect(res.headers.get('sb-error-code')).toBe('BOOT_ERROR');
      expect((await fn('echo')).status).toBe(200);
    }
  });

  it('answers a handler exception with 500 WORKER_ERROR, and recovers from a process exit', async () => {
    const first = (await (await fn('throws')).json()) as { processId: string };
    const thrown = await fn('throws/error');
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' });
    // A handler exception leaves the process running: same process.
    expect(((await (await fn('throws')).json()) as { processId: string }).processId).toBe(first.processId);
    const exited = await fn('throws/exit');
    expect(exited.status).toBe(500);
    expect(((await exited.json()) as { code: string }).code).toBe('WORKER_ERROR');
    // The next request starts a new process.
    const next = await fn('throws');
    expect(next.status).toBe(200);
    expect(((await next.json()) as { processId: string }).processId).not.toBe(first.processId);
  });
});

describe('on a private stack: hot reload, .env files, limits', () => {
  let dir: string;
  let priv: RunningStack;
  let api: string;
  let key: string;
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toContain(from);
    write(file, text.replace(from, to));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emily-functions-'));
    cpSync(join(FIXTURE_FUNCTIONS_DIR, 'versioned'), join(dir, 'reloadable'), { recursive: true });
    cpSync(join(FIXTURE_FUNCTIONS_DIR, 'echo'), join(dir, 'env-echo'), { recursive: true });
    cpSync(join(FIXTURE_FUNCTIONS_DIR, 'background'), join(dir, 'background-copy'), { recursive: true });
    cpSync(join(FIXTURE_FUNCTIONS_DIR, '_shared'), join(dir, '_shared'), { recursive: true });
    write('.env', 'EMILY_FIXTURE_NOTE=first\n');
    process.env.EMILY_FIXTURE_PASSED = 'from the operator';
    process.env.EMILY_FIXTURE_NOT_PASSED = 'must stay out';
    priv = await startTestStack({
      extraFunctionsDirs: [FIXTURE_FUNCTIONS_DIR, dir],
      functions: {
        idleTimeoutMs: 3000, wallClockMs: 6000, idleShutdownMs: 2000,
        passEnv: ['EMILY_FIXTURE_PASSED'], env: { EMILY_FIXTURE_FROM_CONFIG: 'configured' },
      },
    }, { noStatic: true });
    api = priv.info.apiUrl;
    key = priv.info.anonKey;
  });

  afterAll(async () => {
    await priv?.stop();
    delete process.env.EMILY_FIXTURE_PASSED;
    delete process.env.EMILY_FIXTURE_NOT_PASSED;
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => (await fn(path, {}, api, key)).json();

  it('serves edited code on the next request while a request in flight finishes on the old code', async () => {
    expect(await get('reloadable')).toEqual({ version: 'v1', label: 'shared-v1' });
    const release = join(dir, `release-${randomUUID()}`);
    const held = await fn(`reloadable?hold=${encodeURIComponent(release)}`, {}, api, key);
    const reader = held.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toBe('started v1\n');

    edit('reloadable/index.ts', "const VERSION = 'v1'", "const VERSION = 'v2'");
    expect(await get('reloadable')).toEqual({ version: 'v2', label: 'shared-v1' });

    write(release.slice(dir.length + 1), '');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toBe('started v1\nfinished v1\n');

    edit('_shared/label.ts', "'shared-v1'", "'shared-v2'");
    expect(await get('reloadable')).toEqual({ version: 'v2', label: 'shared-v2' });
  });

  it('lets EdgeRuntime.waitUntil work finish when new code replaces the process', async () => {
    const until = join(dir, `until-${randomUUID()}`);
    const done = join(dir, `done-${randomUUID()}`);
    const accepted = await fn(`background-copy?until=${encodeURIComponent(until)}&done=${encodeURIComponent(done)}`, { method: 'POST' }, api, key);
    expect(accepted.status).toBe(202);
    edit('background-copy/index.ts', 'answers 202 at once', 'answers 202 straight away');
    // The new code serves this request; the old process is told to stop while its work waits.
    expect((await fn(`background-copy?until=${encodeURIComponent(until)}&done=${encodeURIComponent(`${done}-2`)}`, { method: 'POST' }, api, key)).status).toBe(202);
    writeFileSync(until, '');
    await eventually(async () => (existsSync(done) && existsSync(`${done}-2`) ? true : undefined));
  });

  it('serves a function added or fixed while the stack runs, and forgets a removed one', async () => {
    expect((await fn('late', {}, api, key)).status).toBe(404);
    cpSync(join(FIXTURE_FUNCTIONS_DIR, 'echo'), join(dir, 'late'), { recursive: true });
    expect(((await get('late/x')) as Echo).path).toBe('/late/x');

    write('late/index.ts', 'Deno.serve((req) => new Response("fixed" +);\n');
    const broken = await fn('late', {}, api, key);
    expect(broken.status).toBe(503);
    expect(((await broken.json()) as { code: string }).code).toBe('BOOT_ERROR');
    write('late/index.ts', 'Deno.serve(() => new Response("fixed"));\n');
    const fixed = await fn('late', {}, api, key);
    expect(fixed.status).toBe(200);
    expect(await fixed.text()).toBe('fixed');

    rmSync(join(dir, 'late'), { recursive: true });
    expect((await fn('late', {}, api, key)).status).toBe(404);
  });

  it('gives functions their folder .env, the configured variables and the passed-through ones only', async () => {
    const names = ['EMILY_FIXTURE_NOTE', 'EMILY_FIXTURE_FROM_CONFIG', 'EMILY_FIXTURE_PASSED', 'EMILY_FIXTURE_NOT_PASSED'];
    expect(((await get(`env-echo?env=${names.join(',')}`)) as Echo).envDigests).toEqual({
      EMILY_FIXTURE_NOTE: sha256('first'),
      EMILY_FIXTURE_FROM_CONFIG: sha256('configured'),
      EMILY_FIXTURE_PASSED: sha256('from the operator'),
      EMILY_FIXTURE_NOT_PASSED: null,
    });
    write('.env', 'EMILY_FIXTURE_NOTE=second\n');
    expect(((await get('env-echo?env=EMILY_FIXTURE_NOTE')) as Echo).envDigests).toEqual({ EMILY_FIXTURE_NOTE: sha256('second') });
    // A function of another folder does not read this folder's .env.
    expect(((await get('echo?env=EMILY_FIXTURE_NOTE')) as Echo).envDigests).toEqual({ EMILY_FIXTURE_NOTE: null });
  });

  it('ends a request that gets no response in time with 504, even from a function stuck in a loop', async () => {
    const waiting = await fn('slow?ms=60000', {}, api, key);
    expect(waiting.status).toBe(504);
    expect(await waiting.json()).toEqual({ code: 'IDLE_TIMEOUT', message: 'The function did not start its response before the request idle timeout' });

    const hung = fn('slow?hang=1', {}, api, key);
    // Meanwhile the gateway and the other functions are unaffected.
    expect((await fn('echo', {}, api, key)).status).toBe(200);
    expect((await hung).status).toBe(504);
    // The stuck process was replaced: the function answers again.
    expect(await get('slow?ms=1')).toEqual({ waited: 1 });
  });

  it('cuts a response still streaming at the wall-clock limit', async () => {
    const res = await fn('slow?drip=1', {}, api, key);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let chunks = 0;
    const ending = await (async () => {
      try {
        for (;;) {
          const { done } = await reader.read();
          if (done) return 'ended cleanly';
          chunks++;
        }
      } catch {
        return 'cut';
      }
    })();
    expect(ending).toBe('cut');
    expect(chunks).toBeGreaterThan(3);
    expect(await get('slow?ms=1')).toEqual({ waited: 1 });
  });

  it('stops a process left idle and starts the function again on the next request', async () => {
    const first = (await get('throws')) as { processId: string };
    expect((await get('throws')) as { processId: string }).toEqual(first);
    await new Promise((r) => setTimeout(r, 4500));
    const later = (await get('throws')) as { processId: string };
    expect(later.processId).not.toBe(first.processId);
  });

  it('keeps the file log of function output under the state dir', () => {
    const log = join(priv.config.stateDir, 'logs', 'functions.log');
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toMatch(/\[late\] .*SyntaxError|\[late\] boot failed/);
  });
});
