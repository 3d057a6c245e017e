// phx_join on a "realtime:NAME" topic, in the order Supabase's RealtimeChannel.join checks things:
// topic name, channel limit, access token, then (private channels) the read policies. Errors are
// replied as {reason: "Code: message"} with Supabase's codes and wording.
import { randomUUID } from 'node:crypto';
import { scheduleTokenExpiry } from './access-token.ts';
import { Channel, type Policies } from './channel.ts';
import { authorizeRead, readDenied, UNAVAILABLE } from './channel-policies.ts';
import { MAX_CHANNELS_PER_SOCKET } from './limits.ts';
import { flexBool, isObject } from './payload.ts';
import { sendPresenceState } from './presence.ts';
import { encodeReply, type Inbound } from './protocol.ts';
import { loadReplay, replayRequest, sendReplay, type ReplayedMessage } from './replay.ts';
import type { Session } from './session.ts';
import { checkToken, pickAccessToken } from './tokens.ts';

/** Supabase's replication_ready_timeout and check interval. */
const REPLICATION_READY_TIMEOUT_MS = 60_000;
const REPLICATION_READY_CHECK_MS = 500;

/** `broadcast.replication_ready`: a system message once the database change stream is up. */
function notifyReplicationReady(channel: Channel, deadline: number): void {
  if (channel.closed) return;
  if (channel.session.server.replicationReady()) return channel.system('system', 'ok', 'Replication connection established');
  if (Date.now() >= deadline) return channel.session.shutdownChannel(channel, 'Replication connection was not established in time');
  setTimeout(() => notifyReplicationReady(channel, deadline), REPLICATION_READY_CHECK_MS).unref();
}

export async function handleJoin(session: Session, msg: Inbound): Promise<void> {
  const { topic, ref, joinRef } = msg;
  const fail = (reason: string) => session.send(encodeReply(session.vsn, joinRef, ref, topic, 'error', { reason }));
  if (!topic.startsWith('realtime:')) {
    session.send(encodeReply(session.vsn, null, ref, topic, 'error', { reason: 'unmatched topic' }));
    return;
  }
  const name = topic.slice('realtime:'.length);
  if (name === '') return fail('TopicNameRequired: You must provide a topic name');

  const payload = isObject(msg.payload) ? msg.payload : {};
  const config = isObject(payload.config) ? payload.config : {};
  const broadcast = isObject(config.broadcast) ? config.broadcast : {};
  const presence = isObject(config.presence) ? config.presence : {};
  const isPrivate = flexBool(config.private);
  const presenceEnabled = flexBool(presence.enabled);
  const key = presence.key;
  const presenceKey = key === undefined || key === null || key === '' ? randomUUID() : String(key);

  if (session.channels.size >= MAX_CHANNELS_PER_SOCKET) return fail('ChannelRateLimitReached: Too many channels');

  const given = typeof payload.user_token === 'string' ? payload.user_token : payload.access_token;
  const accessToken = pickAccessToken(given, session.apiKey);
  const check = checkToken(accessToken, session.server.jwtSecret);
  if (!check.ok) return fail(`${check.code}: ${check.message}`);

  let policies: Policies | null = null;
  if (isPrivate) {
    try {
      policies = await authorizeRead(session, name, check.claims, presenceEnabled);
    } catch {
      return fail(UNAVAILABLE);
    }
    if (!policies) return fail(`Unauthorized: ${readDenied(name)}`);
  }
  const replay = replayRequest(broadcast, isPrivate);
  let replayed: ReplayedMessage[] = [];
  if (replay) {
    if ('error' in replay) return fail(replay.error);
    if (!policies?.broadcast.read) return fail(`Unauthorized: ${readDenied(name)}`);
    try {
      replayed = await loadReplay(session.server.pool, name, replay.since, replay.limit);
    } catch {
      return fail('UnableToReplayMessages: Realtime was unable to replay messages');
    }
  }
  if (session.closed) return;

  const channel = new Channel(session, {
    topic, joinRef, isPrivate, presenceKey, presenceEnabled, accessToken, claims: check.claims,
    selfBroadcast: flexBool(broadcast.self), ack: flexBool(broadcast.ack),
  });
  channel.policies = policies;
  if (replayed.length) channel.replayedIds = new Set(replayed.map((m) => m.id));
  session.channels.set(topic, channel);
  channel.group = session.server.registry.add(channel);

  const requested = Array.isArray(config.postgres_changes) ? config.postgres_changes.filter((b) => b !== null && b !== undefined) : [];
  const pgChanges = session.server.postgresChanges;
  const bindings = pgChanges && requested.length ? pgChanges.subscribe(channel, requested) : [];
  // postgres_changes_options.wait: the reply waits until the subscription is live, or refuses the join.
  const options = isObject(config.postgres_changes_options) ? config.postgres_changes_options : {};
  const wait = bindings.length > 0 && flexBool(options.wait);
  if (wait) {
    const error = await pgChanges!.activate(channel, false).catch((err: Error) => err.message);
    if (error) {
      session.closeChannel(channel, false);
      return fail(`RealtimeDisabledForConfiguration: ${error}`);
    }
  }
  channel.reply(ref, 'ok', { postgres_changes: bindings });
  sendReplay(channel, replayed);
  scheduleTokenExpiry(channel, check.exp);
  if (channel.presenceEnabled && channel.readsPresence) sendPresenceState(channel);
  if (wait) channel.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
  if (flexBool(broadcast.replication_ready)) notifyReplicationReady(channel, Date.now() + REPLICATION_READY_TIMEOUT_MS);
  else if (bindings.length) {
    pgChanges!.activate(channel).catch((err: Error) => session.server.log(`[realtime] UnableToSubscribeToPostgres: ${err.message}`));
  }
}
