// Database benchmark (issue 4): the hot read paths under RLS and the cost of the message triggers,
// on synthetic data (100 websites, 100,000 conversations, 1,000,000 messages) in a private stack.
//
//   1. inbox: a website's 50 most recently active conversations, as its owner
//   2. catch-up: a conversation's messages after a given message, as its visitor
//   3. the visitor's conversation list on a website, as that visitor
// Each runs as the real role with the JWT claims set (RLS on), exactly as the REST API runs a
// request; p50/p95 of the query round trip, its plan (must use indexes: no sequential scan of
// conversations or messages), and the ratio against a baseline measured in the same run: the same
// query as the superuser (no RLS).
//   4. triggers: messages inserted per second with the message triggers (website copy, conversation
//      bookkeeping, three realtime broadcasts), with the bookkeeping only, and, as the baseline,
//      with none.
//
// `npm run bench -- db`. BENCH_DB_SCALE (default 1) scales the data for a quick look.
import pg from 'pg';
import { asRole } from '../stack/db.ts';
import { startTestStack } from '../../tests/support/stack.ts';

const SCALE = Math.max(0.01, Number(process.env.BENCH_DB_SCALE ?? 1));
const WEBSITES = 100;
const CONVERSATIONS = Math.round(100_000 * SCALE);
const VISITORS = CONVERSATIONS / 2; // two conversations per visitor
const MESSAGES_PER_CONVERSATION = 10;
const LOAD_BATCH = Math.max(1, Math.round(CONVERSATIONS / 10));
const ITERATIONS = 400;
const WARMUP = 40;
const INSERTS_PER_ROUND = 3000;
const ROUNDS = 3;
const TIME_LIMIT_MS = 20 * 60_000;
const P95_AIM_MS = 10;

type Claims = Record<string, unknown>;
interface Sample { website: string; owner: string; conversation: string; visitor: string; message: string }

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (n: number) => `${n.toFixed(2)} ms`;

log('starting a private stack (temp cluster, free ports)…');
const stack = await startTestStack({}, { noStatic: true });
const deadline = setTimeout(() => {
  console.error(`db.bench: over the ${TIME_LIMIT_MS / 60_000} min limit, stopping`);
  void stack.stop().finally(() => process.exit(2));
}, TIME_LIMIT_MS);
deadline.unref();

const admin = new pg.Client({ connectionString: stack.info.dbUrl, application_name: 'db.bench' });
await admin.connect();
let failed = false;

