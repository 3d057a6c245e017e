// Postgres Changes with the unmodified supabase-js on both protocol versions, on test tables in
// schema emily_test_fixture added to the supabase_realtime publication: RLS per subscriber (user A
// never receives user B's row), INSERT/UPDATE/DELETE/*, filters, old records, typed values, join
// reply ids, and the errors for unpublished tables and bad filters.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeClients, ensureFixtureSchema, Inbox, RawSocket, realtimeClient, sql, subscribe, userClient, userToken, VSNS } from '../fixtures/realtime/clients.ts';

const stack = inject('stack');
const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
const NOTES = `emily_test_fixture.rt_notes_${suffix}`;
const FULL = `emily_test_fixture.rt_full_${suffix}`;
const HIDDEN = `emily_test_fixture.rt_hidden_${suffix}`;
const notesTable = NOTES.split('.')[1];

beforeAll(async () => {
  await ensureFixtureSchema(stack);
  await sql(stack, `
    create table ${NOTES} (
      id bigint generated always as identity primary key, owner uuid not null, title text, amount numeric,
      done boolean not null default false, tags text[], meta jsonb, due timestamptz);
    alter table ${NOTES} enable row level security;
    create policy "owners read their notes" on ${NOTES} for select to authenticated using (owner = (select auth.uid()));
    grant select on ${NOTES} to authenticated;
    create table ${FULL} (id int primary key, title text);
    alter table ${FULL} replica identity full;
    grant select on ${FULL} to anon, authenticated;
    create table ${HIDDEN} (id int primary key);
    alter publication supabase_realtime add table ${NOTES}, ${FULL};`);
});
afterAll(async () => {
  await sql(stack, `alter publication supabase_realtime drop table ${NOTES}, ${FULL}; drop table ${NOTES}, ${FULL}, ${HIDDEN};`);
});
afterEach(closeClients);

/** Subscribes and waits for Supabase's "Subscribed to PostgreSQL" system message. */
async function live(channel: RealtimeChannel, system = new Inbox<any>()): Promise<Inbox<any>> {
  channel.on('system', {}, system.push);
  const outcome = await subscribe(channel);
  expect(outcome.status).toBe('SUBSCRIBED');
  await system.waitFor((m) => m.extension === 'postgres_changes');
  expect(system.items.find((m) => m.extension === 'postgres_changes')).toMatchObject({ status: 'ok', message: 'Subscribed to PostgreSQL' });
  return system;
}

const insertNote = (owner: string, title: string, extra: Record<string, unknown> = {}) =>
  sql(stack, `insert into ${NOTES} (owner, title, amount, tags, meta, due) values ($1, $2, $3, $4, $5, $6)`,
    [owner, title, extra.amount ?? null, extra.tags ?? null, extra.meta ? JSON.stringify(extra.meta) : null, extra.due ?? null]);

