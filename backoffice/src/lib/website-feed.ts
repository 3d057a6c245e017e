// The private `website:WEBSITE_ID` topic (contract §6; members only, authorised by RLS), joined once
// per open website and shared by every page: `conversation` and `message` for the inbox,
// `knowledge_source` / `knowledge_source_deleted` for the knowledge list. Only the database sends
// there. Whenever the channel (re)joins, the tab comes back into view or the network returns,
// listeners get `resync` and read from REST what the socket may have missed.
import type { RealtimeChannel } from '@supabase/supabase-js';
import { supabase } from '../supabase.ts';
import { Observable } from './observable.ts';
import type { Conversation, KnowledgeSource, Message } from './rows.ts';

export type FeedStatus = 'connecting' | 'live' | 'offline';

interface FeedEvents {
  conversation: Conversation;
  message: Message;
  knowledge_source: KnowledgeSource;
  knowledge_source_deleted: { id: string; website_id: string };
  resync: void;
}

type Listener<K extends keyof FeedEvents> = (payload: FeedEvents[K]) => void;

/** A broadcast row: the payload itself, or `record` when sent by realtime.broadcast_changes(). */
export function rowOf<T>(payload: unknown): T | null {
  const p = payload as { record?: unknown } | null;
  if (!p || typeof p !== 'object') return null;
  return (p.record && typeof p.record === 'object' ? p.record : p) as T;
}

export class WebsiteFeed extends Observable {
  status: FeedStatus = 'connecting';
  private channel: RealtimeChannel | undefined;
  private readonly handlers = new Map<keyof FeedEvents, Set<(payload: never) => void>>();
  private stopped = false;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') this.emit('resync', undefined);
  };
  private readonly onOnline = () => this.emit('resync', undefined);

  constructor(readonly websiteId: string) {
    super();
  }

  on<K extends keyof FeedEvents>(event: K, fn: Listener<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn as (payload: never) => void);
    return () => void set!.delete(fn as (payload: never) => void);
  }

  private emit<K extends keyof FeedEvents>(event: K, payload: FeedEvents[K]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) {
      try {
        (fn as Listener<K>)(payload);
      } catch (err) {
        console.error(err);
      }
    }
  }

  private setStatus(status: FeedStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.changed();
  }

  async start(): Promise<void> {
    document.addEventListener('visibilitychange', this.onVisible);
    addEventListener('online', this.onOnline);
    // The user's token first: a private topic refuses a join made with the anon key.
    await supabase.realtime.setAuth();
    if (this.stopped) return;
    const forward = <K extends 'conversation' | 'message' | 'knowledge_source' | 'knowledge_source_deleted'>(event: K) =>
      ({ payload }: { payload: unknown }) => {
        const row = rowOf<FeedEvents[K]>(payload) as { website_id?: string } | null;
        if (row && (row.website_id ?? this.websiteId) === this.websiteId) this.emit(event, row as FeedEvents[K]);
      };
    this.channel = supabase
      .channel(`website:${this.websiteId}`, { config: { private: true } })
      .on('broadcast', { event: 'conversation' }, forward('conversation'))
      .on('broadcast', { event: 'message' }, forward('message'))
      .on('broadcast', { event: 'knowledge_source' }, forward('knowledge_source'))
      .on('broadcast', { event: 'knowledge_source_deleted' }, forward('knowledge_source_deleted'))
      .subscribe((status) => {
        if (this.stopped) return;
        if (status === 'SUBSCRIBED') {
          this.setStatus('live');
          this.emit('resync', undefined);
        } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
          // realtime-js rejoins by itself; the next SUBSCRIBED catches up.
          this.setStatus('offline');
        }
      });
  }

  stop(): void {
    this.stopped = true;
    document.removeEventListener('visibilitychange', this.onVisible);
    removeEventListener('online', this.onOnline);
    if (this.channel) void supabase.removeChannel(this.channel);
    this.channel = undefined;
    this.handlers.clear();
  }
}
