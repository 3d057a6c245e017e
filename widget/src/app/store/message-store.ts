// The messages of one open conversation, reconciled by identity, never by content. The same
// stored message may reach us through the SSE stream, the realtime channel and a catch-up fetch,
// in any order: it is shown once. A visitor message is known by its client_id from the moment it
// is typed; the server's id joins it when the server confirms it.

export type Sender = 'user' | 'assistant' | 'agent' | 'system';

export interface Source {
  title: string;
  url?: string | null;
}

/** A stored message as Edge Functions and realtime deliver it (the `messages` row). */
export interface MessageRow {
  id: string;
  conversation_id?: string;
  content: string;
  sender: Sender;
  created_at?: string;
  client_id?: string | null;
  /** AI answers' sources, at the top level in Edge Function answers… */
  sources?: Source[] | null;
  /** …and inside metadata in the raw rows realtime broadcasts. */
  metadata?: { sources?: Source[] | null; [key: string]: unknown } | null;
  /** When a team member saw it (a visitor message's "seen" marker). */
  seen_at?: string | null;
  /** Display name of the team member who wrote it (agent messages). */
  author_name?: string | null;
}

/**
 * Milliseconds since the epoch. Rows broadcast by the database carry Postgres's microseconds,
 * Edge Functions send milliseconds: both are cut to milliseconds, so the same message reads the
 * same time from every source (and Safari, which rejects more than three decimals, parses it).
 */
