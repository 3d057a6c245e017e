// The inbox of one website: a page of conversations per filter read through REST (RLS: members
// only), kept current by the website topic's `conversation` rows, re-read on every resync so that
// nothing missed while the socket was down stays missing. Also knows the unread total for the tab
// title, over every conversation with unread visitor messages, not only the page shown.
import { supabase } from '../supabase.ts';
import { restErrorText } from './errors.ts';
import { ConversationRows, filterParams, type InboxFilter, searchTerm } from './inbox.ts';
import { Observable } from './observable.ts';
import type { Conversation } from './rows.ts';
import type { WebsiteFeed } from './website-feed.ts';

export const PAGE_SIZE = 50;

export class InboxModel extends Observable {
  readonly rows = new ConversationRows();
  filter: InboxFilter = 'all';
  term = '';
  /** Conversations whose messages contain the search term. */
  private matched = new Set<string>();
  loading = true;
  loadingMore = false;
  error: string | undefined;
  hasMore = false;
  private request = 0;
  private readonly unsubscribe: Array<() => void>;

  constructor(readonly feed: WebsiteFeed) {
    super();
    this.unsubscribe = [
      feed.on('conversation', (row) => {
        if (this.rows.upsert([row])) this.changed();
      }),
      feed.on('resync', () => void this.refresh()),
    ];
  }

  get websiteId(): string {
    return this.feed.websiteId;
  }

  get visible(): Conversation[] {
    return this.rows.list(this.filter, this.term, this.term ? this.matched : undefined);
  }

  get unread(): number {
    return this.rows.unreadTotal();
  }

  /** Merges a row read elsewhere (the conversation view) into the list. */
  merge(row: Conversation): void {
    if (this.rows.upsert([row])) this.changed();
  }

  setView(filter: InboxFilter, text: string): void {
    const term = searchTerm(text);
    if (filter === this.filter && term === this.term && !this.error && this.request > 0) return;
    this.filter = filter;
    this.term = term;
    void this.refresh();
  }

  private query() {
    let q = supabase.from('conversations').select('*').eq('website_id', this.websiteId);
    for (const [column, condition] of filterParams(this.filter)) {
      const [op, value] = [condition.slice(0, condition.indexOf('.')), condition.slice(condition.indexOf('.') + 1)];
      q = q.filter(column, op, value);
    }
    if (this.term) q = q.or(`title.ilike."*${this.term}*",last_message_preview.ilike."*${this.term}*"`);
    return q.order('last_message_at', { ascending: false }).order('id', { ascending: false });
  }

  /** The first page of the current view, the unread conversations and (when searching) message matches. */
  async refresh(): Promise<void> {
    const request = ++this.request;
    this.loading = true;
    this.changed();
    const [page, unread, matches] = await Promise.all([
      this.query().limit(PAGE_SIZE),
      supabase.from('conversations').select('*').eq('website_id', this.websiteId).gt('agent_unread_count', 0)
        .order('last_message_at', { ascending: false }).limit(200),
      this.term ? this.searchMessages(this.term) : Promise.resolve({ rows: [] as Conversation[], error: null }),
    ]);
    if (request !== this.request) return;
    this.loading = false;
    const error = page.error ?? unread.error ?? matches.error;
    this.error = error ? restErrorText(error, 'Loading the inbox') : undefined;
    if (!error) {
      this.rows.upsert([...(page.data as Conversation[]), ...(unread.data as Conversation[]), ...matches.rows]);
      this.matched = new Set(matches.rows.map((r) => r.id));
      this.hasMore = (page.data?.length ?? 0) >= PAGE_SIZE;
    }
    this.changed();
  }

  private async searchMessages(term: string): Promise<{ rows: Conversation[]; error: { message: string; code?: string } | null }> {
    const found = await supabase.from('messages').select('conversation_id').eq('website_id', this.websiteId)
      .ilike('content', `*${term}*`).order('created_at', { ascending: false }).limit(200);
    if (found.error) return { rows: [], error: found.error };
    const ids = [...new Set((found.data as Array<{ conversation_id: string }>).map((m) => m.conversation_id))].slice(0, PAGE_SIZE);
    if (!ids.length) return { rows: [], error: null };
    const convs = await supabase.from('conversations').select('*').in('id', ids);
    return { rows: (convs.data ?? []) as Conversation[], error: convs.error };
  }

  /**
   * The next page: conversations active at or before the oldest one shown (`lte`, not `lt`: two
   * conversations may share a timestamp; the rows already known merge away).
   */
  async loadMore(): Promise<void> {
    const oldest = this.visible.at(-1);
    if (!oldest || this.loadingMore) return;
    this.loadingMore = true;
    this.changed();
    const before = this.visible.length;
    const { data, error } = await this.query().lte('last_message_at', oldest.last_message_at).limit(PAGE_SIZE + 1);
    this.loadingMore = false;
    if (error) this.error = restErrorText(error, 'Loading more conversations');
    else {
      this.rows.upsert(data as Conversation[]);
      this.hasMore = data.length > PAGE_SIZE && this.visible.length > before;
    }
    this.changed();
  }

  stop(): void {
    for (const fn of this.unsubscribe) fn();
  }
}
