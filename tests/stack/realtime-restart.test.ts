// Restarts, on a private stack of this file's own (startTestStack): supabase-js clients reconnect
// on their own and get their channels back, database broadcasts inserted meanwhile still arrive
// (the permanent slot resumes), a lost slot is announced by a system message, dead sockets are
// closed by the heartbeat timeout, and a clean stop drops the slot.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { createRealtimeService, isRealtimeService, slotNameFor, type RealtimeService } from '../../scripts/stack/realtime/index.ts';
import { startTestStack } from '../support/stack.ts';
import { closeClients, Inbox, RawSocket, realtimeClient, sql, userClient, userToken, VSNS, type StackInfo } from '../fixtures/realtime/clients.ts';
import { ensureTestPolicies, privateTopic } from '../fixtures/realtime/policies.ts';

let stack: RunningStack;
let info: StackInfo;
let realtime: RealtimeService;
const HEARTBEAT_MS = 1_000;

beforeAll(async () => {
  // Short idle timeout for this stack only, so the dead-socket test does not wait a minute.
  process.env.EMILY_REALTIME_IDLE_TIMEOUT_MS = '3000';
  try {
    stack = await startTestStack({}, { noStatic: true });
  } finally {
    delete process.env.EMILY_REALTIME_IDLE_TIMEOUT_MS;
  }
  info = stack.info;
  realtime = stack.services.find(isRealtimeService)!;
  await ensureTestPolicies(info);
}, 120_000);
afterAll(() => stack?.stop(), 60_000);
afterEach(closeClients);

const send = (topic: string, event: string, isPrivate: boolean) =>
  sql(info, 'select realtime.send($1::jsonb, $2, $3, $4)', [JSON.stringify({ event }), event, topic, isPrivate]);

/** A private and a public channel on one client, recording messages and subscribe statuses. */
async function watch(vsn: '1.0.0' | '2.0.0') {
  const uid = randomUUID();
  const privateName = privateTopic(uid, 'ro');
  const publicName = `restart-${randomUUID()}`;
  const client = await userClient(info, vsn, userToken(info, uid), { heartbeatIntervalMs: HEARTBEAT_MS });
  const inbox = new Inbox<any>();
  const system = new Inbox<any>();
  const statuses = new Inbox<string>();
  for (const [name, config] of [[privateName, { private: true }], [publicName, {}]] as const) {
    client.channel(name, { config })
      .on('broadcast', { event: '*' }, (m) => inbox.push({ ...m, channel: name }))
      .on('system', {}, system.push)
      .subscribe((s) => statuses.push(`${name} ${s}`));
  }
  await statuses.waitFor((s) => s === `${privateName} SUBSCRIBED`);
  await statuses.waitFor((s) => s === `${publicName} SUBSCRIBED`);
  return { client, privateName, publicName, inbox, system, statuses };
}

describe.each(VSNS)('restarts with %s clients', (vsn) => {
  it('keeps sockets and channels through a Postgres restart and delivers what was inserted after it', async () => {
    const w = await watch(vsn);
    await send(w.privateName, 'before', true);
    await w.inbox.waitFor((m) => m.event === 'before');

    await stack.cluster.restart();
    // Inserted at once, most likely before the server's replication connection is back.
    await send(w.privateName, 'after-private', true);
    await send(w.publicName, 'after-public', false);
    await w.inbox.waitFor((m) => m.event === 'after-private' && m.channel === w.privateName, 15_000);
    await w.inbox.waitFor((m) => m.event === 'after-public' && m.channel === w.publicName, 15_000);
    // Nothing was delivered twice, and a new private join works against the restarted database.
    expect(w.inbox.count((m) => m.event === 'before')).toBe(1);
    const late = await watch(vsn);
    await send(late.privateName, 'late', true);
    await late.inbox.waitFor((m) => m.event === 'late');
  }, 60_000);

  it('reconnects clients after the Realtime service restarts and delivers what was sent while they were away', async () => {
    const w = await watch(vsn);
    const subscribedBefore = w.statuses.count((s) => s.endsWith('SUBSCRIBED'));
    await realtime.restart();
    await send(w.privateName, 'while-away', true);
    await send(w.publicName, 'while-away-public', false);
    await w.inbox.waitFor((m) => m.event === 'while-away' && m.channel === w.privateName, 15_000);
    await w.inbox.waitFor((m) => m.event === 'while-away-public' && m.channel === w.publicName, 15_000);
    expect(w.statuses.count((s) => s.endsWith('SUBSCRIBED'))).toBe(subscribedBefore + 2);
  }, 60_000);
});

describe('lost replication slot', () => {
  it('tells subscribers by a system message when the slot had to be recreated, then delivers again', async () => {
    const w = await watch('2.0.0');
    const slot = slotNameFor(stack.config.dataDir);
    // Kick the stream off and drop its slot before it reconnects.
    let dropped = false;
    for (let i = 0; i < 400 && !dropped; i++) {
      await sql(info, 'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null', [slot]);
      dropped = await sql(info, 'select pg_drop_replication_slot($1)', [slot]).then(() => true, () => false);
    }
    expect(dropped).toBe(true);
    const notice = await w.system.waitFor((m) => m.extension === 'system' && m.status === 'error', 15_000);
    expect(notice.message).toMatch(/may not have been delivered/);
    await send(w.publicName, 'after-loss', false);
    await w.inbox.waitFor((m) => m.event === 'after-loss', 15_000);
  }, 60_000);
});

describe('dead sockets and clean stops', () => {
  it('closes a socket that stops sending heartbeats, while a live client stays connected', async () => {
    const live = realtimeClient(info, '2.0.0', { heartbeatIntervalMs: HEARTBEAT_MS });
    const statuses = new Inbox<string>();
    live.channel(`alive-${randomUUID()}`).subscribe((s) => statuses.push(s));
    await statuses.waitFor((s) => s === 'SUBSCRIBED');
    const silent = await RawSocket.open(info, '2.0.0');
    const closed = await silent.closed;
    expect(closed.code).toBe(1000);
    expect(live.realtime.isConnected()).toBe(true);
    expect(statuses.count((s) => s !== 'SUBSCRIBED')).toBe(0);
  }, 20_000);

  it('drops its replication slot when it stops', async () => {
    const config = { ...stack.config, dataDir: `${stack.config.dataDir}-second-server` };
    const second = await createRealtimeService({ ...stack.context, config });
    const slot = slotNameFor(config.dataDir);
    expect(await sql(info, 'select 1 from pg_replication_slots where slot_name = $1', [slot])).toHaveLength(1);
    await second.close!();
    expect(await sql(info, 'select 1 from pg_replication_slots where slot_name = $1', [slot])).toHaveLength(0);
  }, 30_000);
});