describe.each(VSNS)('postgres_changes on %s', (vsn) => {
  it('sends each user only the rows RLS lets them select, with typed values', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const inboxA = new Inbox<any>();
    const inboxB = new Inbox<any>();
    const spec = { event: 'INSERT', schema: 'emily_test_fixture', table: notesTable } as const;
    await live((await userClient(stack, vsn, userToken(stack, a))).channel(`pc-${randomUUID()}`).on('postgres_changes', spec, inboxA.push));
    await live((await userClient(stack, vsn, userToken(stack, b))).channel(`pc-${randomUUID()}`).on('postgres_changes', spec, inboxB.push));

    await insertNote(b, 'for b');
    await insertNote(a, 'for a', { amount: '12.5', tags: ['x', 'y z'], meta: { k: [1, true] }, due: '2030-01-02T03:04:05.678Z' });
    const got = await inboxA.waitFor((m) => m.new.title === 'for a');
    expect(got).toMatchObject({
      schema: 'emily_test_fixture', table: notesTable, eventType: 'INSERT', errors: null, old: {},
      new: { owner: a, title: 'for a', amount: 12.5, done: false, tags: ['x', 'y z'], meta: { k: [1, true] }, id: expect.any(Number) },
    });
    expect(Date.parse(got.new.due)).toBe(Date.parse('2030-01-02T03:04:05.678Z'));
    expect(got.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await inboxB.waitFor((m) => m.new.title === 'for b');
    // A's row was inserted after B's: by the time it arrived, B's would have too.
    expect(inboxA.count((m) => m.new.title === 'for b')).toBe(0);
    expect(inboxB.count((m) => m.new.title === 'for a')).toBe(0);
  });

  it('applies eq, neq, lt, lte, gt, gte and in filters', async () => {
    const owner = randomUUID();
    const filters = ['amount=eq.10', 'amount=neq.10', 'amount=lt.10', 'amount=lte.10', 'amount=gt.10', 'amount=gte.10', 'title=in.(a,c)', 'title=eq.end'];
    const inboxes = new Map(filters.map((f) => [f, new Inbox<any>()]));
    let channel = (await userClient(stack, vsn, userToken(stack, owner))).channel(`pc-${randomUUID()}`);
    for (const f of filters) channel = channel.on('postgres_changes', { event: 'INSERT', schema: 'emily_test_fixture', table: notesTable, filter: `${f},owner=eq.${owner}` }, inboxes.get(f)!.push);
    await live(channel);
    for (const [title, amount] of [['a', 5], ['b', 10], ['c', 20], ['end', 1000]] as const) await insertNote(owner, title, { amount });
    await inboxes.get('title=eq.end')!.waitFor();
    const titles = (f: string) => inboxes.get(f)!.items.map((m) => m.new.title).sort();
    expect(titles('amount=eq.10')).toEqual(['b']);
    expect(titles('amount=neq.10')).toEqual(['a', 'c', 'end']);
    expect(titles('amount=lt.10')).toEqual(['a']);
    expect(titles('amount=lte.10')).toEqual(['a', 'b']);
    expect(titles('amount=gt.10')).toEqual(['c', 'end']);
    expect(titles('amount=gte.10')).toEqual(['b', 'c', 'end']);
    expect(titles('title=in.(a,c)')).toEqual(['a', 'c']);
  });

  it('sends updates and deletes with the key as old record, and only the events asked for', async () => {
    const owner = randomUUID();
    const all = new Inbox<any>();
    const updates = new Inbox<any>();
    const deletes = new Inbox<any>();
    const filter = `owner=eq.${owner}`;
    const spec = { schema: 'emily_test_fixture', table: notesTable };
    await live((await userClient(stack, vsn, userToken(stack, owner))).channel(`pc-${randomUUID()}`)
      .on('postgres_changes', { ...spec, event: '*', filter }, all.push)
      .on('postgres_changes', { ...spec, event: 'UPDATE', filter }, updates.push)
      .on('postgres_changes', { ...spec, event: 'DELETE' }, deletes.push));
    // Each step waits for the previous event: RLS is checked against the row as it is when the
    // change is processed, so a row deleted at once could no longer be seen (as on Supabase).
    await insertNote(owner, 'draft');
    const inserted = await all.waitFor((m) => m.eventType === 'INSERT');
    const id = inserted.new.id;
    await sql(stack, `update ${NOTES} set title = 'final', done = true where id = $1`, [id]);
    expect(await updates.waitFor()).toMatchObject({ eventType: 'UPDATE', new: { id, title: 'final', done: true }, old: { id } });
    await sql(stack, `delete from ${NOTES} where id = $1`, [id]);
    const deleted = await deletes.waitFor((m) => m.old.id === id);
    expect(deleted).toMatchObject({ eventType: 'DELETE', new: {}, old: { id } });
    expect(Object.keys(deleted.old)).toEqual(['id']); // RLS is on: a delete only tells the key
    // A filter on a non-key column cannot see a delete's (key-only) old record, as on Supabase.
    expect(all.items.map((m) => m.eventType)).toEqual(['INSERT', 'UPDATE']);
    expect(updates.items.map((m) => m.eventType)).toEqual(['UPDATE']);
  });

  it('sends whole old rows for REPLICA IDENTITY FULL tables', async () => {
    const inbox = new Inbox<any>();
    const id = Math.floor(Math.random() * 1e9);
    await live(realtimeClient(stack, vsn).channel(`pc-${randomUUID()}`)
      .on('postgres_changes', { event: '*', schema: 'emily_test_fixture', table: FULL.split('.')[1], filter: `id=eq.${id}` }, inbox.push));
    await sql(stack, `insert into ${FULL} values ($1, 'one')`, [id]);
    await sql(stack, `update ${FULL} set title = 'two' where id = $1`, [id]);
    await sql(stack, `delete from ${FULL} where id = $1`, [id]);
    const deleted = await inbox.waitFor((m) => m.eventType === 'DELETE');
    expect(deleted.old).toEqual({ id, title: 'two' });
    expect(inbox.items.find((m) => m.eventType === 'UPDATE')).toMatchObject({ old: { id, title: 'one' }, new: { id, title: 'two' } });
  });

  it('reports an unpublished table and a bad filter by system message', async () => {
    const hidden = new Inbox<any>();
    await subscribe(realtimeClient(stack, vsn).channel(`pc-${randomUUID()}`)
      .on('postgres_changes', { event: 'INSERT', schema: 'emily_test_fixture', table: HIDDEN.split('.')[1] }, () => {})
      .on('system', {}, hidden.push));
    expect(await hidden.waitFor((m) => m.extension === 'postgres_changes')).toMatchObject({
      status: 'error',
      message: `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: INSERT, schema: emily_test_fixture, table: ${HIDDEN.split('.')[1]}, filters: [], select: nil]`,
    });
    const bad = new Inbox<any>();
    await subscribe(realtimeClient(stack, vsn).channel(`pc-${randomUUID()}`)
      .on('postgres_changes', { event: '*', schema: 'emily_test_fixture', table: notesTable, filter: 'title=foo.bar' }, () => {})
      .on('system', {}, bad.push));
    expect(await bad.waitFor((m) => m.extension === 'postgres_changes')).toMatchObject({ status: 'error', message: 'Error parsing `filter` params: ["foo", "bar"]' });
    const column = new Inbox<any>();
    await subscribe(realtimeClient(stack, vsn).channel(`pc-${randomUUID()}`)
      .on('postgres_changes', { event: '*', schema: 'emily_test_fixture', table: notesTable, filter: 'nope=eq.1' }, () => {})
      .on('system', {}, column.push));
    expect((await column.waitFor((m) => m.extension === 'postgres_changes')).message).toMatch(/invalid column for filter nope$/);
  });

  it('refuses the join of a waiting subscription that cannot start', async () => {
    const outcome = await subscribe(realtimeClient(stack, vsn).channel(`pc-${randomUUID()}`, { config: { postgres_changes_options: { wait: true } } } as never)
      .on('postgres_changes', { event: 'INSERT', schema: 'emily_test_fixture', table: HIDDEN.split('.')[1] }, () => {}));
    expect(outcome.status).toBe('CHANNEL_ERROR');
    expect(outcome.error?.message).toMatch(/^RealtimeDisabledForConfiguration: Unable to subscribe to changes/);
  });
});

describe('join reply', () => {
  it('gives every binding an id, in the order requested', async () => {
    const s = await RawSocket.open(stack, '2.0.0');
    try {
      const bindings = [
        { event: 'INSERT', schema: 'emily_test_fixture', table: notesTable, filter: 'amount=gt.1' },
        { event: '*', schema: 'emily_test_fixture', table: FULL.split('.')[1] },
      ];
      const { reply } = await s.join(`realtime:pc-${randomUUID()}`, { config: { postgres_changes: bindings } });
      const entries = reply.payload.response.postgres_changes;
      expect(entries).toHaveLength(2);
      bindings.forEach((b, i) => expect(entries[i]).toEqual({ ...b, id: expect.any(Number) }));
      expect(entries[0].id).not.toBe(entries[1].id);
    } finally {
      s.close();
    }
  });
});
