// Realtime benchmark: delivery latency from `realtime.send()` (a database insert) to N sockets
// subscribed to one private channel authorised by an RLS policy, for N = 100 and N = 1,000.
// Three processes on loopback: this one (inserts and reports), a stack server (its RSS is
// measured: memory per idle connection), and a load process that opens the sockets and timestamps
// every delivery. Figures are printed beside Supabase's published Broadcast-with-RLS latencies
// (19 / 49 / 96 ms p50/p95/p99) and beside a baseline measured in the same run: the round trip of
// the realtime.send() insert itself, which every delivery includes.
// Bounded: fixed message counts, a timeout per phase and a hard limit on the whole run.
// BENCH_SIZES=100,1000 (the default) picks the socket counts.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';

const SELF = fileURLToPath(import.meta.url);
const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length) ?? 'main';
const now = () => performance.timeOrigin + performance.now();

/** Supabase's published Broadcast with RLS-authorised private channels (median / p95 / p99, ms). */
const SUPABASE = { p50: 19, p95: 49, p99: 96 };
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [100, 1_000];
const LATENCY_MESSAGES = 200;
/** Spacing of the latency phase: 25 ms, or N/20 ms for large N (so 1,000 sockets get 20,000 deliveries/s). */
const latencyGapMs = (n: number) => Math.max(25, n / 20);
const BURST_MESSAGES = 300;
const BURST_CONCURRENCY = 4;
const PHASE_TIMEOUT_MS = 90_000;
const RUN_TIMEOUT_MS = 8 * 60_000;

type Msg = { type: string; [k: string]: unknown };

function request<T extends Msg>(child: ChildProcess, message: Msg, reply: string, timeoutMs = PHASE_TIMEOUT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.off('message', on); reject(new Error(`no ${reply} from ${message.type} within ${timeoutMs} ms`)); }, timeoutMs);
    const on = (m: Msg) => {
      if (m.type === 'error') { clearTimeout(timer); child.off('message', on); reject(new Error(String(m.message))); }
      if (m.type !== reply) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    if (message.type) child.send(message);
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ─── server: a whole local stack in its own process, so its memory can be read ───────────────
async function server(): Promise<void> {
  const { startTestStack } = await import('../../tests/support/stack.ts');
  const { isRealtimeService } = await import('../stack/realtime/index.ts');
  const stack = await startTestStack({}, { noStatic: true });
  const realtime = stack.services.find(isRealtimeService)!;
  const send = (m: Msg) => process.send!(m);
  process.on('message', async (m: Msg) => {
    if (m.type === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 200));
      send({ type: 'rss', rss: process.memoryUsage().rss, sockets: realtime.server.sessions.size });
    }
    if (m.type === 'stop') {
      await stack.stop();
      send({ type: 'stopped' });
      process.exit(0);
    }
  });
  send({ type: 'ready', info: stack.info });
}

