// Plan limits against the shared test stack: the database refuses what the account's plan does not
// allow, and every way in says so clearly — REST through the unmodified supabase-js client (402,
// PostgREST's PT402 answer) and the Edge Functions (402 `plan_limit_reached`). The AI-answer quota:
// 20 visitors sending at once at the quota's edge get exactly the answers that fit; the others are
// stored and wait for a person (`ai: 'paused', reason: 'quota'`), who can still reply.
// Limits are read from public.plans, so the tests follow the catalogue.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { db, fn, member, postJson, sendMessage, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');

interface Plan {
  websites: number;
  ai_answers_per_month: number;
  team_members: number;
  knowledge_sources: number;
}

async function plan(id: string): Promise<Plan> {
  const { rows } = await db(stack).query(`select websites, ai_answers_per_month, team_members, knowledge_sources from public.plans where id = $1`, [id]);
  return rows[0];
}

/** Puts the account on a paid plan the way the webhook does (its own tests are in billing-webhook). */
async function subscribe(accountId: string, planId: string) {
  await db(stack).query(`select private.apply_stripe_subscription($1, now(), null, $2, $3, 'active', null, null, false)`,
    [accountId, `sub_test_${randomUUID().replace(/-/g, '')}`, planId]);
}

async function expectPlanLimit(res: Response, pattern: RegExp) {
  expect(res.status).toBe(402);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = await res.json();
  expect(body).toEqual({ error: { code: 'plan_limit_reached', message: expect.stringMatching(pattern) } });
  expect(body.error.message).toMatch(/Upgrade the plan on the Billing page/);
}

describe('websites per account', () => {
  it("REST refuses a website beyond the plan with 402 and the database's message, detail and hint", async () => {
    const free = await plan('free');
    const owner = await member(stack);
    for (let i = 0; i < free.websites; i++) {
      const { error } = await owner.client.from('websites').insert({ name: `Site ${i}` }).select('id').single();
      expect(error).toBeNull();
    }
    const { data, error, status } = await owner.client.from('websites').insert({ name: 'One too many' }).select('id').single();
    expect(data).toBeNull();
    expect(status).toBe(402);
    expect(error).toMatchObject({
      code: 'PT402',
      message: `Plan limit reached: the Free plan allows ${free.websites} websites per account.`,
      details: `websites: ${free.websites} used of ${free.websites} on the free plan.`,
      hint: 'Upgrade the plan on the Billing page, or delete a website first.',
    });

    await subscribe(owner.userId, 'pro');
    const { error: onPro } = await owner.client.from('websites').insert({ name: 'On Pro' }).select('id').single();
    expect(onPro).toBeNull();
  });

  it("20 concurrent creations at the edge: exactly the plan's number succeed", async () => {
    const free = await plan('free');
    const owner = await member(stack);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      owner.client.from('websites').insert({ name: `Race ${i}` }).select('id').single()));
    expect(results.filter((r) => r.error === null)).toHaveLength(free.websites);
    expect(results.filter((r) => r.status === 402 && r.error?.code === 'PT402')).toHaveLength(20 - free.websites);
    const { rows } = await db(stack).query(`select count(*)::int as n from public.websites where account_id = $1`, [owner.userId]);
    expect(rows[0].n).toBe(free.websites);
  });
});

describe('team members per account', () => {
  it('REST (add_website_member) and the team function refuse a member beyond the plan; outsiders learn nothing', async () => {
    const free = await plan('free');
    const owner = await member(stack);
    const siteId = await website(stack, owner);
    const people = await Promise.all(Array.from({ length: free.team_members + 1 }, () => member(stack)));
    // The account holder is one place; fill the others.
    for (const p of people.slice(0, free.team_members - 1)) {
      const { error } = await owner.client.rpc('add_website_member', { site_id: siteId, member_email: p.email });
      expect(error).toBeNull();
    }
    const next = people[free.team_members - 1];
    const { error, status } = await owner.client.rpc('add_website_member', { site_id: siteId, member_email: next.email });
    expect(status).toBe(402);
    expect(error).toMatchObject({ code: 'PT402', message: `Plan limit reached: the Free plan allows ${free.team_members} team members per account (the account holder included).` });

    await expectPlanLimit(await postJson(stack, 'team', { website_id: siteId, email: next.email }, owner.token, { origin: 'http://127.0.0.1:54323' }),
      /^Plan limit reached: the Free plan allows \d+ team members per account/);

    // An agent of the website, who may not add members, gets RLS's answer rather than the plan's.
    const agent = people[0];
    const { status: agentStatus, error: agentError } = await agent.client.from('website_members').insert({ website_id: siteId, user_id: next.userId });
    expect(agentStatus).toBe(403);
    expect(agentError?.code).toBe('42501');

    const { rows } = await db(stack).query(`select count(*)::int as n from public.website_members where website_id = $1`, [siteId]);
    expect(rows[0].n).toBe(free.team_members);
  });
});

