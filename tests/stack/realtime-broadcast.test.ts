// Realtime Broadcast with the unmodified supabase-js, on both protocol versions and across them:
// self, ack, the REST endpoints (batch, single, and the client's automatic fallback).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { closeClients, Inbox, realtimeClient, subscribed, VSNS, type Vsn } from '../fixtures/realtime/clients.ts';

const stack = inject('stack');
afterEach(closeClients);

const pairs: Array<[Vsn, Vsn]> = [['1.0.0', '1.0.0'], ['2.0.0', '2.0.0'], ['1.0.0', '2.0.0'], ['2.0.0', '1.0.0']];

describe.each(pairs)('broadcast from %s to %s', (senderVsn, receiverVsn) => {
  it('reaches other subscribers but not the sender unless self is set', async () => {
    const topic = `room-${randomUUID()}`;
    const quiet = new Inbox();
    const loud = new Inbox();
    const other = new Inbox();
    const sender = realtimeClient(stack, senderVsn);
    const receiver = realtimeClient(stack, receiverVsn);
    const quietChannel = await subscribed(sender.channel(topic).on('broadcast', { event: 'msg' }, quiet.push));
    const loudClient = realtimeClient(stack, senderVsn);
    const loudChannel = await subscribed(loudClient.channel(topic, { config: { broadcast: { self: true } } }).on('broadcast', { event: 'msg' }, loud.push));
    await subscribed(receiver.channel(topic).on('broadcast', { event: 'msg' }, other.push));

    expect(await quietChannel.send({ type: 'broadcast', event: 'msg', payload: { n: 1, text: 'héllo 👋' } })).toBe('ok');
    expect(await other.waitFor((m: any) => m.payload.n === 1)).toEqual({ type: 'broadcast', event: 'msg', payload: { n: 1, text: 'héllo 👋' } });
    expect(await loudChannel.send({ type: 'broadcast', event: 'msg', payload: { n: 2 } })).toBe('ok');
    await other.waitFor((m: any) => m.payload.n === 2);
    await loud.waitFor((m: any) => m.payload.n === 2);
    // Both messages reached everyone else by now; the sender without `self` never saw its own.
    await quiet.waitFor((m: any) => m.payload.n === 2);
    expect(quiet.count((m: any) => m.payload.n === 1)).toBe(0);
    expect(loud.count((m: any) => m.payload.n === 1)).toBe(1);
  });

  it('acknowledges a broadcast when ack is set, and listeners match events case-insensitively or by *', async () => {
    const topic = `room-${randomUUID()}`;
    const star = new Inbox();
    const upper = new Inbox();
    const receiver = realtimeClient(stack, receiverVsn);
    await subscribed(receiver.channel(topic).on('broadcast', { event: '*' }, star.push).on('broadcast', { event: 'PING' }, upper.push));
    const sender = realtimeClient(stack, senderVsn);
    const channel = await subscribed(sender.channel(topic, { config: { broadcast: { ack: true } } }));
    expect(await channel.send({ type: 'broadcast', event: 'ping', payload: { at: 1 } })).toBe('ok');
    await star.waitFor((m: any) => m.event === 'ping');
    await upper.waitFor((m: any) => m.event === 'ping');
  });
});

