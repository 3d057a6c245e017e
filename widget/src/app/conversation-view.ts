// One conversation as the widget holds it: where its messages go (the store), which server
// conversation it is once known, and how far the database has been read (the catch-up cursor).
import { MessageStore, timestampOf, type MessageRow } from './store/message-store.ts';
import { uuidv4 } from './uuid.ts';

export class ConversationView {
  readonly store: MessageStore;
  /** Set when the server names the conversation (a new one gets its id with the first answer). */
  id: string | null;
  /** The visitor (auth user id) it belongs to; a new anonymous visitor cannot read it. */
  owner: string | null;
  /**
   * Names the conversation locally until the server does: messages written offline into a new
   * conversation keep it in the outbox, so that after a page close they still go to one
   * conversation, not one each.
   */
  thread = uuidv4();
  /**
   * The last message id read from the database through widget-conversations (never from the
   * socket: a message the socket missed must still come back in the next catch-up).
   */
  cursor: string | null = null;
  /** The cursor message's server time (ms); NaN while unknown. */
  cursorAt = NaN;
  /** The whole history has been fetched (not only what came after `cursor`). */
  historyLoaded = false;
  aiMode: string | undefined;
  /** Reads asked for while one runs, by kind: a later ask of a kind replaces an earlier one. */
  readonly #asked = new Map<string, () => Promise<void>>();
  #reading: Promise<void> | undefined;

  constructor(id: string | null, owner: string | null, onChange: () => void) {
    this.id = id;
    this.owner = owner;
    this.store = new MessageStore(onChange);
  }

  /**
   * Moves the cursor to the newest of `rows` in the server's order, (created_at, id), never back:
   * a catch-up also returns the messages stamped in the 10 s before the cursor (commits that landed
   * out of order), so when nothing newer came, its last row is older than the cursor.
   */
  advance(rows: MessageRow[]): void {
    for (const { id, created_at } of rows) {
      const at = timestampOf(created_at);
      // An unknown cursor time (NaN) compares false: any row moves it.
      if (at < this.cursorAt || (at === this.cursorAt && id <= this.cursor!)) continue;
      this.cursor = id;
      this.cursorAt = at;
    }
  }

  /**
   * Runs the database reads (catch-ups, the whole history) one at a time. Each kind asked for
   * while one runs runs once afterwards, the latest ask of it: a catch-up asked for during a
   * catch-up runs again (it reads from the cursor as it is then), and the history asked for by
   * opening the chat during a catch-up is read after it, never dropped.
   */
  serialise(kind: string, run: () => Promise<void>): Promise<void> {
    this.#asked.set(kind, run);
    return (this.#reading ??= (async () => {
      // A Map iterates over entries added during the loop too.
      for (const [key, next] of this.#asked) {
        this.#asked.delete(key);
        await next();
      }
    })().finally(() => (this.#reading = undefined)));
  }
}
