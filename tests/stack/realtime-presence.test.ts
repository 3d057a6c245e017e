// Realtime Presence with the unmodified supabase-js on both protocol versions: sync, join, leave
// (on untrack and on disconnect), keys, and the state a late joiner receives.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { closeClients, Inbox, realtimeClient, subscribed, VSNS } from '../fixtures/realtime/clients.ts';

const stack = inject('stack');
afterEach(closeClients);

describe.each(VSNS)('presence on %s', (vsn) => {
  it('syncs joins and leaves between clients, keyed by the configured key', async () => {
    const topic = `lobby-${randomUUID()}`;
    const joins = new Inbox<any>();
    const leaves = new Inbox<any>();
    const syncs = new Inbox<any>();
    const watcherClient = realtimeClient(stack, vsn);
    const watcher = watcherClient.channel(topic, { config: { presence: { key: 'watcher' } } })
      .on('presence', { event: 'join' }, joins.push)
      .on('presence', { event: 'leave' }, leaves.push);
    watcher.on('presence', { event: 'sync' }, () => syncs.push(watcher.presenceState()));
    await subscribed(watcher);
    await syncs.waitFor((s) => Object.keys(s).length === 0, undefined, 'the initial (empty) sync');

    const alice = realtimeClient(stack, vsn === '1.0.0' ? '2.0.0' : '1.0.0');
    const aliceChannel = await subscribed(alice.channel(topic, { config: { presence: { key: 'alice' } } }));
    expect(await aliceChannel.track({ status: 'online', n: 1 })).toBe('ok');
    const join = await joins.waitFor((j) => j.key === 'alice');
    expect(join.newPresences).toEqual([{ status: 'online', n: 1, presence_ref: expect.any(String) }]);
    await syncs.waitFor((s) => s.alice?.[0]?.status === 'online');

    // Tracking again replaces the meta: the diff carries the old one as a leave and the new as a join.
    expect(await aliceChannel.track({ status: 'away', n: 2 })).toBe('ok');
    await syncs.waitFor((s) => s.alice?.length === 1 && s.alice[0].status === 'away');

    expect(await aliceChannel.untrack()).toBe('ok');
    const leave = await leaves.waitFor((l) => l.key === 'alice' && l.leftPresences[0]?.status === 'away');
    expect(leave.currentPresences).toEqual([]);
    await syncs.waitFor((s) => !('alice' in s));
  });

  it('gives a late joiner the current state and reports a leave when a tracked client disconnects', async () => {
    const topic = `lobby-${randomUUID()}`;
    const bob = realtimeClient(stack, vsn);
    const bobChannel = await subscribed(bob.channel(topic, { config: { presence: { key: 'bob' } } }));
    expect(await bobChannel.track({ typing: false })).toBe('ok');

    const syncs = new Inbox<any>();
    const leaves = new Inbox<any>();
    const lateClient = realtimeClient(stack, vsn);
    const late = lateClient.channel(topic).on('presence', { event: 'leave' }, leaves.push);
    late.on('presence', { event: 'sync' }, () => syncs.push(late.presenceState()));
    await subscribed(late);
    const state = await syncs.waitFor((s) => 'bob' in s);
    expect(state.bob).toEqual([{ typing: false, presence_ref: expect.any(String) }]);

    await bob.realtime.disconnect();
    await leaves.waitFor((l) => l.key === 'bob');
    await syncs.waitFor((s) => !('bob' in s));
  });

  it('gives a client without a key a server-made one', async () => {
    const topic = `lobby-${randomUUID()}`;
    const client = realtimeClient(stack, vsn);
    const syncs = new Inbox<any>();
    const channel = client.channel(topic);
    channel.on('presence', { event: 'sync' }, () => syncs.push(channel.presenceState()));
    await subscribed(channel);
    expect(await channel.track({ me: true })).toBe('ok');
    const state = await syncs.waitFor((s) => Object.keys(s).length === 1);
    expect(Object.keys(state)[0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
