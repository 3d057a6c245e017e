// Broadcast: what a channel sends (BroadcastHandler) and how a broadcast reaches a topic's
// subscribers. Two shapes exist, as in Supabase:
//   - a "user broadcast" (a client's kind-3 frame, the HTTP single-message API, a database row):
//     kind-4 binary frames for 2.0.0 sockets, the JSON envelope for 1.0.0 sockets;
//   - a plain broadcast payload (a 1.0.0 client's push, the HTTP batch API):
//     [null, null, topic, "broadcast", payload] / {topic, event:"broadcast", payload, ref:null}.
import { AuthorizationError, emptyPolicies } from './authorization.ts';
import type { Channel } from './channel.ts';
import { MAX_PAYLOAD_BYTES } from './limits.ts';
import { isObject } from './payload.ts';
import { encodeMessage, encodeUserBroadcast, type Inbound, type UserBroadcast } from './protocol.ts';
import { Outgoing, type TopicGroup } from './topics.ts';

const readsBroadcast = (c: Channel) => c.readsBroadcast;

/** `messageId`: the stored message's id, which channels that got it by replay must not see twice. */
export function deliverUserBroadcast(group: TopicGroup | undefined, ub: UserBroadcast, metaJson: string | null, exclude?: Channel, messageId?: string): number {
  if (!group) return 0;
  const topic = `realtime:${group.name}`;
  const accept = messageId ? (c: Channel) => c.readsBroadcast && !c.replayedIds?.has(messageId) : readsBroadcast;
  return group.fanOut(new Outgoing((vsn) => encodeUserBroadcast(vsn, topic, ub, metaJson)), accept, exclude);
}

export function deliverBroadcastPayload(group: TopicGroup | undefined, payloadJson: string, exclude?: Channel): number {
  if (!group) return 0;
  const topic = `realtime:${group.name}`;
  return group.fanOut(new Outgoing((vsn) => encodeMessage(vsn, null, null, topic, 'broadcast', payloadJson)), readsBroadcast, exclude);
}

/** Write rights of a private channel, evaluated once and cached until the token changes. */
async function canWrite(channel: Channel): Promise<boolean> {
  if (!channel.isPrivate) return true;
  if (channel.policies?.broadcast.write == null) {
    const { server, headers } = channel.session;
    try {
      channel.policies = await server.authorizer.write(
        { topic: channel.name, claims: channel.claims, headers }, channel.policies ?? emptyPolicies(), ['broadcast', 'presence'],
      );
    } catch (err) {
      const code = err instanceof AuthorizationError && err.kind === 'unavailable' ? 'UnableToConnectToProject' : 'RlsPolicyError';
      server.log(`[realtime] ${code} on ${channel.name}: ${(err as Error).message}`);
      return false;
    }
  }
  return channel.policies?.broadcast.write === true;
}

export async function handleClientBroadcast(channel: Channel, msg: Inbound): Promise<void> {
  // A private channel without write rights is ignored without a reply, as Supabase does
  // (an `ack` client then sees its send time out).
  if (!(await canWrite(channel)) || channel.closed) return;
  const exclude = channel.selfBroadcast ? undefined : channel;
  const ub = msg.userBroadcast;
  const payloadJson = ub ? null : isObject(msg.payload) ? JSON.stringify(msg.payload) : null;
  if (!ub && payloadJson === null) {
    channel.session.server.log(`[realtime] broadcast payload on ${channel.name} is not an object; ignored`);
    return;
  }
  const size = ub ? ub.data.length : Buffer.byteLength(payloadJson!);
  if (size > MAX_PAYLOAD_BYTES) {
    if (channel.ack) channel.reply(msg.ref, 'error', 'payload_size_exceeded');
    return;
  }
  if (ub) deliverUserBroadcast(channel.group, ub, null, exclude);
  else deliverBroadcastPayload(channel.group, payloadJson!, exclude);
  if (channel.ack) channel.reply(msg.ref, 'ok', {});
}
