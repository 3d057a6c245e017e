// One conversation as an agent works on it: the whole history (REST, paged), kept live by the
// private `conversation:ID` topic (`message` rows on insert and update, `conversation` when its
// state changes), with typing and presence on `conversation:ID:live` in the widget's format
// (`typing {sender, typing, name?}`; presence metas `{sender}`). Every (re)join catches up from
// REST. Replies are inserted through REST under RLS (sender 'agent', author_id = self, a client_id)
// and shown at once, reconciled by client_id.
import type { RealtimeChannel } from '@supabase/supabase-js';
import { supabase } from '../supabase.ts';
import { restErrorText } from './errors.ts';
import type { InboxModel } from './inbox-model.ts';
import { lastStoredAt, mergeMessages, type ShownMessage } from './messages.ts';
import { Observable } from './observable.ts';
import { preferences } from './preferences.ts';
import type { Conversation, Message, Visitor } from './rows.ts';
import { uuid } from './uuid.ts';
import { rowOf } from './website-feed.ts';

/** A visitor's "typing…" disappears after this long without a fresh typing event. */
export const TYPING_EXPIRES_MS = 6000;
const HISTORY_PAGE = 500;
const MAX_HISTORY_PAGES = 40;

export class ConversationModel extends Observable {
  conversation: Conversation | undefined;
  visitor: Visitor | undefined;
  messages: ShownMessage[] = [];
  loading = true;
  error: string | undefined;
  /** A failed action (pause, close, mark read), in words. */
  actionError: string | undefined;
  busy = false;
  visitorTyping = false;
  visitorPresent = false;
  private data: RealtimeChannel | undefined;
  private live: RealtimeChannel | undefined;
  private unfollowFeed: (() => void) | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private markingRead = false;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') {
      void this.catchUp();
      this.markRead();
    }
  };

  constructor(
    readonly id: string,
    readonly websiteId: string,
    private readonly me: { id: string },
    private readonly inbox: InboxModel | undefined,
  ) {
    super();
  }

  async start(): Promise<void> {
    document.addEventListener('visibilitychange', this.onVisible);
    const [conv, visitorAndHistory] = await Promise.all([this.readConversation(), this.readHistory()]);
    if (this.stopped) return;
    this.loading = false;
    if (conv.error || visitorAndHistory) {
      this.error = conv.error ? restErrorText(conv.error, 'Loading the conversation') : visitorAndHistory;
      this.changed();
      return;
    }
    if (!conv.data || conv.data.website_id !== this.websiteId) {
      this.error = 'This conversation does not exist, or it belongs to another website.';
      this.changed();
      return;
    }
    this.setConversation(conv.data as Conversation);
    const visitor = await supabase.from('visitors').select('*')
      .eq('website_id', this.websiteId).eq('user_id', this.conversation!.visitor_id).maybeSingle();
    if (!visitor.error) this.visitor = (visitor.data ?? undefined) as Visitor | undefined;
    this.changed();
    await this.join();
  }

  private readConversation() {
    return supabase.from('conversations').select('*').eq('id', this.id).maybeSingle();
  }

  /** Reads the whole history oldest first, page by page; returns an error text or undefined. */
  private async readHistory(): Promise<string | undefined> {
    let rows: Message[] = [];
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const { data, error } = await supabase.from('messages').select('*').eq('conversation_id', this.id)
        .order('created_at', { ascending: true }).order('id', { ascending: true })
        .range(page * HISTORY_PAGE, (page + 1) * HISTORY_PAGE - 1);
      if (error) return restErrorText(error, 'Loading the messages');
      rows = rows.concat(data as Message[]);
      if (data.length < HISTORY_PAGE) break;
    }
    this.messages = mergeMessages(this.messages, rows);
    return undefined;
  }

  private setConversation(row: Conversation): void {
    this.conversation = row;
    this.inbox?.merge(row);
    this.markRead();
  }

  private async join(): Promise<void> {
    await supabase.realtime.setAuth();
    if (this.stopped) return;
    const topic = `conversation:${this.id}`;
    // conversation:ID carries messages in the visitor-safe form (no author); website:ID has the
    // whole new row, author included.
    this.unfollowFeed = this.inbox?.feed.on('message', (row) => {
      if (row.conversation_id !== this.id) return;
      this.messages = mergeMessages(this.messages, [row]);
      this.changed();
    });
    this.data = supabase
      .channel(topic, { config: { private: true } })
      .on('broadcast', { event: 'message' }, ({ payload }) => {
        const row = rowOf<Message>(payload);
        if (row?.conversation_id !== this.id) return;
        if (row.sender === 'user') this.setVisitorTyping(false);
        this.messages = mergeMessages(this.messages, [row]);
        this.changed();
      })
      .on('broadcast', { event: 'conversation' }, ({ payload }) => {
        const row = rowOf<Conversation>(payload);
        if (row?.id !== this.id) return;
        this.setConversation(row);
        this.changed();
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') void this.catchUp();
      });
    this.live = supabase
      .channel(`${topic}:live`, { config: { private: true, broadcast: { self: false }, presence: { key: this.me.id } } })
      .on('broadcast', { event: 'typing' }, ({ payload }) => {
        const p = payload as { sender?: unknown; typing?: unknown } | null;
        if (p?.sender === 'user') this.setVisitorTyping(p.typing === true);
      })
      .on('presence', { event: 'sync' }, () => {
        const metas = Object.values(this.live?.presenceState() ?? {}).flat() as Array<{ sender?: string }>;
        const present = metas.some((m) => m.sender === 'user');
        if (present !== this.visitorPresent) {
          this.visitorPresent = present;
          this.changed();
        }
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') void this.live?.track({ sender: 'agent' });
      });
  }

  private setVisitorTyping(typing: boolean): void {
    clearTimeout(this.typingTimer);
    if (typing) this.typingTimer = setTimeout(() => this.setVisitorTyping(false), TYPING_EXPIRES_MS);
    if (typing !== this.visitorTyping) {
      this.visitorTyping = typing;
      this.changed();
    }
  }

  /** What the socket may have missed: messages from the newest one we have on, and the row. */
  async catchUp(): Promise<void> {
    if (this.stopped || !this.conversation) return;
    const since = lastStoredAt(this.messages);
    let q = supabase.from('messages').select('*').eq('conversation_id', this.id);
    if (since) q = q.gte('created_at', since);
    const [messages, conv] = await Promise.all([
      q.order('created_at', { ascending: true }).order('id', { ascending: true }).limit(1000),
      this.readConversation(),
    ]);
    if (this.stopped) return;
    if (!messages.error) this.messages = mergeMessages(this.messages, messages.data as Message[]);
    if (!conv.error && conv.data) this.setConversation(conv.data as Conversation);
    this.changed();
  }

  /** The team has seen the visitor's messages (only while this tab shows them). */
  markRead(): void {
    const c = this.conversation;
    if (!c || c.agent_unread_count <= 0 || this.markingRead || document.visibilityState !== 'visible') return;
    this.markingRead = true;
    void supabase.rpc('mark_conversation_read', { conv_id: this.id }).then(({ error }) => {
      this.markingRead = false;
      if (error) {
        this.actionError = restErrorText(error, 'Marking the conversation read');
        this.changed();
      }
    });
  }

  private async update(patch: Partial<Pick<Conversation, 'ai_mode' | 'status'>>, action: string): Promise<boolean> {
    this.busy = true;
    this.actionError = undefined;
    this.changed();
    const { data, error } = await supabase.from('conversations').update(patch).eq('id', this.id).select().maybeSingle();
    this.busy = false;
    if (error || !data) this.actionError = error ? restErrorText(error, action) : `${action} is not allowed for your role on this website.`;
    else this.setConversation(data as Conversation);
    this.changed();
    return !error && !!data;
  }

  setAiMode(mode: 'auto' | 'paused'): Promise<boolean> {
    return this.update({ ai_mode: mode }, mode === 'paused' ? 'Pausing the AI' : 'Resuming the AI');
  }

  setStatus(status: 'open' | 'closed'): Promise<boolean> {
    return this.update({ status }, status === 'closed' ? 'Closing the conversation' : 'Reopening the conversation');
  }

  /** Sends a reply as the signed-in member; pauses the AI first when that preference is on. */
  async reply(content: string): Promise<void> {
    const text = content.trim();
    if (!text) return;
    const clientId = uuid();
    const now = new Date().toISOString();
    this.messages = [...this.messages, {
      id: `local:${clientId}`, conversation_id: this.id, website_id: this.websiteId, sender: 'agent', content: text,
      author_id: this.me.id, client_id: clientId, metadata: {}, created_at: now, updated_at: now, state: 'sending',
    }];
    this.typing(false);
    this.changed();
    if (preferences.pauseAiOnReply && this.conversation?.ai_mode === 'auto') await this.setAiMode('paused');
    await this.insert(clientId, text);
  }

  /** Sends a failed reply again with the same client_id: the database keeps one row whatever happened. */
  async retry(message: ShownMessage): Promise<void> {
    if (message.state !== 'failed' || !message.client_id) return;
    message.state = 'sending';
    this.messages = [...this.messages];
    this.changed();
    await this.insert(message.client_id, message.content);
  }

  private async insert(clientId: string, content: string): Promise<void> {
    const { data, error } = await supabase.from('messages')
      .insert({ conversation_id: this.id, website_id: this.websiteId, sender: 'agent', author_id: this.me.id, content, client_id: clientId })
      .select().single();
    let stored = data as Message | null;
    if (error?.code === '23505') {
      // Stored by an earlier attempt whose answer was lost.
      const again = await supabase.from('messages').select('*').eq('conversation_id', this.id).eq('client_id', clientId).maybeSingle();
      stored = (again.data ?? null) as Message | null;
    }
    if (stored) this.messages = mergeMessages(this.messages, [stored]);
    else {
      this.messages = this.messages.map((m) => (m.client_id === clientId && m.state !== 'sent' ? { ...m, state: 'failed' as const } : m));
      this.actionError = restErrorText(error, 'Sending the reply');
    }
    this.changed();
  }

  /**
   * Tells the visitor this agent is (or stopped) typing; only over an open socket. No name: the
   * widget shows "typing…", and a member's e-mail is not the visitor's business.
   */
  typing(typing: boolean): void {
    if (this.live?.state !== 'joined') return;
    void this.live.send({ type: 'broadcast', event: 'typing', payload: { sender: 'agent', typing } });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.typingTimer);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.unfollowFeed?.();
    for (const channel of [this.data, this.live]) if (channel) void supabase.removeChannel(channel);
    this.data = this.live = undefined;
  }
}
