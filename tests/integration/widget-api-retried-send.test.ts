// A retried send whose first attempt stored the visitor's message but never an outcome (no answer,
// no failure: its process died) used to hold the connection, polling the database, for the AI's
// whole time limit (120 s). Now it waits at most 10 s, then: a first attempt too old to be running
// is declared failed (a person must answer), a recent one ends the stream with `in_progress`.
// The first attempt is simulated by writing its visitor message directly (setup only).
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { db, member, postJson, readSse, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');

/** A conversation with a visitor message whose sending attempt died `age` ago. */
async function abandonedSend(age: string) {
  const owner = await member(stack);
  const site = await website(stack, owner, { ai_enabled: true });
  const v = await visitor(stack);
  const clientId = randomUUID();
  const { rows: [conversation] } = await db(stack).query(
    `insert into public.conversations (website_id, visitor_id) values ($1, $2) returning id`, [site, v.userId]);
  const { rows: [message] } = await db(stack).query(
    `insert into public.messages (conversation_id, sender, content, client_id, created_at)
     values ($1, 'user', 'Do you sell helmets?', $2, clock_timestamp() - $3::interval) returning id`,
    [conversation.id, clientId, age]);
  return { site, v, clientId, conversationId: conversation.id as string, messageId: message.id as string };
}

async function retry(s: Awaited<ReturnType<typeof abandonedSend>>) {
  const res = await postJson(stack, 'widget-messages',
    { website_id: s.site, conversation_id: s.conversationId, content: 'Do you sell helmets?', client_id: s.clientId }, s.v.token);
  expect(res.status).toBe(200);
  return readSse(res);
}

describe('a retried send whose first attempt died', () => {
  it('long ago: the stream ends with ai_unavailable and the conversation waits for a person', async () => {
    const s = await abandonedSend('10 minutes');
    const events = await retry(s);
    expect(events.map((e) => e.event)).toEqual(['conversation', 'message', 'error']);
    expect(events[1].data).toMatchObject({ id: s.messageId, client_id: s.clientId });
    expect(events[2].data).toEqual({ code: 'ai_unavailable', message: expect.any(String) });
    const { rows } = await db(stack).query(
      `select m.metadata -> 'ai' ->> 'status' as ai, c.needs_human from public.messages m join public.conversations c on c.id = m.conversation_id where m.id = $1`,
      [s.messageId]);
    expect(rows[0]).toEqual({ ai: 'failed', needs_human: true });
    const { rows: answers } = await db(stack).query(`select count(*)::int as n from public.messages where conversation_id = $1 and sender = 'assistant'`, [s.conversationId]);
    expect(answers[0].n).toBe(0);
  }, 45_000);

  it('just now (it may still be answering): the stream ends with in_progress and nothing is marked failed', async () => {
    const s = await abandonedSend('1 second');
    const events = await retry(s);
    expect(events.map((e) => e.event)).toEqual(['conversation', 'message', 'error']);
    expect(events[2].data).toEqual({ code: 'in_progress', message: expect.any(String) });
    const { rows } = await db(stack).query(`select metadata -> 'ai' as ai from public.messages where id = $1`, [s.messageId]);
    expect(rows[0].ai).toBeNull();
  }, 45_000);
});