// ─── load: N sockets speaking protocol 2.0.0, timestamping every delivery ───────────────────
async function load(): Promise<void> {
  const { signJwt } = await import('../stack/jwt.ts');
  const { url, topic, n, jwtSecret } = await new Promise<{ url: string; topic: string; n: number; jwtSecret: string }>((resolve) =>
    process.once('message', (m: Msg) => resolve(m as never)));
  // One user per socket, each with their own token, as N visitors would be.
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokens = Array.from({ length: n }, () => signJwt({ sub: randomUUID(), role: 'authenticated', aud: 'authenticated', exp }, jwtSecret));
  const latencies: number[] = [];
  const received = new Map<number, number>(); // seq → deliveries
  const sockets: WebSocket[] = [];
  let joined = 0;
  const onFrame = (data: Buffer, isBinary: boolean) => {
    const at = now();
    if (!isBinary || data[0] !== 4) return;
    const start = 5 + data[1] + data[2] + data[3];
    const body = JSON.parse(data.subarray(start).toString()) as { seq: number; t: number };
    latencies.push(at - body.t);
    received.set(body.seq, (received.get(body.seq) ?? 0) + 1);
  };
  const open = (token: string) => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify(['1', '1', topic, 'phx_join', { config: { private: true, broadcast: { self: false, ack: false }, presence: { enabled: false } }, access_token: token }])));
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const [, ref, , event, payload] = JSON.parse(data.toString());
        if (event === 'phx_reply' && ref === '1') {
          if (payload.status !== 'ok') return reject(new Error(`join refused: ${JSON.stringify(payload)}`));
          joined++;
          resolve();
        }
        return;
      }
      onFrame(data, true);
    });
  });
  // Open in batches, like clients arriving, not one SYN flood.
  for (let i = 0; i < tokens.length; i += 100) await Promise.all(tokens.slice(i, i + 100).map(open));
  const heartbeat = setInterval(() => { for (const ws of sockets) ws.send('[null,"hb","phoenix","heartbeat",{}]'); }, 20_000);
  process.on('message', (m: Msg) => {
    if (m.type === 'reset') {
      latencies.length = 0;
      received.clear();
      process.send!({ type: 'reset' });
    }
    if (m.type === 'count') process.send!({ type: 'count', deliveries: latencies.length });
    if (m.type === 'report') process.send!({ type: 'report', latencies, perMessage: [...received.values()] });
    if (m.type === 'stop') {
      clearInterval(heartbeat);
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', joined });
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────
async function waitForDeliveries(loader: ChildProcess, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = (await request<{ type: 'count'; deliveries: number }>(loader, { type: 'count' }, 'count')).deliveries;
    if (count >= expected) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return count;
}

const children: ChildProcess[] = [];
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

/** A load process with `n` sockets joined to the private channel `topic`. */
async function runLoad(info: { apiUrl: string; anonKey: string; jwtSecret: string }, topic: string, n: number): Promise<ChildProcess> {
  const url = `${info.apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${info.anonKey}&vsn=2.0.0`;
  const loader = fork(SELF, ['--role=load'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(loader);
  const { joined } = await request<{ type: 'ready'; joined: number }>(loader, { type: 'start', url, topic: `realtime:${topic}`, n, jwtSecret: info.jwtSecret }, 'ready');
  if (joined !== n) throw new Error(`only ${joined} of ${n} sockets joined`);
  return loader;
}

async function main(): Promise<void> {
  const hardLimit = setTimeout(() => {
    console.error(`realtime benchmark: gave up after ${RUN_TIMEOUT_MS / 1000} s`);
    for (const c of children) c.kill('SIGKILL');
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  hardLimit.unref();

  console.log('Starting a stack in its own process…');
  const srv = fork(SELF, ['--role=server'], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(srv);
  const { info } = await request<{ type: 'ready'; info: { apiUrl: string; dbUrl: string; anonKey: string; jwtSecret: string } }>(srv, { type: '' }, 'ready', 180_000);
  const db = new pg.Client({ connectionString: info.dbUrl });
  await db.connect();
  await db.query(`create policy "bench read" on realtime.messages for select to authenticated using ((select realtime.topic()) like 'bench:%')`);

  // Warm-up: the first joins load code, JIT and database connections; keep that out of the memory figure.
  await runLoad(info, `bench:${randomUUID()}`, 100).then((l) => l.send({ type: 'stop' }));

  const results: Array<{ n: number; offered: number; p50: number; p95: number; p99: number; mean: number; delivered: number; expected: number; perSecond: number; kbPerConnection: number }> = [];
  const insertTimes: number[] = [];
  for (const n of SIZES) {
    const topic = `bench:${randomUUID()}`;
    // Measure from a server with no socket left from the previous phase.
    let idle = await request<{ type: 'rss'; rss: number; sockets: number }>(srv, { type: 'rss' }, 'rss');
    for (let i = 0; i < 50 && idle.sockets > 0; i++) idle = await request(srv, { type: 'rss' }, 'rss');
    const rssBefore = idle.rss;
    const t0 = now();
    const loader = await runLoad(info, topic, n);
    console.log(`N=${n}: ${n} private channels joined in ${Math.round(now() - t0)} ms`);
    await new Promise((r) => setTimeout(r, 1_500)); // let the server settle, then read its memory
    const rssAfter = (await request<{ type: 'rss'; rss: number }>(srv, { type: 'rss' }, 'rss')).rss;

    // Latency: messages spaced out, each fanned out to all N sockets.
    const send = async (seq: number) => {
      const t = now();
      await db.query(`select realtime.send(jsonb_build_object('seq', $1::int, 't', $2::float8), 'tick', $3, true)`, [seq, t, topic]);
      insertTimes.push(now() - t);
    };
    for (let seq = 0; seq < LATENCY_MESSAGES; seq++) {
      await send(seq);
      await new Promise((r) => setTimeout(r, latencyGapMs(n)));
    }
    const expected = LATENCY_MESSAGES * n;
    const delivered = await waitForDeliveries(loader, expected, PHASE_TIMEOUT_MS);
    const report = await request<{ type: 'report'; latencies: number[] }>(loader, { type: 'report' }, 'report');
    const sorted = [...report.latencies].sort((a, b) => a - b);

    // Throughput: a burst sent as fast as a few concurrent writers can insert.
    await request(loader, { type: 'reset' }, 'reset');
    const burstStart = now();
    let next = 100_000;
    const last = next + BURST_MESSAGES;
    await Promise.all(Array.from({ length: BURST_CONCURRENCY }, async () => {
      const writer = new pg.Client({ connectionString: info.dbUrl });
      await writer.connect();
      while (next < last) {
        const seq = next++;
        await writer.query(`select realtime.send(jsonb_build_object('seq', $1::int, 't', $2::float8), 'tick', $3, true)`, [seq, now(), topic]);
      }
      await writer.end();
    }));
    const burstDelivered = await waitForDeliveries(loader, BURST_MESSAGES * n, PHASE_TIMEOUT_MS);
    const burstSeconds = (now() - burstStart) / 1000;

    loader.send({ type: 'stop' });
    results.push({
      n, delivered, expected, offered: Math.round((n * 1000) / latencyGapMs(n)),
      p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99),
      mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
      perSecond: burstDelivered / burstSeconds,
      kbPerConnection: (rssAfter - rssBefore) / n / 1024,
    });
  }
  await db.end();
  await request(srv, { type: 'stop' }, 'stopped', 60_000).catch(() => srv.kill('SIGKILL'));

  const ins = [...insertTimes].sort((a, b) => a - b);
  const base = { p50: percentile(ins, 50), p95: percentile(ins, 95), p99: percentile(ins, 99) };
  const f = (x: number) => x.toFixed(1).padStart(7);
  const r = (x: number, y: number) => `${(x / y).toFixed(2)}×`.padStart(7);
  console.log('\nDelivery latency, realtime.send() → private channel subscribers (ms; RLS-authorised joins)');
  for (const x of results) console.log(`  N=${x.n}: ${LATENCY_MESSAGES} messages, one every ${latencyGapMs(x.n)} ms (${x.offered} deliveries/s offered); msgs/s below is a burst of ${BURST_MESSAGES} from ${BURST_CONCURRENCY} writers`);
  console.log('                         p50     p95     p99    mean   delivered        msgs/s   KB/idle conn');
  for (const x of results) {
    console.log(`  N=${String(x.n).padEnd(5)} here        ${f(x.p50)} ${f(x.p95)} ${f(x.p99)} ${f(x.mean)}   ${`${x.delivered}/${x.expected}`.padStart(13)} ${Math.round(x.perSecond).toString().padStart(9)}   ${x.kbPerConnection.toFixed(1).padStart(8)}`);
    console.log(`           vs Supabase   ${r(x.p50, SUPABASE.p50)} ${r(x.p95, SUPABASE.p95)} ${r(x.p99, SUPABASE.p99)}   (Supabase published: ${SUPABASE.p50} / ${SUPABASE.p95} / ${SUPABASE.p99} ms)`);
  }
  console.log(`  baseline: the realtime.send() insert round trip alone, same run: ${f(base.p50)} ${f(base.p95)} ${f(base.p99)}`);
  for (const x of results) {
    console.log(`  N=${x.n}: delivery adds ${(x.p50 - base.p50).toFixed(1)} / ${(x.p95 - base.p95).toFixed(1)} / ${(x.p99 - base.p99).toFixed(1)} ms (p50/p95/p99) over the insert, ${(x.p50 / base.p50).toFixed(1)}× / ${(x.p95 / base.p95).toFixed(1)}× / ${(x.p99 / base.p99).toFixed(1)}× its round trip; p99 ${x.p99 < 100 ? 'under' : 'OVER'} 100 ms; ${x.kbPerConnection < 50 ? 'under' : 'OVER'} 50 KB per idle connection`);
  }
  const incomplete = results.filter((x) => x.delivered < x.expected);
  if (incomplete.length) {
    console.error(`Missing deliveries for N=${incomplete.map((x) => x.n).join(', ')}`);
    process.exitCode = 1;
  }
}

const run = role === 'server' ? server : role === 'load' ? load : main;
run().catch((err) => {
  console.error(err);
  if (process.send) process.send({ type: 'error', message: String(err?.stack ?? err) });
  process.exit(1);
});
