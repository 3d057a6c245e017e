// Presence as Supabase serves it (PresenceHandler over Phoenix.Presence): one presence per
// channel under its presence key; presence_state on join (when enabled), presence_diff
// {joins, leaves} to the topic on track, update, untrack and disconnect; 5 calls per 30 s per
// channel, after which the channel is shut down.
import { randomBytes } from 'node:crypto';
import { AuthorizationError, emptyPolicies } from './authorization.ts';
import type { Channel } from './channel.ts';
import { authorizeRead } from './channel-policies.ts';
import { MAX_PAYLOAD_BYTES, PRESENCE_MAX_CALLS, PRESENCE_WINDOW_MS } from './limits.ts';
import { isObject } from './payload.ts';
import type { Ref } from './protocol.ts';
import { encodeMessage } from './protocol.ts';
import { Outgoing, type PresenceMeta, type TopicGroup } from './topics.ts';

/** Phoenix.Tracker refs are short random base64 strings. */
const newPhxRef = () => randomBytes(9).toString('base64');

function metaJson(meta: PresenceMeta, prevRef?: string): string {
  const extra = prevRef ? `,"phx_ref_prev":${JSON.stringify(prevRef)}` : '';
  const head = `{"phx_ref":${JSON.stringify(meta.phxRef)}${extra}`;
  return meta.payloadJson === '{}' ? `${head}}` : `${head},${meta.payloadJson.slice(1)}`;
}

function entriesJson(entries: Map<string, string[]>): string {
  const parts: string[] = [];
  for (const [key, metas] of entries) parts.push(`${JSON.stringify(key)}:{"metas":[${metas.join(',')}]}`);
  return `{${parts.join(',')}}`;
}

export function sendPresenceState(channel: Channel): void {
  const state = new Map<string, string[]>();
  for (const [key, byChannel] of channel.group.presences) {
    state.set(key, [...byChannel.values()].map((m) => metaJson(m)));
  }
  channel.push('presence_state', entriesJson(state));
}

function sendDiff(group: TopicGroup, joins: Map<string, string[]>, leaves: Map<string, string[]>): void {
  const topic = `realtime:${group.name}`;
  const payload = `{"joins":${entriesJson(joins)},"leaves":${entriesJson(leaves)}}`;
  group.fanOut(new Outgoing((vsn) => encodeMessage(vsn, null, null, topic, 'presence_diff', payload)), (c) => c.readsPresence);
}

function track(channel: Channel, payloadJson: string): void {
  const { group, presenceKey: key } = channel;
  let byChannel = group.presences.get(key);
  if (!byChannel) group.presences.set(key, (byChannel = new Map()));
  const previous = byChannel.get(channel);
  const meta: PresenceMeta = { phxRef: newPhxRef(), payloadJson };
  byChannel.set(channel, meta);
  channel.trackedPayloadJson = payloadJson;
  const leaves = new Map<string, string[]>();
  if (previous) leaves.set(key, [metaJson(previous)]);
  sendDiff(group, new Map([[key, [metaJson(meta, previous?.phxRef)]]]), leaves);
}

/** Removes the channel's presence (untrack, leave, disconnect) and tells the topic. */
export function untrack(channel: Channel): void {
  const { group, presenceKey: key } = channel;
  const byChannel = group?.presences.get(key);
  const meta = byChannel?.get(channel);
  channel.trackedPayloadJson = null;
  if (!byChannel || !meta) return;
  byChannel.delete(channel);
  if (byChannel.size === 0) group.presences.delete(key);
  sendDiff(group, new Map(), new Map([[key, [metaJson(meta)]]]));
}

/** Client rate limit: a window opens on the first call; the 6th call inside it is refused. */
function withinRateLimit(channel: Channel): boolean {
  const now = Date.now();
  if (now > channel.presenceWindowEndsAt) {
    channel.presenceCalls = 1;
    channel.presenceWindowEndsAt = now + PRESENCE_WINDOW_MS;
    return true;
  }
  if (channel.presenceCalls >= PRESENCE_MAX_CALLS) return false;
  channel.presenceCalls++;
  return true;
}

/** On a private channel the first track authorises presence (read if not done at join, then write). */
async function canTrack(channel: Channel): Promise<boolean | 'error'> {
  if (!channel.isPrivate) return true;
  if (channel.policies?.presence.write == null) {
    const { server, headers } = channel.session;
    try {
      let policies = channel.policies ?? emptyPolicies();
      if (policies.presence.read == null) policies = (await authorizeRead(channel.session, channel.name, channel.claims, true, policies)) ?? policies;
      channel.policies = await server.authorizer.write({ topic: channel.name, claims: channel.claims, headers }, policies, ['broadcast', 'presence']);
    } catch (err) {
      const code = err instanceof AuthorizationError && err.kind === 'unavailable' ? 'UnableToConnectToProject' : 'UnableToSetPolicies';
      server.log(`[realtime] ${code} on ${channel.name}: ${(err as Error).message}`);
      return 'error';
    }
  }
  return channel.policies?.presence.write === true;
}

export async function handlePresence(channel: Channel, ref: Ref, payload: unknown): Promise<void> {
  if (!isObject(payload) || typeof payload.event !== 'string') return channel.reply(ref, 'ok', {});
  if (!withinRateLimit(channel)) return channel.session.shutdownChannel(channel, 'Client presence rate limit exceeded');
  const event = payload.event.toLowerCase();
  if (event === 'untrack') {
    untrack(channel);
    return channel.reply(ref, 'ok', {});
  }
  if (event !== 'track') {
    channel.session.server.log(`[realtime] UnknownPresenceEvent: ${payload.event}`);
    return channel.reply(ref, 'error', {});
  }
  const allowed = await canTrack(channel);
  if (channel.closed) return;
  if (allowed !== true) return channel.reply(ref, 'error', {});
  const meta = 'payload' in payload ? payload.payload : {};
  if (!isObject(meta)) return channel.reply(ref, 'error', { reason: 'Presence track payload must be a map' });
  const json = JSON.stringify(meta);
  if (json === channel.trackedPayloadJson) return channel.reply(ref, 'ok', {});
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) return channel.session.shutdownChannel(channel, 'Track message size exceeded');
  channel.presenceEnabled = true;
  track(channel, json);
  channel.reply(ref, 'ok', {});
}
