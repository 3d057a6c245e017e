// The widget's catch-up (widget-conversations/ID/messages?after=) does not lose a message stamped
// before the cursor but committed after it. created_at is clock_timestamp() at insert; a
// transaction that waits for the conversation's row lock after stamping its message commits after
// one stamped later. Reproduced here with two real transactions on the shared stack's Postgres.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { db, eventually, fn, member, sendMessage, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');

describe('catch-up after a message', () => {
  it('returns a message stamped before the cursor that was committed after it', async () => {
    const owner = await member(stack);
    const site = await website(stack, owner, { ai_enabled: false });
    const v = await visitor(stack);
    const opening = await sendMessage(stack, v, { website_id: site, content: 'Hello, anyone there?' });
    const conversationId: string = opening.json.conversation_id;

    const holder = new pg.Client({ connectionString: stack.dbUrl });
    const late = new pg.Client({ connectionString: stack.dbUrl });
    await holder.connect();
    await late.connect();
    try {
      // 1. Someone holds the conversation's row lock (as store_visitor_message does while it works).
      await holder.query('begin');
      await holder.query(`select 1 from public.conversations where id = $1 for no key update`, [conversationId]);
      // 2. An agent message is stamped now, then waits for that lock (the insert trigger updates the conversation).
      await late.query('begin');
      const lateInsert = late.query(
        `insert into public.messages (conversation_id, sender, content, author_id) values ($1, 'agent', 'stamped first, committed last', $2) returning id, created_at`,
        [conversationId, owner.userId]);
      await eventually(async () => {
        const { rows } = await db(stack).query(
          `select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [(late as unknown as { processID: number }).processID]);
        return rows.length > 0;
      });
      // 3. The lock holder writes a message (stamped later) and commits first.
      const { rows: [cursor] } = await holder.query(
        `insert into public.messages (conversation_id, sender, content, author_id) values ($1, 'agent', 'stamped last, committed first', $2) returning id, created_at`,
        [conversationId, owner.userId]);
      await holder.query('commit');
      const { rows: [stampedFirst] } = await lateInsert;
      expect(stampedFirst.created_at.getTime()).toBeLessThanOrEqual(cursor.created_at.getTime());
      // The widget saw the cursor (realtime) before the other commit existed…
      const early = await (await fn(stack, `widget-conversations/${conversationId}/messages?after=${cursor.id}`, { token: v.token })).json();
      expect(early.messages.map((m: { id: string }) => m.id)).not.toContain(stampedFirst.id);
      await late.query('commit');
      // …and its next catch-up from that cursor still brings the late one.
      const res = await fn(stack, `widget-conversations/${conversationId}/messages?after=${cursor.id}`, { token: v.token });
      expect(res.status).toBe(200);
      const page = await res.json();
      expect(page.messages.map((m: { id: string }) => m.id)).toContain(stampedFirst.id);
      expect(page.messages.map((m: { id: string }) => m.id)).not.toContain(cursor.id);
      expect(page.has_more).toBe(false);
    } finally {
      await holder.query('rollback').catch(() => {});
      await late.query('rollback').catch(() => {});
      await holder.end();
      await late.end();
    }
  });
});
