// Broadcast from the database: rows realtime.send() and realtime.broadcast_changes() insert into
// realtime.messages reach the topic's subscribers through logical replication (no polling), on
// both protocol versions; private rows only reach private channels and public rows public ones.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeClients, ensureFixtureSchema, Inbox, RawSocket, realtimeClient, sql, subscribed, userClient, userToken, VSNS } from '../fixtures/realtime/clients.ts';
import { ensureTestPolicies, privateTopic } from '../fixtures/realtime/policies.ts';

const stack = inject('stack');
beforeAll(() => ensureTestPolicies(stack));
afterEach(closeClients);

const send = (topic: string, event: string, payload: object, isPrivate: boolean) =>
  sql(stack, 'select realtime.send($1::jsonb, $2, $3, $4)', [JSON.stringify(payload), event, topic, isPrivate]);

describe.each(VSNS)('database broadcast on %s', (vsn) => {
  it('delivers realtime.send() rows to private channels (private) and public channels (public) of the topic', async () => {
    const uid = randomUUID();
    const topic = privateTopic(uid, 'ro');
    const privateInbox = new Inbox<any>();
    const publicInbox = new Inbox<any>();
    await subscribed((await userClient(stack, vsn, userToken(stack, uid))).channel(topic, { config: { private: true } }).on('broadcast', { event: '*' }, privateInbox.push));
    await subscribed(realtimeClient(stack, vsn).channel(topic).on('broadcast', { event: '*' }, publicInbox.push));

    await send(topic, 'from-db', { secret: 42 }, true);
    await send(topic, 'from-db-public', { open: true }, false);
    const got = await privateInbox.waitFor((m) => m.event === 'from-db');
    expect(got).toEqual({ type: 'broadcast', event: 'from-db', payload: { secret: 42, id: expect.any(String) }, meta: { id: got.payload.id } });
    const open = await publicInbox.waitFor((m) => m.event === 'from-db-public');
    expect(open.payload.open).toBe(true);
    const [row] = await sql<{ id: string }>(stack, 'select id::text from realtime.messages where topic = $1 and event = $2', [topic, 'from-db-public']);
    expect(open.meta).toEqual({ id: row.id });
    expect(privateInbox.count((m) => m.event === 'from-db-public')).toBe(0);
    expect(publicInbox.count((m) => m.event === 'from-db')).toBe(0);
  });

  it('delivers realtime.broadcast_changes() from a row trigger', async () => {
    const table = `rt_bc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const topic = `bc-${randomUUID()}`;
    await ensureFixtureSchema(stack);
    await sql(stack, `
      create table emily_test_fixture.${table} (id int primary key, title text);
      create function emily_test_fixture.${table}_changed() returns trigger language plpgsql as $$
      begin
        perform realtime.broadcast_changes('${topic}', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
        return null;
      end $$;
      create trigger ${table}_changed after insert or update or delete on emily_test_fixture.${table}
        for each row execute function emily_test_fixture.${table}_changed();`);
    try {
      const inbox = new Inbox<any>();
      // broadcast_changes sends private messages: public channels never see them.
      const publicInbox = new Inbox<any>();
      await subscribed(realtimeClient(stack, vsn).channel(topic).on('broadcast', { event: '*' }, publicInbox.push));
      await subscribed((await userClient(stack, vsn, stack.serviceRoleKey)).channel(topic, { config: { private: true } }).on('broadcast', { event: '*' }, inbox.push));
      await sql(stack, `insert into emily_test_fixture.${table} values (1, 'hello')`);
      await sql(stack, `update emily_test_fixture.${table} set title = 'bye' where id = 1`);
      const insert = await inbox.waitFor((m) => m.event === 'INSERT');
      expect(insert.payload).toMatchObject({ operation: 'INSERT', table, schema: 'emily_test_fixture', record: { id: 1, title: 'hello' }, old_record: null });
      const update = await inbox.waitFor((m) => m.event === 'UPDATE');
      expect(update.payload).toMatchObject({ operation: 'UPDATE', record: { id: 1, title: 'bye' }, old_record: { id: 1, title: 'hello' } });
      expect(publicInbox.count()).toBe(0);
    } finally {
      await sql(stack, `drop table emily_test_fixture.${table}; drop function emily_test_fixture.${table}_changed()`);
    }
  });

  it('replays the latest stored messages to a private channel that asks for them, oldest first', async () => {
    const uid = randomUUID();
    const topic = privateTopic(uid, 'ro');
    const since = Date.now() - 1_000;
    for (const n of [1, 2, 3]) await send(topic, `stored-${n}`, { n }, true);
    const inbox = new Inbox<any>();
    await subscribed((await userClient(stack, vsn, userToken(stack, uid))).channel(topic, { config: { private: true, broadcast: { replay: { since, limit: 2 } } } })
      .on('broadcast', { event: '*' }, inbox.push));
    await inbox.waitFor((m) => m.event === 'stored-3');
    expect(inbox.items.map((m) => [m.event, m.meta.replayed])).toEqual([['stored-2', true], ['stored-3', true]]);
    await send(topic, 'live', { n: 4 }, true);
    expect((await inbox.waitFor((m) => m.event === 'live')).meta).toEqual({ id: expect.any(String) });
  });
});

describe('replication_ready', () => {
  it.each(VSNS)('tells a %s channel that opted in once the database change stream is up', async (vsn) => {
    const system = new Inbox<any>();
    const topic = `ready-${randomUUID()}`;
    await subscribed(realtimeClient(stack, vsn).channel(topic, { config: { broadcast: { replication_ready: true } } }).on('system', {}, system.push));
    expect(await system.waitFor()).toEqual({ extension: 'system', status: 'ok', message: 'Replication connection established', channel: topic });
  });
});

describe('replay on a public channel', () => {
  it('is refused with Supabase reason', async () => {
    const s = await RawSocket.open(stack, '2.0.0');
    try {
      const { reply } = await s.join(`realtime:replay-${randomUUID()}`, { config: { broadcast: { replay: { since: 0 } } } });
      expect(reply.payload).toEqual({ status: 'error', response: { reason: 'UnableToReplayMessages: Replay is not allowed for public channels' } });
    } finally {
      s.close();
    }
  });
});
