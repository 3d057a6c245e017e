// Private channels authorised by RLS policies on realtime.messages (test-only policies, see
// tests/fixtures/realtime/policies.ts), with the unmodified supabase-js on both protocol versions:
// join granted and denied, write rights, presence-only read, token refresh and expiry, and the
// REST API acting with the caller's token.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeClients, Inbox, realtimeClient, subscribe, subscribed, userClient, userToken, VSNS } from '../fixtures/realtime/clients.ts';
import { ensureTestPolicies, privateTopic } from '../fixtures/realtime/policies.ts';

const stack = inject('stack');
beforeAll(() => ensureTestPolicies(stack));
afterEach(closeClients);

const priv = { config: { private: true } };

async function restBroadcast(topic: string, event: string, payload: object, token: string, isPrivate = true) {
  return fetch(`${stack.apiUrl}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ topic, event, payload, private: isPrivate }] }),
  });
}

describe.each(VSNS)('private channels on %s', (vsn) => {
  it('lets a user the policy allows join, send and receive', async () => {
    const uid = randomUUID();
    const token = userToken(stack, uid);
    const topic = privateTopic(uid, 'rw');
    const inbox = new Inbox<any>();
    await subscribed((await userClient(stack, vsn, token)).channel(topic, priv).on('broadcast', { event: '*' }, inbox.push));
    const sender = await subscribed((await userClient(stack, vsn === '2.0.0' ? '1.0.0' : '2.0.0', token)).channel(topic, { config: { private: true, broadcast: { ack: true } } }));
    expect(await sender.send({ type: 'broadcast', event: 'hello', payload: { from: 'tab 2' } })).toBe('ok');
    expect(await inbox.waitFor()).toEqual({ type: 'broadcast', event: 'hello', payload: { from: 'tab 2' } });
  });

  it('refuses the join with Supabase reason when the policy does not allow reading', async () => {
    const owner = randomUUID();
    const topic = privateTopic(owner, 'rw');
    const stranger = await subscribe((await userClient(stack, vsn, userToken(stack))).channel(topic, priv));
    expect(stranger.status).toBe('CHANNEL_ERROR');
    expect(stranger.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`);
    const anon = await subscribe(realtimeClient(stack, vsn).channel(topic, priv));
    expect(anon.status).toBe('CHANNEL_ERROR');
    // The same name as a public channel needs no policy, and never sees the private topic's traffic.
    const publicInbox = new Inbox<any>();
    await subscribed(realtimeClient(stack, vsn).channel(topic).on('broadcast', { event: '*' }, publicInbox.push));
    const privateInbox = new Inbox<any>();
    await subscribed((await userClient(stack, vsn, userToken(stack, owner))).channel(topic, priv).on('broadcast', { event: '*' }, privateInbox.push));
    expect((await restBroadcast(topic, 'secret', { s: 1 }, stack.serviceRoleKey)).status).toBe(202);
    expect((await restBroadcast(topic, 'public', { p: 1 }, stack.anonKey, false)).status).toBe(202);
    await privateInbox.waitFor((m) => m.event === 'secret');
    await publicInbox.waitFor((m) => m.event === 'public');
    expect(publicInbox.count((m) => m.event === 'secret')).toBe(0);
    expect(privateInbox.count((m) => m.event === 'public')).toBe(0);
  });

  it('drops what a client may read but not write, without an ack', async () => {
    const uid = randomUUID();
    const token = userToken(stack, uid);
    const topic = privateTopic(uid, 'ro');
    const inbox = new Inbox<any>();
    await subscribed((await userClient(stack, vsn, token)).channel(topic, priv).on('broadcast', { event: '*' }, inbox.push));
    const writer = await subscribed((await userClient(stack, vsn, token)).channel(topic, { config: { private: true, broadcast: { ack: true } } }));
    expect(await writer.send({ type: 'broadcast', event: 'forbidden', payload: {} }, { timeout: 1_500 })).toBe('timed out');
    expect(await writer.track({ here: true })).toBe('error');
    // The server (service_role bypasses RLS) can still send there; the dropped message never arrives.
    expect((await restBroadcast(topic, 'from-server', { ok: true }, stack.serviceRoleKey)).status).toBe(202);
    await inbox.waitFor((m) => m.event === 'from-server');
    expect(inbox.count((m) => m.event === 'forbidden')).toBe(0);
  });

  it('gives presence-only readers presence but no broadcasts', async () => {
    const topic = privateTopic('any', 'po');
    const token = userToken(stack);
    const broadcasts = new Inbox<any>();
    const joins = new Inbox<any>();
    // Without presence enabled only broadcast read is checked, which this topic refuses.
    expect((await subscribe((await userClient(stack, vsn, token)).channel(topic, priv))).status).toBe('CHANNEL_ERROR');
    await subscribed((await userClient(stack, vsn, token)).channel(topic, priv)
      .on('broadcast', { event: '*' }, broadcasts.push)
      .on('presence', { event: 'join' }, joins.push));
    const tracker = await subscribed((await userClient(stack, vsn, userToken(stack))).channel(topic, { config: { private: true, presence: { key: 'p1', enabled: true } } }));
    expect(await tracker.track({ online: true })).toBe('ok');
    await joins.waitFor((j) => j.key === 'p1');
    expect((await restBroadcast(topic, 'x', {}, stack.serviceRoleKey)).status).toBe(202);
    expect(await tracker.untrack()).toBe('ok');
    expect(broadcasts.count()).toBe(0);
  });

  it('re-checks a refreshed token, and closes the channel when the new token has expired', async () => {
    const uid = randomUUID();
    const topic = privateTopic(uid, 'rw');
    let token = userToken(stack, uid);
    const client = await userClient(stack, vsn, () => token);
    const system = new Inbox<any>();
    const statuses = new Inbox<string>();
    const inbox = new Inbox<any>();
    const channel = client.channel(topic, priv).on('system', {}, system.push).on('broadcast', { event: '*' }, inbox.push);
    channel.subscribe((s) => statuses.push(s));
    await statuses.waitFor((s) => s === 'SUBSCRIBED');

    token = userToken(stack, uid, { expiresIn: 600 });
    await client.realtime.setAuth();
    expect((await restBroadcast(topic, 'still-open', {}, stack.serviceRoleKey)).status).toBe(202);
    await inbox.waitFor((m) => m.event === 'still-open');

    token = userToken(stack, uid, { expiresIn: -5 });
    await client.realtime.setAuth();
    const msg = await system.waitFor((m) => m.status === 'error');
    expect(msg).toMatchObject({ extension: 'system', status: 'error', channel: topic });
    expect(msg.message).toMatch(/^Token has expired \d+ seconds ago$/);
    await statuses.waitFor((s) => s === 'CLOSED');
  });

  it('closes the channel when a refreshed token may no longer read the topic', async () => {
    const uid = randomUUID();
    const topic = privateTopic(uid, 'rw');
    let token = userToken(stack, uid);
    const client = await userClient(stack, vsn, () => token);
    const system = new Inbox<any>();
    const statuses = new Inbox<string>();
    client.channel(topic, priv).on('system', {}, system.push).subscribe((s) => statuses.push(s));
    await statuses.waitFor((s) => s === 'SUBSCRIBED');
    token = userToken(stack, randomUUID());
    await client.realtime.setAuth();
    expect(await system.waitFor()).toEqual({ extension: 'system', status: 'error', channel: topic, message: `You do not have permissions to read from this Channel topic: ${topic}` });
    await statuses.waitFor((s) => s === 'CLOSED');
  });
});

