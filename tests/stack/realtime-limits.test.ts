// Limits and bad input, with bare WebSockets: malformed frames are ignored as Supabase does (the
// socket stays usable), oversized payloads get an error reply or a clean close, the 101st channel
// and the 6th presence call in 30 s are refused in Supabase's shape, and no other socket notices.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { RawSocket, VSNS } from '../fixtures/realtime/clients.ts';

const stack = inject('stack');
const sockets: RawSocket[] = [];
async function open(vsn: '1.0.0' | '2.0.0') {
  const s = await RawSocket.open(stack, vsn);
  sockets.push(s);
  return s;
}
afterEach(() => { for (const s of sockets.splice(0)) s.close(); });

/** A bystander on the same topic: it must keep receiving while another socket misbehaves. */
async function bystander(topic: string) {
  const s = await open('2.0.0');
  await s.join(topic);
  return s;
}

async function stillWorks(s: RawSocket) {
  const ref = s.push('phoenix', 'heartbeat', {});
  expect((await s.reply(ref)).payload.status).toBe('ok');
}

describe.each(VSNS)('bad input on %s', (vsn) => {
  it('ignores malformed frames and unknown events, and keeps serving this and other sockets', async () => {
    const topic = `realtime:bad-${randomUUID()}`;
    const other = await bystander(topic);
    const s = await open(vsn);
    const { joinRef } = await s.join(topic, { config: { broadcast: { self: true } } });
    s.send('{"this is": not json');
    s.send('');
    s.send(vsn === '2.0.0' ? '[1, 2, 3]' : '{"topic": "x"}');
    s.send(vsn === '2.0.0' ? '{"topic": "x", "event": "y", "payload": {}, "ref": "1"}' : '[null, "1", "x", "y", {}]');
    s.send(vsn === '2.0.0' ? '[null, "1", 42, "phx_join", {}]' : '{"topic": 42, "event": "phx_join", "payload": {}, "ref": "1"}');
    s.send(Buffer.from([9, 9, 9, 9]));
    s.send(Buffer.from([3, 200, 200, 200, 200, 0, 1, 1, 2, 3]));
    s.send(Buffer.concat([Buffer.from([3, 1, 1, topic.length, 1, 0, 1]), Buffer.from(`${joinRef}9${topic}e{not json`)]));
    s.send(Buffer.from([4, 0, 0, 0, 1]));
    const unknown = s.push(topic, 'something_else', { x: 1 }, joinRef);
    await stillWorks(s);
    expect(s.inbox.count((m) => m.ref === unknown)).toBe(0); // Supabase ignores unknown events on a joined channel
    const ref = s.push(topic, 'broadcast', { type: 'broadcast', event: 'after', payload: {} }, joinRef);
    await other.inbox.waitFor((m) => m.event === 'broadcast' && m.payload.event === 'after', undefined, `broadcast ${ref}`);
    await s.inbox.waitFor((m) => m.event === 'broadcast' && m.payload.event === 'after');
    expect(other.inbox.count((m) => m.payload?.event === 'e')).toBe(0);
  });

  it('answers a broadcast to a topic that was not joined with an error reply', async () => {
    const s = await open(vsn);
    const ref = s.push(`realtime:never-${randomUUID()}`, 'broadcast', { type: 'broadcast', event: 'x', payload: {} });
    expect((await s.reply(ref)).payload).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
  });

  it('refuses payloads over 256 KB: an error reply with ack, nothing delivered without', async () => {
    const topic = `realtime:big-${randomUUID()}`;
    const other = await bystander(topic);
    const s = await open(vsn);
    const acked = await s.join(topic, { config: { broadcast: { ack: true } } });
    const big = { type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(300_000) } };
    const ref = s.push(topic, 'broadcast', big, acked.joinRef);
    expect((await s.reply(ref)).payload).toEqual({ status: 'error', response: 'payload_size_exceeded' });
    const small = s.push(topic, 'broadcast', { type: 'broadcast', event: 'small', payload: {} }, acked.joinRef);
    expect((await s.reply(small)).payload.status).toBe('ok');
    await other.inbox.waitFor((m) => m.payload?.event === 'small');
    expect(other.inbox.count((m) => m.payload?.event === 'big')).toBe(0);
    await stillWorks(s);
  });

  it('closes a channel whose presence payload is too big, and one that tracks more than 5 times in 30 s', async () => {
    const s = await open(vsn);
    const bigTopic = `realtime:presence-big-${randomUUID()}`;
    const big = await s.join(bigTopic, { config: { presence: { enabled: true } } });
    s.push(bigTopic, 'presence', { type: 'presence', event: 'track', payload: { blob: 'y'.repeat(300_000) } }, big.joinRef);
    expect(await s.inbox.waitFor((m) => m.topic === bigTopic && m.event === 'system')).toMatchObject({
      payload: { extension: 'system', status: 'error', message: 'Track message size exceeded', channel: bigTopic.slice('realtime:'.length) },
    });
    await s.inbox.waitFor((m) => m.topic === bigTopic && m.event === 'phx_close');

    const topic = `realtime:presence-rate-${randomUUID()}`;
    const { joinRef } = await s.join(topic, { config: { presence: { enabled: true } } });
    for (let i = 1; i <= 5; i++) {
      const ref = s.push(topic, 'presence', { type: 'presence', event: 'track', payload: { i } }, joinRef);
      expect((await s.reply(ref)).payload.status).toBe('ok');
    }
    s.push(topic, 'presence', { type: 'presence', event: 'track', payload: { i: 6 } }, joinRef);
    expect(await s.inbox.waitFor((m) => m.topic === topic && m.event === 'system')).toMatchObject({
      join_ref: vsn === '2.0.0' ? joinRef : undefined,
      payload: { extension: 'system', status: 'error', message: 'Client presence rate limit exceeded', channel: topic.slice('realtime:'.length) },
    });
    expect(await s.inbox.waitFor((m) => m.topic === topic && m.event === 'phx_close')).toMatchObject({ ref: joinRef });
    await stillWorks(s);
  });

  it('refuses the 101st channel on one socket', async () => {
    const s = await open(vsn);
    const prefix = `realtime:many-${randomUUID()}`;
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => s.join(`${prefix}-${i}`)));
    expect(replies.every((r) => r.reply.payload.status === 'ok')).toBe(true);
    expect((await s.join(`${prefix}-100`)).reply.payload).toEqual({ status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } });
    // Leaving one makes room again.
    const leave = s.push(`${prefix}-0`, 'phx_leave', {}, replies[0].joinRef);
    await s.reply(leave);
    expect((await s.join(`${prefix}-100`)).reply.payload.status).toBe('ok');
  });
});

describe('frames over the size limit', () => {
  it('closes only the offending socket when a frame exceeds 5 MB', async () => {
    const topic = `realtime:huge-${randomUUID()}`;
    const other = await bystander(topic);
    const s = await open('2.0.0');
    s.send(Buffer.alloc(5_000_001, 0x20));
    // The server closes with 1009; the sender, still writing, may only see the connection drop.
    expect([1009, 1006]).toContain((await s.closed).code);
    await stillWorks(other);
  });
});
