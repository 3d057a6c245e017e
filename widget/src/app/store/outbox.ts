// The visitor's messages that the server has not confirmed yet, kept in localStorage so that a
// message written offline (or still being retried) survives closing the page: the next page view,
// in this tab or another, sends it again with the same client_id (the server stores it once).
//
// One key per message (`emily:<websiteId>:outbox:<client_id>`), never one shared list: tabs do not
// share a read-modify-write, so one tab's update can never drop another tab's message.
// Exactly one living tab sends a given message: the tab that holds its Web Lock
// (`…:outbox:<client_id>`), taken when it is written and kept until it is confirmed, dropped, or the
// tab goes away (the browser then releases the lock, and the message is free for the next tab).
// Browsers without Web Locks (Safari < 15.4) resume every stored message on each page view; the
// server's client_id dedupe still stores each one once.
import { readJson, storageKey, type KeyValue } from '../session/storage.ts';

export interface OutboxEntry {
  client_id: string;
  /** The server's conversation, once known. */
  conversation_id: string | null;
  /** Groups the messages of a conversation the server has not named yet (they go to the same one). */
  thread: string;
  /** The visitor (auth user id) who wrote it; null when they had no session yet. */
  user_id: string | null;
  content: string;
  /** ISO time it was written (the resume order). */
  created_at: string;
}

/**
 * Takes the named cross-tab lock if nobody holds it, and keeps it: resolves with its release
 * function, or null when another holder has it (navigator.locks.request with ifAvailable).
 */
export type HoldLock = (name: string) => Promise<(() => void) | null>;

export function webLockHolder(): HoldLock | undefined {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return undefined;
  return (name) =>
    new Promise((resolve) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          if (!lock) return resolve(null);
          return new Promise<void>((release) => resolve(() => release()));
        })
        .catch(() => resolve(null));
    });
}

function isEntry(v: unknown): v is OutboxEntry {
  const e = v as OutboxEntry | null;
  return !!e && typeof e.client_id === 'string' && typeof e.content === 'string' && typeof e.thread === 'string' && typeof e.created_at === 'string';
}

/** Whether anything is waiting to be sent for this website (read without the Outbox, at start). */
export function hasOutbox(storage: KeyValue, websiteId: string): boolean {
  const prefix = `${storageKey(websiteId, 'outbox')}:`;
  return storage.keys().some((k) => k.startsWith(prefix));
}

export class Outbox {
  readonly #prefix: string;
  /** Messages this tab sends: client_id → release of its lock. */
  readonly #mine = new Map<string, () => void>();

  readonly #storage: KeyValue;
  readonly #hold: HoldLock | null;

  constructor(
    websiteId: string,
    storage: KeyValue,
    /** null: no cross-tab lock in this browser. */
    hold: HoldLock | null = webLockHolder() ?? null,
  ) {
    this.#prefix = `${storageKey(websiteId, 'outbox')}:`;
    this.#storage = storage;
    this.#hold = hold;
  }

  /** Every stored message of this website (any tab's), oldest first. */
  list(): OutboxEntry[] {
    return this.#storage
      .keys()
      .filter((k) => k.startsWith(this.#prefix))
      .map((k) => readJson<OutboxEntry>(this.#storage, k))
      .filter(isEntry)
      .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  }

  /** A message this tab is about to send: stored first (a page closing now keeps it), then locked. */
  async add(entry: OutboxEntry): Promise<void> {
    this.#mine.set(entry.client_id, () => {});
    this.#write(entry);
    const release = await this.#lock(entry.client_id);
    // Confirmed or dropped while the lock was being taken: let it go at once.
    if (!this.#mine.has(entry.client_id)) release?.();
    else if (release) this.#mine.set(entry.client_id, release);
  }

  /**
   * Stored messages no living tab is sending (their tab was closed), now this tab's to send,
   * oldest first. Messages another open tab is sending are left to it.
   */
  async claimOrphans(): Promise<OutboxEntry[]> {
    const claimed: OutboxEntry[] = [];
    for (const entry of this.list()) {
      if (this.#mine.has(entry.client_id)) continue;
      const release = await this.#lock(entry.client_id);
      if (!release) continue;
      // Re-read under the lock: it may have been confirmed (and removed) meanwhile.
      const current = readJson<OutboxEntry>(this.#storage, this.#key(entry.client_id));
      if (!isEntry(current) || this.#mine.has(entry.client_id)) {
        release();
        continue;
      }
      this.#mine.set(entry.client_id, release);
      claimed.push(current);
    }
    return claimed;
  }

  /** The server named the conversation of `thread`: this tab's waiting messages in it go there too. */
  named(thread: string, conversationId: string): void {
    for (const entry of this.list()) {
      if (entry.thread === thread && !entry.conversation_id && this.#mine.has(entry.client_id)) {
        this.#write({ ...entry, conversation_id: conversationId });
      }
    }
  }

  /** Confirmed by the server (or refused for good): forgotten, and its lock released. */
  remove(clientId: string): void {
    this.#storage.remove(this.#key(clientId));
    const release = this.#mine.get(clientId);
    this.#mine.delete(clientId);
    release?.();
  }

  /** Forgets every waiting message of this website (EmilyChat.reset()). */
  clear(): void {
    for (const entry of this.list()) this.remove(entry.client_id);
    for (const clientId of [...this.#mine.keys()]) this.remove(clientId);
  }

  #key(clientId: string): string {
    return this.#prefix + clientId;
  }

  #write(entry: OutboxEntry): void {
    this.#storage.set(this.#key(entry.client_id), JSON.stringify(entry));
  }

  async #lock(clientId: string): Promise<(() => void) | null> {
    if (!this.#hold) return () => {};
    return this.#hold(`${this.#prefix}${clientId}`);
  }
}