try {
  await load();
  const samples = await pickSamples();
  const ownerClaims = (s: Sample): Claims => ({ sub: s.owner, role: 'authenticated', aud: 'authenticated', is_anonymous: false });
  const visitorClaims = (s: Sample): Claims => ({ sub: s.visitor, role: 'authenticated', aud: 'authenticated', is_anonymous: true });

  const queries: Array<{ name: string; sql: string; params: (s: Sample) => unknown[]; claims: (s: Sample) => Claims }> = [
    {
      name: 'inbox (50 by last activity, as the owner)',
      sql: `select id, visitor_id, title, last_message_preview, last_message_sender, last_message_at, ai_mode, status,
              needs_human, agent_unread_count
            from public.conversations where website_id = $1
            order by last_message_at desc, id desc limit 50`,
      params: (s) => [s.website],
      claims: ownerClaims,
    },
    {
      name: 'messages after a given id (as the visitor)',
      sql: `select m.id, m.sender, m.content, m.metadata, m.created_at from public.messages m
            where m.conversation_id = $1
              and (m.created_at, m.id) > (select a.created_at, a.id from public.messages a where a.id = $2 and a.conversation_id = $1)
            order by m.created_at, m.id limit 100`,
      params: (s) => [s.conversation, s.message],
      claims: visitorClaims,
    },
    {
      name: 'visitor\'s conversation list (as the visitor)',
      sql: `select id, title, last_message_preview, last_message_at, ai_mode, status, visitor_unread_count
            from public.conversations where website_id = $1 and visitor_id = $2
            order by last_message_at desc limit 20`,
      params: (s) => [s.website, s.visitor],
      claims: visitorClaims,
    },
  ];

  console.log('\n━━ Read paths (RLS on, as the real role) ━━');
  const summary: string[] = [];
  for (const q of queries) {
    const plan = await explain(q.sql, q.params(samples[0]), q.claims(samples[0]));
    const seqScan = /Seq Scan on (conversations|messages)\b/.test(plan);
    const withRls = await measure(samples, (client, s) => client.query(q.sql, q.params(s)), (s) => q.claims(s));
    const rows = await rowCount(q.sql, q.params(samples[0]), q.claims(samples[0]));
    const baseline = await measureSuperuser(samples, (s) => admin.query(q.sql, q.params(s)));
    console.log(`\n▸ ${q.name}`);
    console.log(`  rows ${rows}; p50 ${ms(withRls.p50)}  p95 ${ms(withRls.p95)}  (${ITERATIONS} runs)`);
    console.log(`  baseline, superuser without RLS: p50 ${ms(baseline.p50)}  p95 ${ms(baseline.p95)}  → RLS/baseline p50 ×${(withRls.p50 / baseline.p50).toFixed(2)}`);
    console.log(`  plan:\n${plan.split('\n').map((l) => `    ${l}`).join('\n')}`);
    if (seqScan) { failed = true; console.log('  ✘ sequential scan of a large table'); }
    if (!rows) { failed = true; console.log('  ✘ the query returned no rows: the benchmark measured nothing'); }
    summary.push(`${withRls.p95 <= P95_AIM_MS && !seqScan ? '✔' : '✘'} ${q.name}: p50 ${ms(withRls.p50)}, p95 ${ms(withRls.p95)} (aim p95 < ${P95_AIM_MS} ms), ×${(withRls.p50 / baseline.p50).toFixed(2)} vs no RLS${seqScan ? ', SEQ SCAN' : ''}`);
  }

  console.log('\n━━ Trigger cost per inserted message ━━');
  const triggers = await triggerCost();
  summary.push(`  triggers: ${triggers}`);

  console.log('\n━━ Summary ━━');
  console.log(`data: ${WEBSITES} websites, ${CONVERSATIONS.toLocaleString('en')} conversations, ${(CONVERSATIONS * MESSAGES_PER_CONVERSATION).toLocaleString('en')} messages`);
  for (const line of summary) console.log(line);
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  clearTimeout(deadline);
  await admin.end().catch(() => {});
  await stack.stop();
  log(failed ? 'done, with failures' : 'done');
  process.exit(failed ? 1 : 0);
}

