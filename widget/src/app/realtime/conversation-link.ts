// One WebSocket per tab (one RealtimeClient), joined to the open conversation's private channels
// (contract §6): `conversation:ID` for stored messages and conversation changes, sent only by the
// database; `conversation:ID:live` for typing both ways and presence, joined only once the chat
// has been opened (a closed chat shows no typing and is not "looking"; its socket serves the
// unread badge alone). Each (re)join calls `subscribed`, the widget's cue to catch up from the
// database.
import { RealtimeClient, type RealtimeChannel } from '@supabase/realtime-js';
import type { MessageRow } from '../store/message-store.ts';

export interface ConversationRow {
  id: string;
  ai_mode?: string;
  [key: string]: unknown;
}

export interface LinkHandlers {
  message(row: MessageRow): void;
  conversation(row: ConversationRow): void;
  typing(sender: string, typing: boolean, name?: string): void;
  subscribed(): void;
}

/** A broadcast's row: the payload itself, or `record` when sent by realtime.broadcast_changes(). */
function rowOf<T>(payload: unknown): T | null {
  const p = payload as { record?: unknown } | null;
  if (!p || typeof p !== 'object') return null;
  return (p.record && typeof p.record === 'object' ? p.record : p) as T;
}

export class ConversationLink {
  #client: RealtimeClient | undefined;
  #data: RealtimeChannel | undefined;
  #live: RealtimeChannel | undefined;
  #conversationId: string | undefined;
  #handlers: LinkHandlers | undefined;
  #present = false;
  /** Bumped by every follow/leave, so a follow overtaken while awaiting the token gives up. */
  #generation = 0;

  readonly #supabaseUrl: string;
  readonly #anonKey: string;
  readonly #accessToken: () => Promise<string | null>;

  constructor(
    supabaseUrl: string,
    anonKey: string,
    /** The visitor's current access token (refreshed as needed); called on connect and every heartbeat. */
    accessToken: () => Promise<string | null>,
  ) {
    this.#supabaseUrl = supabaseUrl;
    this.#anonKey = anonKey;
    this.#accessToken = accessToken;
  }

  get current(): string | undefined {
    return this.#conversationId;
  }

  async follow(conversationId: string, handlers: LinkHandlers): Promise<void> {
    if (this.#conversationId === conversationId) return;
    this.leave();
    this.#conversationId = conversationId;
    const generation = this.#generation;
    this.#client ??= new RealtimeClient(`${this.#supabaseUrl.replace(/^http/i, 'ws')}/realtime/v1`, {
      params: { apikey: this.#anonKey },
      accessToken: this.#accessToken,
    });
    // The token first: a join without it is refused on a private topic (and retried only later).
    await this.#client.setAuth();
    if (generation !== this.#generation) return;
    this.#handlers = handlers;
    const mine = (row: { conversation_id?: string; id?: string } | null, key: 'conversation_id' | 'id') => !!row && (row[key] ?? conversationId) === conversationId;
    this.#data = this.#client
      .channel(`conversation:${conversationId}`, { config: { private: true } })
      .on('broadcast', { event: 'message' }, ({ payload }) => {
        const row = rowOf<MessageRow>(payload);
        if (mine(row, 'conversation_id')) handlers.message(row!);
      })
      .on('broadcast', { event: 'conversation' }, ({ payload }) => {
        const row = rowOf<ConversationRow>(payload);
        if (mine(row, 'id')) handlers.conversation(row!);
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') handlers.subscribed();
      });
    if (this.#present) this.#joinLive();
  }

  /** Typing both ways and presence, for the followed conversation (once per follow). */
  #joinLive(): void {
    const client = this.#client;
    const conversationId = this.#conversationId;
    const handlers = this.#handlers;
    if (this.#live || !client || !conversationId || !handlers) return;
    this.#live = client
      .channel(`conversation:${conversationId}:live`, { config: { private: true, broadcast: { self: false } } })
      .on('broadcast', { event: 'typing' }, ({ payload }) => {
        const p = payload as { sender?: unknown; typing?: unknown; name?: unknown } | null;
        if (p && typeof p.sender === 'string') handlers.typing(p.sender, p.typing === true, typeof p.name === 'string' ? p.name : undefined);
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED' && this.#present) void this.#live?.track({ sender: 'user' });
      });
  }

  /** Tells the team the visitor is typing; only over the open socket (never an HTTP fallback). */
  typing(typing: boolean): void {
    if (this.#live?.state !== 'joined') return;
    void this.#live.send({ type: 'broadcast', event: 'typing', payload: { sender: 'user', typing } });
  }

  /** Presence on the live channel: the team sees the visitor is looking at the conversation. */
  setPresent(present: boolean): void {
    if (this.#present === present) return;
    this.#present = present;
    if (present && !this.#live && this.#data) this.#joinLive();
    if (this.#live?.state !== 'joined') return;
    void (present ? this.#live.track({ sender: 'user' }) : this.#live.untrack());
  }

  /** Leaves the conversation's channels; the socket closes once no channel is left. */
  leave(): void {
    this.#generation++;
    for (const channel of [this.#data, this.#live]) if (channel) void this.#client?.removeChannel(channel);
    this.#data = this.#live = this.#conversationId = this.#handlers = undefined;
  }

  close(): void {
    this.leave();
    void this.#client?.disconnect();
    this.#client = undefined;
  }
}
