// The Phoenix protocol as Supabase Realtime speaks it, checked frame by frame with a bare
// WebSocket: handshake, vsn negotiation, heartbeat, join/leave/close, refs and join refs,
// "unmatched topic", duplicate joins, kind-3/kind-4 binary frames, and join errors' wording.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { signJwt } from '../../scripts/stack/jwt.ts';
import { RawSocket, userToken, VSNS } from '../fixtures/realtime/clients.ts';

const stack = inject('stack');
const sockets: RawSocket[] = [];
async function open(vsn: Parameters<typeof RawSocket.open>[1], apikey?: string | null) {
  const s = await RawSocket.open(stack, vsn, apikey);
  sockets.push(s);
  return s;
}
afterEach(() => { for (const s of sockets.splice(0)) s.close(); });

/** A kind-3 frame exactly as realtime-js's serializer builds it. */
function kind3(joinRef: string, ref: string, topic: string, event: string, payload: Buffer, encoding = 1): Buffer {
  const parts = [joinRef, ref, topic, event].map((s) => Buffer.from(s));
  return Buffer.concat([Buffer.from([3, ...parts.map((p) => p.length), 0, encoding]), ...parts, payload]);
}

describe('handshake', () => {
  it('refuses a socket without an API key, with a forged key, with an unknown vsn or without required claims', async () => {
    await expect(open('2.0.0', null)).rejects.toMatchObject({ status: 401, body: expect.stringContaining('No API key found in request') });
    await expect(open('2.0.0', stack.anonKey.slice(0, -3) + 'abc')).rejects.toMatchObject({ status: 401, body: expect.stringContaining('Invalid API key') });
    await expect(open('3.0.0' as never)).rejects.toMatchObject({ status: 400 });
    const noExp = signJwt({ role: 'anon' }, stack.jwtSecret);
    await expect(open('2.0.0', noExp)).rejects.toMatchObject({ status: 401, body: JSON.stringify({ error: 'Fields `role` and `exp` are required in JWT' }) });
  });

  it('speaks 1.0.0 (JSON objects) when the client gives no vsn', async () => {
    const s = await open(null);
    const ref = s.push('phoenix', 'heartbeat', {});
    await s.inbox.waitFor((m) => m.ref === ref);
    expect(JSON.parse(JSON.stringify(s.inbox.items[0]))).toEqual({ topic: 'phoenix', event: 'phx_reply', ref, payload: { status: 'ok', response: {} } });
  });
});