/** Generates the data with set-based SQL; triggers and FK checks are off while loading (the data is consistent by construction). */
async function load(): Promise<void> {
  log(`generating ${WEBSITES} websites, ${VISITORS.toLocaleString('en')} visitors, ${CONVERSATIONS.toLocaleString('en')} conversations…`);
  await admin.query(`set session_replication_role = replica`);
  await admin.query(`
    create schema bench;
    create table bench.sites as
      select n, gen_random_uuid() as id, gen_random_uuid() as owner from generate_series(1, ${WEBSITES}) n;
    create table bench.visitors as
      select n, gen_random_uuid() as id, ((n - 1) % ${WEBSITES}) + 1 as site_n from generate_series(1, ${VISITORS}) n;
    create table bench.conversations as
      select c as n, gen_random_uuid() as id, s.id as site, v.id as visitor,
        now() - interval '30 days' * random() as created
      from generate_series(1, ${CONVERSATIONS}) c
      join bench.visitors v on v.n = ((c - 1) % ${VISITORS}) + 1
      join bench.sites s on s.n = v.site_n;
    create index on bench.conversations (n);

    insert into auth.users (instance_id, id, aud, role, email, is_anonymous, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', owner, 'authenticated', 'authenticated',
        'bench-owner-' || n || '@bench.emily.local', false, now(), now() from bench.sites;
    insert into public.websites (id, account_id, name) select id, owner, 'Bench site ' || n from bench.sites;
    insert into public.website_members (website_id, user_id, role) select id, owner, 'owner' from bench.sites;
    insert into public.website_secrets (website_id) select id from bench.sites;
    insert into auth.users (instance_id, id, aud, role, is_anonymous, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated', true, now(), now() from bench.visitors;
    insert into public.visitors (website_id, user_id, locale, first_seen_at, last_seen_at)
      select s.id, v.id, 'en', now() - interval '30 days', now() from bench.visitors v join bench.sites s on s.n = v.site_n;
    insert into public.conversations (id, website_id, visitor_id, ai_mode, status, title, last_message_at,
        last_message_preview, last_message_sender, needs_human, agent_unread_count, created_at, updated_at)
      select id, site, visitor,
        case when n % 10 = 0 then 'paused' else 'auto' end,
        case when n % 7 = 0 then 'closed' else 'open' end,
        'Question number ' || n, created + interval '10 minutes',
        'Answer ten of conversation ' || n, 'assistant', n % 13 = 0, n % 3, created, created + interval '10 minutes'
      from bench.conversations;
  `);
  log('conversations loaded');
  const total = CONVERSATIONS * MESSAGES_PER_CONVERSATION;
  for (let from = 1; from <= CONVERSATIONS; from += LOAD_BATCH) {
    const to = Math.min(CONVERSATIONS, from + LOAD_BATCH - 1);
    await admin.query(`
      insert into public.messages (conversation_id, website_id, sender, content, client_id, metadata, created_at, updated_at)
      select c.id, c.site,
        case when k % 2 = 1 then 'user' else 'assistant' end,
        case when k % 2 = 1 then 'Question ' || k || ' of conversation ' || c.n || ': how much is a tune-up and when are you open?'
             else 'Answer ' || k || ': a basic tune-up costs €49; we are open Monday to Saturday. [1]' end,
        case when k % 2 = 1 then gen_random_uuid() end,
        case when k % 2 = 0 then '{"sources": [{"title": "Repairs"}], "model": "offline"}'::jsonb else '{}'::jsonb end,
        c.created + k * interval '1 minute', c.created + k * interval '1 minute'
      from bench.conversations c cross join generate_series(1, ${MESSAGES_PER_CONVERSATION}) k
      where c.n between $1 and $2`, [from, to]);
    const done = to * MESSAGES_PER_CONVERSATION;
    log(`messages ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.round((100 * done) / total)}%)`);
  }
  await admin.query(`set session_replication_role = origin`);
  log('vacuum analyze…');
  await admin.query(`vacuum analyze auth.users, public.websites, public.website_members, public.visitors, public.conversations, public.messages`);
  const { rows } = await admin.query(`select pg_size_pretty(pg_total_relation_size('public.messages')) as messages,
    pg_size_pretty(pg_total_relation_size('public.conversations')) as conversations`);
  log(`loaded: messages ${rows[0].messages}, conversations ${rows[0].conversations} (tables + indexes)`);
}

/** Random (website, owner, conversation, visitor, third message) tuples to query with. */
async function pickSamples(): Promise<Sample[]> {
  const { rows } = await admin.query<Sample>(`
    select c.site as website, s.owner, c.id as conversation, c.visitor,
      (select m.id from public.messages m where m.conversation_id = c.id order by m.created_at, m.id offset 2 limit 1) as message
    from (select * from bench.conversations order by random() limit ${ITERATIONS + WARMUP}) c
    join bench.sites s on s.id = c.site`);
  return rows;
}

