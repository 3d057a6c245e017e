// Broadcast from the database: a row that realtime.send() / realtime.broadcast_changes() inserted
// into realtime.messages, as logical replication hands it over, goes to its topic's subscribers
// exactly as Supabase's ReplicationConnection sends it: a user broadcast with meta {id}, to
// private channels for private rows and to public channels otherwise.
import { deliverUserBroadcast } from './broadcast.ts';
import { MAX_PAYLOAD_BYTES } from './limits.ts';
import type { RealtimeServer } from './server.ts';

/** Column values as pgoutput sends them: text, or null. */
export type TextRow = Record<string, string | null | undefined>;

export function isMessagesTable(schema: string, table: string): boolean {
  return schema === 'realtime' && table.startsWith('messages');
}

export function broadcastMessageRow(server: RealtimeServer, row: TextRow): void {
  const { id, topic, event, payload } = row;
  if (!id || !topic || !event || payload == null || row.private == null) {
    // Supabase skips such rows too (event_missing, topic_missing, payload_missing, ...).
    server.log(`[realtime] UnableToBroadcastChanges: realtime.messages row ${id ?? '?'} lacks topic, event, payload or private`);
    return;
  }
  const data = Buffer.from(payload);
  if (data.length > MAX_PAYLOAD_BYTES) {
    server.log(`[realtime] UnableToBroadcastChanges: :payload_size_exceeded (realtime.messages row ${id})`);
    return;
  }
  const group = server.registry.get(topic, row.private === 't');
  deliverUserBroadcast(group, { event, encoding: 'json', data }, JSON.stringify({ id }), undefined, id);
}