describe('token expiry while joined', () => {
  it('ends the channel with a system message when its token expires', async () => {
    const uid = randomUUID();
    const topic = privateTopic(uid, 'rw');
    const client = await userClient(stack, '2.0.0', userToken(stack, uid, { expiresIn: 2 }));
    const system = new Inbox<any>();
    const statuses = new Inbox<string>();
    client.channel(topic, priv).on('system', {}, system.push).subscribe((s) => statuses.push(s));
    await statuses.waitFor((s) => s === 'SUBSCRIBED');
    const msg = await system.waitFor(undefined, 10_000);
    expect(msg.message).toMatch(/^Token has expired \d+ seconds ago$/);
    await statuses.waitFor((s) => s === 'CLOSED');
  });
});

describe('REST API on private topics', () => {
  it('acts with the caller token: allowed writers broadcast, others are dropped (batch) or refused (single)', async () => {
    const uid = randomUUID();
    const token = userToken(stack, uid);
    const rw = privateTopic(uid, 'rw');
    const ro = privateTopic(uid, 'ro');
    const rwInbox = new Inbox<any>();
    const roInbox = new Inbox<any>();
    await subscribed((await userClient(stack, '2.0.0', token)).channel(rw, priv).on('broadcast', { event: '*' }, rwInbox.push));
    await subscribed((await userClient(stack, '2.0.0', token)).channel(ro, priv).on('broadcast', { event: '*' }, roInbox.push));
    expect((await restBroadcast(ro, 'dropped', {}, token)).status).toBe(202);
    expect((await restBroadcast(rw, 'allowed', { n: 1 }, token)).status).toBe(202);
    await rwInbox.waitFor((m) => m.event === 'allowed');
    const single = (topic: string) => fetch(`${stack.apiUrl}/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/single?private=true`, {
      method: 'POST', headers: { apikey: stack.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"n":2}',
    });
    expect((await single(ro)).status).toBe(403);
    expect((await single(rw)).status).toBe(202);
    await rwInbox.waitFor((m) => m.event === 'single');
    expect((await restBroadcast(ro, 'server', {}, stack.serviceRoleKey)).status).toBe(202);
    await roInbox.waitFor((m) => m.event === 'server');
    expect(roInbox.count((m) => m.event === 'dropped')).toBe(0);
  });
});