describe.each(VSNS)('protocol %s', (vsn) => {
  it('answers heartbeats, joins, leaves and closes with the right refs', async () => {
    const s = await open(vsn);
    const hb = s.push('phoenix', 'heartbeat', {});
    expect(await s.reply(hb)).toMatchObject({ topic: 'phoenix', payload: { status: 'ok', response: {} } });

    const topic = `realtime:proto-${randomUUID()}`;
    const { joinRef, reply } = await s.join(topic, { config: { broadcast: { self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false } });
    expect(reply.payload).toEqual({ status: 'ok', response: { postgres_changes: [] } });
    if (vsn === '2.0.0') expect(reply.join_ref).toBe(joinRef);

    const leave = s.push(topic, 'phx_leave', {}, joinRef);
    expect((await s.reply(leave)).payload).toEqual({ status: 'ok', response: {} });
    const close = await s.inbox.waitFor((m) => m.event === 'phx_close');
    expect(close).toMatchObject({ topic, ref: joinRef, payload: {} });

    // After the leave the topic is unknown again.
    const stray = s.push(topic, 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, joinRef);
    expect((await s.reply(stray)).payload).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    const strayLeave = s.push(topic, 'phx_leave', {}, joinRef);
    expect((await s.reply(strayLeave)).payload).toEqual({ status: 'ok', response: {} });
  });

  it('closes the earlier channel when a topic is joined again, and ignores messages for the old join', async () => {
    const s = await open(vsn);
    const topic = `realtime:dup-${randomUUID()}`;
    const first = await s.join(topic, { config: { broadcast: { self: true } } });
    const second = await s.join(topic, { config: { broadcast: { self: true } } });
    expect(second.reply.payload.status).toBe('ok');
    expect(await s.inbox.waitFor((m) => m.event === 'phx_close')).toMatchObject({ topic, ref: first.joinRef });
    s.push(topic, 'broadcast', { type: 'broadcast', event: 'old', payload: {} }, first.joinRef);
    s.push(topic, 'broadcast', { type: 'broadcast', event: 'new', payload: {} }, second.joinRef);
    await s.inbox.waitFor((m) => m.event === 'broadcast' && m.payload.event === 'new');
    expect(s.inbox.count((m) => m.event === 'broadcast' && m.payload.event === 'old')).toBe(0);
  });

  it('refuses joins with Supabase reasons: no topic name, not a realtime topic, bad tokens', async () => {
    const s = await open(vsn);
    expect((await s.join('realtime:')).reply.payload).toEqual({ status: 'error', response: { reason: 'TopicNameRequired: You must provide a topic name' } });
    expect((await s.join('elsewhere:x')).reply.payload).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    const expired = userToken(stack, randomUUID(), { expiresIn: -30 });
    const expiredReply = (await s.join(`realtime:t-${randomUUID()}`, { config: {}, access_token: expired })).reply;
    const [, ago] = /^InvalidJWTToken: Token has expired (\d+) seconds ago$/.exec(expiredReply.payload.response.reason) ?? [];
    expect(Number(ago)).toBeGreaterThanOrEqual(30);
    expect((await s.join(`realtime:t-${randomUUID()}`, { config: {}, access_token: 'garbage' })).reply.payload.response)
      .toEqual({ reason: 'MalformedJWT: The token provided is not a valid JWT' });
    const forged = signJwt({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 }, 'another-secret-another-secret-another-secret');
    expect((await s.join(`realtime:t-${randomUUID()}`, { config: {}, access_token: forged })).reply.payload.response)
      .toEqual({ reason: 'JwtSignatureError: Failed to validate JWT signature' });
    const noRole = signJwt({ exp: Math.floor(Date.now() / 1000) + 60 }, stack.jwtSecret);
    expect((await s.join(`realtime:t-${randomUUID()}`, { config: {}, access_token: noRole })).reply.payload.response)
      .toEqual({ reason: 'InvalidJWTToken: Fields `role` and `exp` are required in JWT' });
    // An `sb_` key is not a JWT: the socket's API key applies instead.
    expect((await s.join(`realtime:t-${randomUUID()}`, { config: {}, access_token: 'sb_publishable_x' })).reply.payload.status).toBe('ok');
  });
});

describe('binary frames (2.0.0)', () => {
  it('turns a kind-3 push into kind-4 frames for 2.0.0 sockets and JSON broadcasts for 1.0.0 sockets', async () => {
    const topic = `realtime:bin-${randomUUID()}`;
    const sender = await open('2.0.0');
    const v2 = await open('2.0.0');
    const v1 = await open('1.0.0');
    const { joinRef } = await sender.join(topic, { config: { broadcast: { ack: true } } });
    await v2.join(topic);
    await v1.join(topic);
    sender.send(kind3(joinRef, '99', topic, 'shout', Buffer.from(JSON.stringify({ a: [1, 2] }))));
    expect((await sender.reply('99')).payload).toEqual({ status: 'ok', response: {} });
    const binary = await v2.inbox.waitFor((m) => m.event === 'broadcast');
    expect(binary).toMatchObject({ binary: true, topic, payload: { kind: 4, type: 'broadcast', event: 'shout', payload: { a: [1, 2] } } });
    const json = await v1.inbox.waitFor((m) => m.event === 'broadcast');
    expect(json).toMatchObject({ topic, ref: null, payload: { type: 'broadcast', event: 'shout', payload: { a: [1, 2] } } });
  });
});
