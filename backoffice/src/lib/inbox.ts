// The inbox's pure logic: which conversations a filter shows, their order, merging rows that arrive
// from REST and from the website's realtime topic in any order, and the unread total.
import type { Conversation } from './rows.ts';

export const FILTERS = [
  { key: 'all', label: 'All' },
  { key: 'needs_human', label: 'Needs a human' },
  { key: 'ai', label: 'AI answering' },
  { key: 'paused', label: 'Paused' },
  { key: 'closed', label: 'Closed' },
] as const;

export type InboxFilter = typeof FILTERS[number]['key'];

export function isFilter(value: string | null | undefined): value is InboxFilter {
  return FILTERS.some((f) => f.key === value);
}

export function matchesFilter(row: Conversation, filter: InboxFilter): boolean {
  switch (filter) {
    case 'all': return true;
    case 'needs_human': return row.status === 'open' && row.needs_human;
    case 'ai': return row.status === 'open' && row.ai_mode === 'auto';
    case 'paused': return row.status === 'open' && row.ai_mode === 'paused';
    case 'closed': return row.status === 'closed';
  }
}

/** The same filter as PostgREST query parameters (column → `op.value`). */
export function filterParams(filter: InboxFilter): Array<[string, string]> {
  switch (filter) {
    case 'all': return [];
    case 'needs_human': return [['status', 'eq.open'], ['needs_human', 'is.true']];
    case 'ai': return [['status', 'eq.open'], ['ai_mode', 'eq.auto']];
    case 'paused': return [['status', 'eq.open'], ['ai_mode', 'eq.paused']];
    case 'closed': return [['status', 'eq.closed']];
  }
}

/**
 * A search text safe inside a PostgREST `ilike` pattern and `or=(...)` list: each run of
 * characters with a meaning there (`,()"\*%_:`) becomes the wildcard `*`, so "minutes. (ref" still
 * finds "minutes. (ref"; spaces collapse.
 */
export function searchTerm(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 100).replace(/[,()"\\*%_:]+/g, '*').replace(/^\*+|\*+$/g, '');
}

/** The same match as `ilike '%term%'` with `*` as a wildcard, ignoring case. */
export function textMatches(value: string | null | undefined, term: string): boolean {
  if (!value) return false;
  const haystack = value.toLowerCase();
  let from = 0;
  for (const part of term.toLowerCase().split('*')) {
    const at = haystack.indexOf(part, from);
    if (at < 0) return false;
    from = at + part.length;
  }
  return true;
}

export function matchesSearch(row: Conversation, term: string): boolean {
  if (!term) return true;
  return textMatches(row.title, term) || textMatches(row.last_message_preview, term);
}

/** Last activity first; the id breaks ties (the same order as the inbox index). */
export function byActivity(a: Conversation, b: Conversation): number {
  if (a.last_message_at !== b.last_message_at) return a.last_message_at < b.last_message_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY);

/**
 * Whether `incoming` should replace `current`. A REST page read before a realtime update can land
 * after it: the row with the later updated_at wins, and on a tie the one with the later activity
 * (equal rows change nothing either way).
 */
export function isNewer(current: Conversation | undefined, incoming: Conversation): boolean {
  if (!current) return true;
  const a = time(current.updated_at);
  const b = time(incoming.updated_at);
  if (a !== b) return b > a;
  return time(incoming.last_message_at) >= time(current.last_message_at);
}

/** Every conversation the inbox has heard of, by id. */
export class ConversationRows {
  private readonly rows = new Map<string, Conversation>();

  /** Merges rows; returns true when something changed. */
  upsert(rows: Iterable<Conversation>): boolean {
    let changed = false;
    for (const row of rows) {
      if (!row?.id) continue;
      if (isNewer(this.rows.get(row.id), row)) {
        this.rows.set(row.id, row);
        changed = true;
      }
    }
    return changed;
  }

  get(id: string): Conversation | undefined {
    return this.rows.get(id);
  }

  clear(): void {
    this.rows.clear();
  }

  /** The conversations a filter and search show, by activity. `include` adds ids found elsewhere (message search). */
  list(filter: InboxFilter, term = '', include?: ReadonlySet<string>): Conversation[] {
    return [...this.rows.values()]
      .filter((r) => matchesFilter(r, filter) && (matchesSearch(r, term) || !!include?.has(r.id)))
      .sort(byActivity);
  }

  /** Visitor messages no team member has read, over every conversation heard of. */
  unreadTotal(): number {
    let total = 0;
    for (const r of this.rows.values()) total += Math.max(0, r.agent_unread_count ?? 0);
    return total;
  }
}