export function timestampOf(iso: string | undefined | null): number {
  if (!iso) return NaN;
  return Date.parse(iso.trim().replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1').replace(/([+-]\d\d)$/, '$1:00'));
}

export type MessageState = 'sending' | 'failed' | 'sent' | 'streaming';

export interface ChatMessage {
  /** Stable for the message's whole life in this view (the DOM key). */
  key: string;
  id?: string;
  clientId?: string;
  sender: Sender;
  content: string;
  createdAt?: string;
  sources?: Source[];
  seen: boolean;
  authorName?: string;
  state: MessageState;
  /** Made by the widget itself (e.g. "a team member will reply"), never stored. */
  notice?: boolean;
  /** Bumped whenever something shown changes, so views redraw only what changed. */
  version: number;
}

/** What an incoming row did: a message nobody had shown yet, our pending one confirmed, an edit, or nothing. */
export type UpsertResult = 'added' | 'confirmed' | 'updated' | 'unchanged';

interface Entry extends ChatMessage {
  /** Sort position: server time for stored messages, +Infinity while unconfirmed. */
  at: number;
  seq: number;
  /** A stored AI answer kept out of view while our own answer is still streaming (it may be that one). */
  held?: boolean;
  /** A thinking bubble for an answer written elsewhere (streamError): the next stored AI answer replaces it. */
  waiting?: boolean;
}

const streamKey = (clientId: string) => `a:${clientId}`;

export class MessageStore {
  #entries = new Map<string, Entry>();
  #byId = new Map<string, string>();
  #byClientId = new Map<string, string>();
  #streams = new Set<string>();
  #seq = 0;
  /** Visitor messages up to this server time have been read by the team. */
  #seenUntil = -Infinity;
  /** The latest server time seen: local notices and answers without a timestamp sort after it. */
  #latestAt = 0;

  readonly #onChange: () => void;

  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
  }

  /** Every message in display order. */
  list(): ChatMessage[] {
    // Server order is (created_at, id); unconfirmed messages keep the order they were typed in.
    return [...this.#entries.values()]
      .filter((e) => !e.held)
      .sort((a, b) => a.at - b.at || (a.id && b.id && a.at !== Infinity ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : 0) || a.seq - b.seq);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  byClient(clientId: string): ChatMessage | undefined {
    const key = this.#byClientId.get(clientId);
    return key ? this.#entries.get(key) : undefined;
  }

  /** The visitor's message, shown at once while it is sent. */
  addPending(clientId: string, content: string): ChatMessage {
    const existing = this.byClient(clientId);
    if (existing) return existing;
    const entry = this.#insert({ key: `c:${clientId}`, clientId, sender: 'user', content, seen: false, state: 'sending' }, Infinity);
    this.#byClientId.set(clientId, entry.key);
    this.#onChange();
    return entry;
  }

  setState(clientId: string, state: 'sending' | 'failed'): void {
    const entry = this.#entryByClient(clientId);
    if (!entry || entry.state === 'sent' || entry.state === state) return;
    entry.state = state;
    entry.version++;
    this.#onChange();
  }

  /** A stored message from any source (SSE `message`/`done`, realtime, catch-up, JSON reply). */
  upsert(row: MessageRow): UpsertResult {
    const result = this.#merge(row);
    if (result !== 'unchanged') this.#onChange();
    return result;
  }

  /** Several rows (a history or catch-up page); returns the ids that were new to this view. */
  upsertMany(rows: MessageRow[]): MessageRow[] {
    const added = rows.filter((row) => this.#merge(row) === 'added');
    this.#onChange();
    return added;
  }

  /** The team read the conversation up to `iso` (conversations.agent_last_read_at). */
  markSeenUntil(iso: string | null | undefined): void {
    const t = timestampOf(iso);
    if (!(t > this.#seenUntil)) return;
    this.#seenUntil = t;
    let changed = false;
    for (const entry of this.#entries.values()) changed = this.#updateSeen(entry) || changed;
    if (changed) this.#onChange();
  }

  /** The AI starts answering the visitor message `clientId`: a "thinking" bubble until text arrives. */
  startStream(clientId: string): void {
    const key = streamKey(clientId);
    if (this.#entries.has(key)) return;
    this.#streams.add(clientId);
    this.#insert({ key, sender: 'assistant', content: '', seen: false, state: 'streaming' }, Infinity);
    this.#onChange();
  }

  delta(clientId: string, text: string): void {
    const entry = this.#entries.get(streamKey(clientId));
    if (!entry || entry.state !== 'streaming') return;
    entry.content += text;
    entry.version++;
    this.#onChange();
  }

  /** The stream's `done`: the answer is stored under `row.id`. Returns whether it is new to this view. */
  finishStream(clientId: string, row: MessageRow): boolean {
    const key = streamKey(clientId);
    const placeholder = this.#entries.get(key);
    this.#streams.delete(clientId);
    let isNew = false;
    if (placeholder && !this.#byId.has(row.id)) {
      // The placeholder becomes the stored answer, keeping its key (no flicker).
      placeholder.id = row.id;
      placeholder.state = 'sent';
      this.#byId.set(row.id, key);
      this.#place(placeholder, row.created_at);
      this.#apply(placeholder, row);
      isNew = true;
    } else {
      if (placeholder) this.#entries.delete(key);
      // Already delivered by realtime or catch-up (and counted then), or new now.
      isNew = this.#merge(row) === 'added';
    }
    this.#releaseHeld();
    this.#onChange();
    return isNew;
  }

  /** The stream failed or broke off: drop the placeholder; a stored answer will come by catch-up. */
  abortStream(clientId: string): void {
    const removed = this.#entries.delete(streamKey(clientId));
    this.#streams.delete(clientId);
    const released = this.#releaseHeld();
    if (removed || released) this.#onChange();
  }

  /**
   * The send's stream ended with `error {code}`; returns whether the answer may still come (the
   * caller then catches up). `in_progress` is no failure: a retried send's first attempt is still
   * writing the answer, which arrives later as a stored row (realtime, catch-up), so the thinking
   * bubble stays until it does (or until abortStream). Any other code (`ai_unavailable`: the first
   * attempt died, or the AI failed) means no AI answer will come: the bubble gives way to `failedNotice`.
   */
  streamError(clientId: string, code: string, failedNotice: string): boolean {
    if (code !== 'in_progress') {
      this.abortStream(clientId);
      this.notice(`error:${clientId}`, failedNotice);
      return false;
    }
    const entry = this.#entries.get(streamKey(clientId));
    this.#streams.delete(clientId);
    // Held rows are AI answers that arrived while this stream was open: that is the answer.
    if (this.#releaseHeld()) this.#entries.delete(streamKey(clientId));
    else if (entry) entry.waiting = true;
    this.#onChange();
    return true;
  }

  /** A line from the widget itself, placed after everything known so far. */
  notice(key: string, text: string): void {
    if (this.#entries.has(`n:${key}`)) return;
    this.#insert({ key: `n:${key}`, sender: 'system', content: text, seen: false, state: 'sent', notice: true }, this.#latestAt);
    this.#onChange();
  }

  #merge(row: MessageRow): UpsertResult {
    if (!row || typeof row.id !== 'string' || typeof row.content !== 'string') return 'unchanged';
    const known = this.#byId.get(row.id);
    if (known) {
      const entry = this.#entries.get(known)!;
      const moved = this.#place(entry, row.created_at);
      return this.#apply(entry, row) || moved ? 'updated' : 'unchanged';
    }
    const pendingKey = row.client_id ? this.#byClientId.get(row.client_id) : undefined;
    const pending = pendingKey ? this.#entries.get(pendingKey) : undefined;
    if (pending) {
      pending.id = row.id;
      pending.state = 'sent';
      this.#byId.set(row.id, pending.key);
      this.#place(pending, row.created_at);
      this.#apply(pending, row);
      pending.version++;
      return 'confirmed';
    }
    const entry = this.#insert({ key: `s:${row.id}`, id: row.id, sender: row.sender, content: '', seen: false, state: 'sent' }, this.#timeOf(row.created_at));
    this.#byId.set(row.id, entry.key);
    if (row.client_id) this.#byClientId.set(row.client_id, entry.key);
    this.#apply(entry, row);
    if (row.sender === 'assistant') {
      // While our own answer streams, an AI answer we did not ask for yet may be that very answer.
      if (this.#streams.size) entry.held = true;
      for (const other of this.#entries.values()) if (other.waiting) this.#entries.delete(other.key);
    }
    return 'added';
  }

  #updateSeen(entry: Entry): boolean {
    const seen = entry.seen || (entry.sender === 'user' && entry.at !== Infinity && entry.at <= this.#seenUntil);
    if (seen === entry.seen) return false;
    entry.seen = seen;
    entry.version++;
    return true;
  }

  /** Copies what is shown from the row; returns whether anything changed. */
  #apply(entry: Entry, row: MessageRow): boolean {
    const seen = Boolean(row.seen_at) || entry.seen;
    const rawSources = row.sources ?? row.metadata?.sources;
    const sources = Array.isArray(rawSources) ? rawSources.filter((s) => s && typeof s.title === 'string') : entry.sources;
    const changed =
      entry.content !== row.content || entry.seen !== seen || entry.createdAt !== (row.created_at ?? entry.createdAt) ||
      JSON.stringify(entry.sources) !== JSON.stringify(sources) || entry.authorName !== (row.author_name ?? entry.authorName);
    if (!changed) return false;
    entry.content = row.content;
    entry.sender = row.sender ?? entry.sender;
    entry.seen = seen;
    entry.createdAt = row.created_at ?? entry.createdAt;
    entry.sources = sources;
    entry.authorName = row.author_name ?? entry.authorName;
    entry.version++;
    this.#updateSeen(entry);
    return true;
  }

  /** Moves a confirmed message to its server time; returns whether it moved. */
  #place(entry: Entry, createdAt: string | undefined): boolean {
    const at = createdAt ? this.#timeOf(createdAt) : entry.at === Infinity ? this.#latestAt : entry.at;
    if (at === entry.at) return false;
    entry.at = at;
    this.#updateSeen(entry);
    return true;
  }

  #timeOf(createdAt: string | undefined): number {
    const t = timestampOf(createdAt);
    if (Number.isNaN(t)) return this.#latestAt;
    if (t > this.#latestAt) this.#latestAt = t;
    return t;
  }

  #insert(fields: Omit<Entry, 'at' | 'seq' | 'version'>, at: number): Entry {
    const entry: Entry = { ...fields, at, seq: this.#seq++, version: 0 };
    this.#entries.set(entry.key, entry);
    return entry;
  }

  #entryByClient(clientId: string): Entry | undefined {
    const key = this.#byClientId.get(clientId);
    return key ? this.#entries.get(key) : undefined;
  }

  #releaseHeld(): boolean {
    if (this.#streams.size) return false;
    let released = false;
    for (const entry of this.#entries.values()) {
      if (entry.held) {
        entry.held = false;
        released = true;
      }
    }
    return released;
  }
}