describe.each(VSNS)('REST broadcast with %s subscribers', (vsn) => {
  it('delivers the batch endpoint to subscribers, with the message id as meta', async () => {
    const topic = `room-${randomUUID()}`;
    const inbox = new Inbox();
    const client = realtimeClient(stack, vsn);
    await subscribed(client.channel(topic).on('broadcast', { event: 'news' }, inbox.push));
    const res = await fetch(`${stack.apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: stack.serviceRoleKey, authorization: `Bearer ${stack.serviceRoleKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic, event: 'news', payload: { via: 'rest' }, id: '9c3a3f0e-0f2b-4e4e-9b8e-6a4d2c1b0a99' }] }),
    });
    expect(res.status).toBe(202);
    expect(await inbox.waitFor()).toEqual({ type: 'broadcast', event: 'news', payload: { via: 'rest' }, meta: { id: '9c3a3f0e-0f2b-4e4e-9b8e-6a4d2c1b0a99' } });
  });

  it('falls back to REST when the channel is not joined, and httpSend uses the single-message endpoint', async () => {
    const topic = `room-${randomUUID()}`;
    const inbox = new Inbox();
    const receiver = realtimeClient(stack, vsn);
    await subscribed(receiver.channel(topic).on('broadcast', { event: '*' }, inbox.push));
    const sender = realtimeClient(stack, vsn);
    const notJoined = sender.channel(topic);
    const warn = console.warn;
    console.warn = () => {}; // realtime-js warns that the implicit fallback is deprecated
    try {
      expect(await notJoined.send({ type: 'broadcast', event: 'fallback', payload: { n: 1 } })).toBe('ok');
    } finally {
      console.warn = warn;
    }
    expect(await inbox.waitFor((m: any) => m.event === 'fallback')).toMatchObject({ event: 'fallback', payload: { n: 1 } });
    expect(await notJoined.httpSend('single', { n: 2 })).toEqual({ success: true });
    expect(await inbox.waitFor((m: any) => m.event === 'single')).toMatchObject({ type: 'broadcast', event: 'single', payload: { n: 2 } });
  });
});

describe('binary broadcast (2.0.0 only)', () => {
  it('relays binary payloads to 2.0.0 subscribers and skips 1.0.0 ones, which cannot carry them', async () => {
    const topic = `room-${randomUUID()}`;
    const v2 = new Inbox();
    const v1 = new Inbox();
    await subscribed(realtimeClient(stack, '2.0.0').channel(topic).on('broadcast', { event: '*' }, v2.push));
    await subscribed(realtimeClient(stack, '1.0.0').channel(topic).on('broadcast', { event: '*' }, v1.push));
    const sender = await subscribed(realtimeClient(stack, '2.0.0').channel(topic));
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect(await sender.send({ type: 'broadcast', event: 'bin', payload: bytes.buffer })).toBe('ok');
    expect(await sender.send({ type: 'broadcast', event: 'json', payload: { after: true } })).toBe('ok');
    const got: any = await v2.waitFor((m: any) => m.event === 'bin');
    expect(new Uint8Array(got.payload)).toEqual(bytes);
    await v1.waitFor((m: any) => m.event === 'json');
    expect(v1.count((m: any) => m.event === 'bin')).toBe(0);
  });
});

describe('REST endpoint errors', () => {
  it('answers 422 with the invalid fields, 401 for a bad token and 404 for unknown routes', async () => {
    const url = `${stack.apiUrl}/realtime/v1/api/broadcast`;
    const headers = { apikey: stack.anonKey, 'content-type': 'application/json' };
    const bad = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ messages: [{ topic: 't', event: 'e' }] }) });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ errors: { messages: [{ payload: ["can't be blank"] }] } });
    const empty = await fetch(url, { method: 'POST', headers, body: '{}' });
    expect(empty.status).toBe(422);
    const garbage = await fetch(url, { method: 'POST', headers, body: '{"messages": [' });
    expect(garbage.status).toBe(400);
    const forged = await fetch(url, { method: 'POST', headers: { ...headers, authorization: 'Bearer not.a.jwt' }, body: JSON.stringify({ messages: [{ topic: 't', event: 'e', payload: {} }] }) });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ message: 'Unauthorized' });
    const nope = await fetch(`${stack.apiUrl}/realtime/v1/api/nope`, { headers });
    expect(nope.status).toBe(404);
    const ping = await fetch(`${stack.apiUrl}/realtime/v1/api/ping`, { headers });
    expect(await ping.json()).toEqual({ message: 'Success' });
  });
});