describe('knowledge sources per website', () => {
  it('the knowledge function and REST refuse a source beyond the plan (402)', async () => {
    const free = await plan('free');
    const owner = await member(stack);
    const siteId = await website(stack, owner);
    // Fill up to one below the limit directly (setup), then take the last place through the function.
    await db(stack).query(
      `insert into public.knowledge_sources (website_id, kind, title, status) select $1, 'text', 'Source ' || n, 'ready' from generate_series(1, $2::int) n`,
      [siteId, free.knowledge_sources - 1]);
    const last = await postJson(stack, 'knowledge', { website_id: siteId, kind: 'text', content: 'We repair bikes on Saturdays.' }, owner.token);
    expect(last.status).toBe(202);

    await expectPlanLimit(await postJson(stack, 'knowledge', { website_id: siteId, kind: 'text', content: 'One too many.' }, owner.token),
      new RegExp(`^Plan limit reached: the Free plan allows ${free.knowledge_sources} knowledge sources per website\\.`));
    const { status, error } = await owner.client.from('knowledge_sources').insert({ website_id: siteId, kind: 'text', title: 'Via REST' });
    expect(status).toBe(402);
    expect(error?.code).toBe('PT402');

    // On a paid plan there is room again.
    await subscribe(owner.userId, 'pro');
    const { error: onPro } = await owner.client.from('knowledge_sources').insert({ website_id: siteId, kind: 'text', title: 'On Pro' });
    expect(onPro).toBeNull();
  });
});

describe('AI answers per month', () => {
  it('20 concurrent messages at the quota’s edge: exactly the answers that fit, the rest wait for a person', async () => {
    const free = await plan('free');
    const owner = await member(stack);
    const siteId = await website(stack, owner);
    const FITS = 5;
    // This month's usage, five answers short of the quota (as if the month had been busy).
    await db(stack).query(
      `insert into public.usage_counters (account_id, website_id, metric, period_start, count)
       values ($1, $2, 'ai_answers', date_trunc('month', now() at time zone 'utc')::date, $3)`,
      [owner.userId, siteId, free.ai_answers_per_month - FITS]);

    const visitors = await Promise.all(Array.from({ length: 20 }, () => visitor(stack)));
    const results = await Promise.all(visitors.map((v) => sendMessage(stack, v, { website_id: siteId, content: 'When are you open on Saturday?' })));
    expect(results.every((r) => r.res.status === 200)).toBe(true);
    const answered = results.filter((r) => r.events.length > 0);
    const paused = results.filter((r) => r.json);
    expect(answered).toHaveLength(FITS);
    for (const r of answered) expect(r.events.at(-1)!.event).toBe('done');
    expect(paused).toHaveLength(20 - FITS);
    for (const r of paused) {
      expect(r.json).toMatchObject({ ai: 'paused', reason: 'quota', duplicate: false, message: { sender: 'user', content: 'When are you open on Saturday?' } });
    }

    const { rows: usage } = await db(stack).query(
      `select metric, sum(count)::int as n from public.usage_counters where account_id = $1 group by metric order by metric`, [owner.userId]);
    expect(usage).toEqual([{ metric: 'ai_answers', n: free.ai_answers_per_month }, { metric: 'ai_answers_skipped', n: 20 - FITS }]);
    const { rows: [counts] } = await db(stack).query(
      `select count(*) filter (where sender = 'assistant')::int as answers, count(*) filter (where sender = 'user')::int as questions,
              count(*) filter (where metadata -> 'ai' ->> 'reason' = 'quota')::int as skipped
       from public.messages where website_id = $1`, [siteId]);
    expect(counts).toEqual({ answers: FITS, questions: 20, skipped: 20 - FITS });

    // The owner sees why on the billing page (GET billing needs no Stripe key).
    const billing = await (await fn(stack, 'billing', { token: owner.token })).json();
    expect(billing).toMatchObject({ ai_paused: true, usage: { ai_answers: { used: free.ai_answers_per_month, limit: free.ai_answers_per_month, skipped: 20 - FITS } } });

    // A person can still reply, and a retried send of a skipped message stays paused.
    const waiting = paused[0].json;
    const { rows: [conv] } = await db(stack).query(`select needs_human from public.conversations where id = $1`, [waiting.conversation_id]);
    expect(conv.needs_human).toBe(true);
    const { error } = await owner.client.from('messages').insert({ conversation_id: waiting.conversation_id, sender: 'agent', content: 'We open at 10 on Saturdays.' });
    expect(error).toBeNull();
    const v = visitors[results.indexOf(paused[0])];
    const retry = await sendMessage(stack, v, { website_id: siteId, conversation_id: waiting.conversation_id, client_id: waiting.message.client_id, content: 'When are you open on Saturday?' });
    expect(retry.json).toMatchObject({ ai: 'paused', reason: 'quota', duplicate: true, message: { id: waiting.message.id } });
  });

  it('a paid plan raises the quota: the same account answers again after subscribing', async () => {
    const free = await plan('free');
    const owner = await member(stack);
    const siteId = await website(stack, owner);
    await db(stack).query(
      `insert into public.usage_counters (account_id, website_id, metric, period_start, count)
       values ($1, $2, 'ai_answers', date_trunc('month', now() at time zone 'utc')::date, $3)`,
      [owner.userId, siteId, free.ai_answers_per_month]);
    const v = await visitor(stack);
    expect((await sendMessage(stack, v, { website_id: siteId, content: 'Do you rent bikes?' })).json).toMatchObject({ ai: 'paused', reason: 'quota' });
    await subscribe(owner.userId, 'pro');
    const after = await sendMessage(stack, v, { website_id: siteId, content: 'Do you rent bikes?' });
    expect(after.events.map((e) => e.event)).toContain('done');
  });
});
