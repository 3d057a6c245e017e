// Broadcast replay (`config.broadcast.replay: {since, limit}` on a private channel): after the join
// the channel first receives the topic's latest stored messages (realtime.messages rows from
// realtime.send()) inserted since `since`, oldest first, with meta {replayed: true, id} — as
// Supabase's Realtime.Messages.replay does, at most 25. Live copies of those messages are then
// not sent to that channel a second time.
import type pg from 'pg';
import type { Channel } from './channel.ts';
import { isObject } from './payload.ts';

const HARD_LIMIT = 25;

export type ReplayRequest = { since: number; limit: number } | { error: string } | null;

/** Reads `config.broadcast.replay`; null when the join did not ask for a replay. */
export function replayRequest(broadcastConfig: Record<string, unknown>, isPrivate: boolean): ReplayRequest {
  if (!('replay' in broadcastConfig) || broadcastConfig.replay === undefined) return null;
  if (!isPrivate) return { error: 'UnableToReplayMessages: Replay is not allowed for public channels' };
  const replay = broadcastConfig.replay;
  if (!isObject(replay)) return { error: 'UnableToReplayMessages: Replay params are not valid' };
  const since = replay.since;
  const limit = replay.limit ?? HARD_LIMIT;
  if (!Number.isInteger(since) || !Number.isInteger(limit)) return { error: 'UnableToReplayMessages: Replay params are not valid' };
  return { since: since as number, limit: Math.max(1, Math.min(limit as number, HARD_LIMIT)) };
}

export interface ReplayedMessage {
  id: string;
  event: string;
  payloadJson: string;
}

export async function loadReplay(pool: pg.Pool, topic: string, since: number, limit: number): Promise<ReplayedMessage[]> {
  const { rows } = await pool.query<{ id: string; event: string; payload: string }>(
    `select id::text as id, event, payload::text as payload from realtime.messages
      where topic = $1 and private is true and extension = 'broadcast' and event is not null and payload is not null
        and inserted_at >= to_timestamp($2::float8 / 1000)::timestamp
        and inserted_at < now()::timestamp + interval '1 minute'
      order by inserted_at desc limit $3`,
    [topic, since, limit],
  );
  return rows.reverse().map((r) => ({ id: r.id, event: r.event, payloadJson: r.payload }));
}

export function sendReplay(channel: Channel, messages: ReplayedMessage[]): void {
  for (const m of messages) {
    const meta = JSON.stringify({ replayed: true, id: m.id });
    channel.push('broadcast', `{"event":${JSON.stringify(m.event)},"meta":${meta},"payload":${m.payloadJson},"type":"broadcast"}`);
  }
}