async function explain(sql: string, params: unknown[], claims: Claims): Promise<string> {
  return asRole(stack.context.pool, claims, async (client) => {
    const { rows } = await client.query(`explain (analyze, costs off, summary off) ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }, { readOnly: true });
}

async function rowCount(sql: string, params: unknown[], claims: Claims): Promise<number> {
  return asRole(stack.context.pool, claims, async (client) => (await client.query(sql, params)).rowCount ?? 0, { readOnly: true });
}

/** Query round trips as the role with claims, one request transaction each (as the REST API does). */
async function measure(
  samples: Sample[], run: (client: pg.PoolClient, s: Sample) => Promise<unknown>, claims: (s: Sample) => Claims,
): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const s = samples[i % samples.length];
    const t = await asRole(stack.context.pool, claims(s), async (client) => {
      const start = performance.now();
      await run(client, s);
      return performance.now() - start;
    }, { readOnly: true });
    if (i >= WARMUP) times.push(t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function measureSuperuser(samples: Sample[], run: (s: Sample) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const s = samples[i % samples.length];
    const start = performance.now();
    await run(s);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/**
 * Inserts one message per statement in a server-side loop (no client round trips, so only the
 * database's work is timed), each into a different conversation (as real traffic spreads over
 * conversations; repeated updates of a few rows would measure their bloat instead). Rounds rotate
 * through three modes: all triggers; bookkeeping only (the broadcast triggers disabled); none
 * (`disable trigger user`, the baseline: the foreign keys stay checked). Returns the summary line.
 */
async function triggerCost(): Promise<string> {
  await admin.query(`create table bench.targets as
    select id as conversation, site as website, row_number() over (order by random()) as n from bench.conversations;
    create index on bench.targets (n)`);
  const modes = {
    all: [`alter table public.messages enable trigger user`, `alter table public.conversations enable trigger user`],
    bookkeeping: [`alter table public.messages enable trigger user`, `alter table public.messages disable trigger broadcast_message_insert`,
      `alter table public.conversations disable trigger broadcast_conversation_update`],
    none: [`alter table public.messages disable trigger user`],
  };
  const rates: Record<keyof typeof modes, number[]> = { all: [], bookkeeping: [], none: [] };
  let offset = 0;
  let broadcasts = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of Object.keys(modes) as Array<keyof typeof modes>) {
      await admin.query(`alter table public.messages enable trigger user; alter table public.conversations enable trigger user`);
      for (const statement of modes[mode]) await admin.query(statement);
      const before = Number((await admin.query(`select count(*) from realtime.messages`)).rows[0].count);
      const start = performance.now();
      await admin.query(`
        do $$
        declare
          target record;
        begin
          for i in 1..${INSERTS_PER_ROUND} loop
            select conversation, website into target from bench.targets where n = 1 + (${offset} + i - 1) % ${CONVERSATIONS};
            insert into public.messages (conversation_id, website_id, sender, content, client_id)
            values (target.conversation, target.website, 'user', 'Bench message ' || i || ': do you repair e-bikes?', gen_random_uuid());
          end loop;
        end
        $$`);
      const rate = INSERTS_PER_ROUND / ((performance.now() - start) / 1000);
      offset += INSERTS_PER_ROUND;
      rates[mode].push(rate);
      if (mode === 'all') broadcasts += Number((await admin.query(`select count(*) from realtime.messages`)).rows[0].count) - before;
      log(`round ${round}, ${mode === 'all' ? 'all triggers' : mode === 'bookkeeping' ? 'bookkeeping only' : 'no triggers'}: ${Math.round(rate).toLocaleString('en')} inserts/s`);
    }
  }
  await admin.query(`alter table public.messages enable trigger user; alter table public.conversations enable trigger user`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const all = median(rates.all);
  const bookkeeping = median(rates.bookkeeping);
  const none = median(rates.none);
  const us = (rate: number) => 1e6 / rate;
  const line = `${Math.round(all).toLocaleString('en')} inserts/s with all triggers vs ${Math.round(none).toLocaleString('en')} ` +
    `without (baseline) → ×${(all / none).toFixed(2)}; per message ${Math.round(us(all))} µs vs ${Math.round(us(none))} µs: ` +
    `+${Math.round(us(bookkeeping) - us(none))} µs conversation bookkeeping, +${Math.round(us(all) - us(bookkeeping))} µs broadcasts ` +
    `(${(broadcasts / (ROUNDS * INSERTS_PER_ROUND)).toFixed(1)} realtime.messages rows per message)`;
  console.log(line);
  return line;
}
