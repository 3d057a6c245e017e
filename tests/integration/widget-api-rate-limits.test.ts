// Rate limits cannot be turned against other visitors (security review H1): a visitor far over its
// own limit uses up nothing of its website's budget, the widget's catch-up is limited per visitor
// only, and AI answers also have a per-client-address budget (anonymous sessions are free to make).
// A private stack with low limits and one-hour windows, so a window boundary cannot split a burst.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { startTestStack } from '../support/stack.ts';
import { closeDb, db, fn, member, postJson, type StackInfo, visitor, website } from './widget-api.support.ts';

const PER_VISITOR = 5;
const PER_WEBSITE = 30;
const AI_PER_ADDRESS = 12;
let running: RunningStack;
let stack: StackInfo;

beforeAll(async () => {
  running = await startTestStack({
    functions: {
      passEnv: [],
      env: {
        EMILY_RATE_LIMIT_VISITOR: String(PER_VISITOR),
        EMILY_RATE_LIMIT_READS: String(PER_VISITOR),
        EMILY_RATE_LIMIT_IDENTIFY: String(PER_VISITOR),
        EMILY_RATE_LIMIT_WEBSITE: String(PER_WEBSITE),
        EMILY_RATE_LIMIT_AI_PER_ADDRESS: String(AI_PER_ADDRESS),
        EMILY_RATE_LIMIT_VISITOR_WINDOW_S: '3600',
        EMILY_RATE_LIMIT_WEBSITE_WINDOW_S: '3600',
      },
    },
  }, { noStatic: true });
  stack = running.info;
}, 120_000);

afterAll(async () => {
  await closeDb(stack);
  await running?.stop();
});

/** Far more calls than the website's limit, one after another; returns the statuses. */
async function burst(send: () => Promise<Response>, count = 2 * PER_WEBSITE + 1): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await send();
    statuses.push(res.status);
    await res.body?.cancel();
  }
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('one visitor over its limit does not lock the others out', () => {
  it('widget-messages', async () => {
    const site = await website(stack, await member(stack), { ai_enabled: false });
    const noisy = await visitor(stack);
    const statuses = await burst(() => postJson(stack, 'widget-messages', { website_id: site, content: 'spam', client_id: randomUUID() }, noisy.token));
    expect(count(statuses, 200)).toBe(PER_VISITOR);
    expect(count(statuses, 429)).toBe(statuses.length - PER_VISITOR);
    const other = await visitor(stack);
    const res = await postJson(stack, 'widget-messages', { website_id: site, content: 'Hello, is anyone there?', client_id: randomUUID() }, other.token);
    expect(res.status).toBe(200);
    expect((await res.json()).message.content).toBe('Hello, is anyone there?');
  });

  it('widget-conversations (list)', async () => {
    const site = await website(stack, await member(stack), { ai_enabled: false });
    const noisy = await visitor(stack);
    const statuses = await burst(() => fn(stack, `widget-conversations?website_id=${site}`, { token: noisy.token }));
    expect(count(statuses, 200)).toBe(PER_VISITOR);
    const other = await visitor(stack);
    expect((await fn(stack, `widget-conversations?website_id=${site}`, { token: other.token })).status).toBe(200);
  });

  it('widget-identify', async () => {
    const site = await website(stack, await member(stack), { ai_enabled: false });
    const noisy = await visitor(stack);
    const statuses = await burst(() => postJson(stack, 'widget-identify', { website_id: site, user_id: 'guess', user_hash: 'a'.repeat(64) }, noisy.token));
    expect(count(statuses, 403)).toBe(PER_VISITOR);
    expect(count(statuses, 429)).toBe(statuses.length - PER_VISITOR);
    const { rows } = await db(stack).query(`select identity_secret from public.website_secrets where website_id = $1`, [site]);
    const other = await visitor(stack);
    const res = await postJson(stack, 'widget-identify', {
      website_id: site, user_id: 'user-42', user_hash: createHmac('sha256', rows[0].identity_secret).update('user-42').digest('hex'),
    }, other.token);
    expect(res.status).toBe(200);
  });
});

describe("the widget's catch-up cannot be starved by other visitors", () => {
  it('many visitors each within their own limit, together far over the website limit: catch-up still answers', async () => {
    const site = await website(stack, await member(stack), { ai_enabled: false });
    // Each visitor needs a conversation of its own (another's is a 404 before any counting).
    const conversationOf = async (userId: string) => {
      const { rows } = await db(stack).query(
        `insert into public.conversations (website_id, visitor_id) values ($1, $2) returning id`, [site, userId]);
      return rows[0].id as string;
    };
    const crowd = await Promise.all(Array.from({ length: Math.ceil(PER_WEBSITE / PER_VISITOR) + 2 }, () => visitor(stack)));
    let refused = 0;
    for (const v of crowd) {
      const conversation = await conversationOf(v.userId);
      const statuses = await burst(() => fn(stack, `widget-conversations/${conversation}/messages`, { token: v.token }), PER_VISITOR + 2);
      expect(count(statuses, 200)).toBe(PER_VISITOR); // each one is still limited on its own
      refused += count(statuses, 429);
    }
    expect(refused).toBe(crowd.length * 2);
    const late = await visitor(stack);
    const res = await fn(stack, `widget-conversations/${await conversationOf(late.userId)}/messages`, { token: late.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messages: [], has_more: false });
  });
});

describe('AI answers per client address', () => {
  it('visitors from one address share a budget for AI answers; a refused visitor does not count', async () => {
    const site = await website(stack, await member(stack), { ai_enabled: true });
    // Every request of this test reaches the functions from 127.0.0.1 (the host appends the real
    // peer address to X-Forwarded-For, so a forged entry changes nothing).
    const statuses: number[] = [];
    for (let i = 0; i < Math.ceil(AI_PER_ADDRESS / (PER_VISITOR - 1)) + 1; i++) {
      const v = await visitor(stack);
      for (let j = 0; j < PER_VISITOR - 1; j++) {
        const res = await postJson(stack, 'widget-messages', { website_id: site, content: 'What are your opening hours?', client_id: randomUUID() },
          v.token, { 'x-forwarded-for': `198.51.100.${i}` });
        statuses.push(res.status);
        await res.body?.cancel();
      }
    }
    expect(count(statuses, 200)).toBe(AI_PER_ADDRESS);
    expect(count(statuses, 429)).toBe(statuses.length - AI_PER_ADDRESS);
  });
});
