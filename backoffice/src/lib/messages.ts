// A conversation's messages as the agent sees them: rows from REST and from realtime merged by id,
// the agent's own replies shown at once (optimistic) and reconciled by client_id when the stored
// row arrives, in the order they were written.
import type { Message } from './rows.ts';

export interface ShownMessage extends Message {
  /** 'sending' until the stored row arrives, 'failed' when the insert failed. */
  state: 'sent' | 'sending' | 'failed';
}

export function byTime(a: Message, b: Message): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Merges stored rows into the list: an id already there is replaced, a pending copy with the same
 * client_id gives way. A row from `conversation:ID` is the visitor-safe form (no author_id, only
 * sources in metadata): what it leaves out keeps what the known copy said.
 */
export function mergeMessages(list: readonly ShownMessage[], rows: readonly Message[]): ShownMessage[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const row of rows) {
    if (!row?.id) continue;
    let known = byId.get(row.id);
    if (row.client_id) {
      for (const [id, m] of byId) {
        if (m.state !== 'sent' && m.client_id === row.client_id && m.conversation_id === row.conversation_id) {
          known ??= m;
          byId.delete(id);
        }
      }
    }
    const current = byId.get(row.id);
    if (!current || current.updated_at <= row.updated_at) byId.set(row.id, { ...known, ...row, state: 'sent' });
  }
  return [...byId.values()].sort(byTime);
}

/** The time of the newest stored message (catch-up reads from there). */
export function lastStoredAt(list: readonly ShownMessage[]): string | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].state === 'sent') return list[i].created_at;
  return undefined;
}
