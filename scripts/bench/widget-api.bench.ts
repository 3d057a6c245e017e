// Widget API benchmark, on a private stack whose functions talk to a FAKE OpenAI-compatible server
// (tests/support/fake-openai.ts) running in this process, so both ends of each measurement use
// the same clock:
//   - time-to-first-token overhead: first `delta` at the client minus the fake provider's first
//     chunk write, p50/p95 over N requests; baseline: the same fake streamed straight to the client
//     (no Emily in between). Also the time from sending to the first SSE event (`conversation`).
//   - widget-init and widget-conversations p50/p95; baseline: a trivial fixture function
//     (public-echo) through the same gateway and functions host.
//   - ingestion throughput (passages per second) of one large text source through `knowledge`;
//     baseline: inserting the same passages with one multi-row INSERT from here.
//   - the offline (extractive) engine's time per answer, in process, on the demo knowledge base's
//     retrieved passages; baseline: the full-text retrieval of the same question (one SQL call).
// Bounded: N requests each (BENCH_WIDGET_N, default 100), the whole run stops within ~3 minutes.
// The bench's own account is on the business plan: N + 5 AI answers are more than the free plan's
// monthly quota, after which messages would wait for a person instead of streaming.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../stack/config.ts';
import { extractAnswer } from '../../supabase/functions/_shared/answer/extractive.ts';
import type { Passage } from '../../supabase/functions/_shared/answer/types.ts';
import { startFakeOpenAi, FAKE_MODEL } from '../../tests/support/fake-openai.ts';
import { startTestStack } from '../../tests/support/stack.ts';
import { closeDb, db, eventually, fn, member, postJson, readSse, subscribe, visitor, website } from '../../tests/integration/widget-api.support.ts';

const N = Number(process.env.BENCH_WIDGET_N ?? 100);
const DEADLINE = Date.now() + 180_000;
const now = () => performance.timeOrigin + performance.now();

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const fmt = (v: number) => `${v.toFixed(1)} ms`;
function line(name: string, values: number[], baseline?: number[]) {
  const p50 = pct(values, 50);
  const p95 = pct(values, 95);
  let out = `${name.padEnd(46)} p50 ${fmt(p50).padStart(9)}   p95 ${fmt(p95).padStart(9)}`;
  if (baseline) {
    const b50 = pct(baseline, 50);
    out += `   | baseline p50 ${fmt(b50)} p95 ${fmt(pct(baseline, 95))}   ratio p50 ${(p50 / Math.max(b50, 0.001)).toFixed(2)}×`;
  }
  console.log(out);
}
function bounded() {
  if (Date.now() > DEADLINE) throw new Error('benchmark exceeded its time bound');
}

const fake = await startFakeOpenAi();
fake.tokenDelayMs = 2;
const running = await startTestStack({
  verbose: false,
  functions: {
    passEnv: [],
    env: {
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_MODEL: FAKE_MODEL,
      EMILY_RATE_LIMIT_VISITOR: '100000',
      EMILY_RATE_LIMIT_WEBSITE: '100000',
      EMILY_RATE_LIMIT_READS: '100000',
      EMILY_RATE_LIMIT_PUBLIC: '100000',
      // 100+ AI answers from one loopback address: the per-address AI limit (60/min) would refuse them.
      EMILY_RATE_LIMIT_AI_PER_ADDRESS: '100000',
    },
  },
}, { noStatic: true });
const stack = running.info;

try {
  const owner = await member(stack);
  await subscribe(stack, owner.userId, 'business');
  const site = await website(stack, owner, { name: 'Bench Cycles', ai_instructions: 'Be brief.' });
  const { rows: [plan] } = await db(stack).query(`select ai_answers_per_month from private.account_plan($1)`, [owner.userId]);
  if (plan.ai_answers_per_month !== null && plan.ai_answers_per_month < N + 5) {
    throw new Error(`the bench account's plan allows ${plan.ai_answers_per_month} AI answers a month; the bench sends ${N + 5}`);
  }
  const fixture = join(ROOT_DIR, 'tests', 'fixtures', 'knowledge', 'alpine-outfitters');
  const docs = readdirSync(fixture).filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => readFileSync(join(fixture, f), 'utf8'));
  for (const doc of docs) {
    const res = await postJson(stack, 'knowledge', { website_id: site, kind: 'text', content: doc.replace(/^# .*\n/, '') }, owner.token);
    if (res.status !== 202) throw new Error(`knowledge: ${res.status} ${await res.text()}`);
  }
  await eventually(async () => {
    const { rows } = await db(stack).query(`select bool_and(status = 'ready') as ok from public.knowledge_sources where website_id = $1`, [site]);
    return rows[0].ok;
  }, 30_000);
  const v = await visitor(stack);
  console.log(`Widget API benchmark: ${N} requests per figure, fake provider ${fake.baseUrl} (token delay ${fake.tokenDelayMs} ms)\n`);

  // ── time to first token ────────────────────────────────────────────────────────────────
  const questions = ['How much is a ski wax?', 'Do you deliver to Austria?', 'When are you open on Sunday?', 'How long are gift vouchers valid?'];
  const overhead: number[] = [];
  const toFirstEvent: number[] = [];
  const toFirstDelta: number[] = [];
  let conversationId: string | undefined;
  for (let i = 0; i < N + 5; i++) {
    bounded();
    const t0 = now();
    const res = await postJson(stack, 'widget-messages', {
      website_id: site, content: questions[i % questions.length], client_id: randomUUID(),
      // Every 10 messages a new conversation, so history stays realistic (a few turns).
      ...(conversationId && i % 10 ? { conversation_id: conversationId } : {}),
    }, v.token);
    let first: number | undefined;
    let firstEvent: number | undefined;
    const events = await readSse(res, (e) => {
      firstEvent ??= e.at;
      if (e.event === 'delta') first ??= e.at;
    });
    if (events.at(-1)?.event !== 'done') {
      throw new Error(`stream did not finish (request ${i + 1}, HTTP ${res.status} ${res.headers.get('content-type')}): ${JSON.stringify(events.at(-1) ?? null)}`);
    }
    conversationId = events[0].data.conversation_id;
    const providerFirst = fake.chatRequests.at(-1)!.firstChunkAt!;
    if (i < 5) continue; // warm-up
    overhead.push(first! - providerFirst);
    toFirstEvent.push(firstEvent! - t0);
    toFirstDelta.push(first! - t0);
  }
  // Baseline: the fake provider streamed straight to this client.
  const direct: number[] = [];
  for (let i = 0; i < N; i++) {
    bounded();
    const res = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: JSON.stringify({ model: FAKE_MODEL, stream: true, messages: [{ role: 'system', content: '<passage id="1" title="x">\nHello there.\n</passage>' }, { role: 'user', content: 'hi' }] }),
    });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    const at = now();
    if (!value) throw new Error('no chunk');
    direct.push(at - fake.chatRequests.at(-1)!.firstChunkAt!);
    while (!(await reader.read()).done) { /* drain */ }
  }
  line('TTFT overhead (client delta − provider chunk)', overhead, direct);
  line('send → first SSE event (conversation)', toFirstEvent);
  line('send → first delta (incl. retrieval, fake model)', toFirstDelta);

  // ── widget-init and widget-conversations ───────────────────────────────────────────────
  const echo: number[] = [];
  for (let i = 0; i < N; i++) {
    bounded();
    const t0 = now();
    const res = await fn(stack, 'public-echo', {});
    await res.arrayBuffer();
    echo.push(now() - t0);
  }
  const timed = async (path: string, token?: string) => {
    const values: number[] = [];
    for (let i = 0; i < N; i++) {
      bounded();
      const t0 = now();
      const res = await fn(stack, path, { token });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      values.push(now() - t0);
    }
    return values;
  };
  console.log('');
  line('widget-init', await timed(`widget-init?website_id=${site}`), echo);
  line('widget-conversations (list)', await timed(`widget-conversations?website_id=${site}`, v.token), echo);
  const { rows: [m] } = await db(stack).query(
    `select id from public.messages where conversation_id = $1 order by created_at limit 1`, [conversationId]);
  line('widget-conversations (messages after id)', await timed(`widget-conversations/${conversationId}/messages?after=${m.id}`, v.token), echo);

  // ── ingestion throughput ───────────────────────────────────────────────────────────────
  const big = Array.from({ length: 20 }, (_, i) => docs.map((d) => d.replace(/^# .*\n/, '').replace(/euros/g, `euros (edition ${i})`)).join('\n\n')).join('\n\n');
  const t0 = now();
  const res = await postJson(stack, 'knowledge', { website_id: site, kind: 'text', title: 'Big', content: big.slice(0, 60_000) }, owner.token);
  const { source } = await res.json();
  const done = await eventually(async () => {
    const { rows } = await db(stack).query(`select status, chunk_count from public.knowledge_sources where id = $1`, [source.id]);
    return rows[0].status === 'ready' ? rows[0] : undefined;
  }, 60_000, 20);
  const ingestMs = now() - t0;
  const { rows: chunks } = await db(stack).query(`select content from public.knowledge_chunks where source_id = $1 order by position`, [source.id]);
  const b0 = now();
  await db(stack).query(
    `with s as (insert into public.knowledge_sources (website_id, kind, title, status) values ($1, 'text', 'baseline', 'ready') returning id)
     insert into public.knowledge_chunks (source_id, website_id, position, content)
     select s.id, $1, c.ord - 1, c.content from s, unnest($2::text[]) with ordinality as c(content, ord)`,
    [site, chunks.map((c) => c.content)]);
  const baselineMs = now() - b0;
  const rate = done.chunk_count / (ingestMs / 1000);
  const baseRate = chunks.length / (baselineMs / 1000);
  console.log(`\ningestion: ${done.chunk_count} passages (${(big.slice(0, 60_000).length / 1000).toFixed(0)} kB text) in ${ingestMs.toFixed(0)} ms → ${rate.toFixed(0)} passages/s` +
    `   | baseline (one INSERT of the same passages) ${baseRate.toFixed(0)} passages/s   ratio ${(rate / baseRate).toFixed(2)}×`);
  // ── offline engine ────────────────────────────────────────────────────────────────────
  const demoQuestions = [
    'How much is a puncture repair?', 'When are you open on Saturday?', 'Where is the shop?', 'Do you repair e-bikes?',
    'How long does a full service take?', 'How much is delivery?', 'What brands do you sell?', 'Do you sell sailing boats or kayaks?',
  ];
  const retrieval: number[] = [];
  const passagesOf = new Map<string, Passage[]>();
  for (let i = 0; i < N; i++) {
    bounded();
    const question = demoQuestions[i % demoQuestions.length];
    const r0 = now();
    const { rows } = await db(stack).query(
      `select chunk_id, source_id, content, title, url, rank from public.match_knowledge($1, $2, 20)`, [stack.demo.websiteId, question]);
    retrieval.push(now() - r0);
    passagesOf.set(question, rows.slice(0, 5).map((r) => ({ id: r.chunk_id, sourceId: r.source_id, content: r.content, title: r.title, url: r.url, score: r.rank })));
  }
  const engine: number[] = [];
  for (let i = 0; i < N * 10; i++) {
    const question = demoQuestions[i % demoQuestions.length];
    const e0 = now();
    extractAnswer(question, passagesOf.get(question)!, 'en', { websiteName: 'Northside Cycles' });
    engine.push(now() - e0);
  }
  console.log('');
  line('offline engine, one answer (demo KB, in process)', engine, retrieval);

  const p50 = pct(overhead, 50);
  console.log(`\nTTFT overhead p50 ${fmt(p50)} (aim < 30 ms): ${p50 < 30 ? 'met' : 'NOT met'}`);
} finally {
  await closeDb(stack);
  await running.stop();
  await fake.close();
}
