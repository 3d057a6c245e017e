// A website's knowledge sources: listed through REST (members only), kept current without polling
// by the website topic's `knowledge_source` / `knowledge_source_deleted` broadcasts (status,
// progress and passage counts while the knowledge function ingests), re-read on every resync.
// Adding, re-ingesting and deleting go through the `knowledge` Edge Function.
import { supabase } from '../supabase.ts';
import { functionErrorText, restErrorText } from './errors.ts';
import { Observable } from './observable.ts';
import { type KnowledgeSource, SOURCE_COLUMNS } from './rows.ts';
import type { WebsiteFeed } from './website-feed.ts';

export type NewSource =
  | { kind: 'text'; title?: string; content: string }
  | { kind: 'faq'; question: string; answer: string }
  | { kind: 'url'; url: string; follow_links: boolean }
  | { kind: 'file'; file: File; title?: string };

const newer = (a: KnowledgeSource | undefined, b: KnowledgeSource) => !a || a.updated_at <= b.updated_at;

export class KnowledgeModel extends Observable {
  private readonly byId = new Map<string, KnowledgeSource>();
  /** Deleted here or by a broadcast: a late REST page must not bring it back. */
  private readonly gone = new Set<string>();
  loading = true;
  error: string | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly feed: WebsiteFeed) {
    super();
    this.unsubscribe = [
      feed.on('knowledge_source', (row) => this.merge([row])),
      feed.on('knowledge_source_deleted', ({ id }) => this.forget(id)),
      feed.on('resync', () => void this.refresh()),
    ];
  }

  get sources(): KnowledgeSource[] {
    return [...this.byId.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  }

  private merge(rows: KnowledgeSource[]): void {
    let changed = false;
    for (const row of rows) {
      if (!row?.id || this.gone.has(row.id)) continue;
      if (newer(this.byId.get(row.id), row)) {
        this.byId.set(row.id, row);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  private forget(id: string): void {
    this.gone.add(id);
    if (this.byId.delete(id)) this.changed();
  }

  async refresh(): Promise<void> {
    const { data, error } = await supabase.from('knowledge_sources').select(SOURCE_COLUMNS)
      .eq('website_id', this.feed.websiteId).order('created_at', { ascending: false }).limit(1000);
    this.loading = false;
    this.error = error ? restErrorText(error, 'Loading the knowledge sources') : undefined;
    if (!error) {
      const ids = new Set((data as unknown as KnowledgeSource[]).map((r) => r.id));
      for (const id of [...this.byId.keys()]) if (!ids.has(id)) this.byId.delete(id);
      this.merge(data as unknown as KnowledgeSource[]);
    }
    this.changed();
  }

  private async readOne(id: string): Promise<void> {
    const { data } = await supabase.from('knowledge_sources').select(SOURCE_COLUMNS).eq('id', id).maybeSingle();
    if (data) this.merge([data as unknown as KnowledgeSource]);
  }

  /** Adds a source; returns an error text, or undefined once the function accepted it. */
  async add(source: NewSource): Promise<string | undefined> {
    let body: FormData | Record<string, unknown>;
    if (source.kind === 'file') {
      body = new FormData();
      body.set('website_id', this.feed.websiteId);
      body.set('file', source.file);
      if (source.title) body.set('title', source.title);
    } else {
      body = { website_id: this.feed.websiteId, ...source };
    }
    const { data, error } = await supabase.functions.invoke('knowledge', { body });
    if (error) return functionErrorText(error);
    const id = (data as { source?: { id?: string } })?.source?.id;
    if (id) await this.readOne(id);
    return undefined;
  }

  async reingest(id: string): Promise<string | undefined> {
    const { error } = await supabase.functions.invoke(`knowledge/${id}/reingest`, { method: 'POST', body: {} });
    if (error) return functionErrorText(error);
    await this.readOne(id);
    return undefined;
  }

  async remove(id: string): Promise<string | undefined> {
    const { error } = await supabase.functions.invoke(`knowledge/${id}`, { method: 'DELETE' });
    if (error) return functionErrorText(error);
    this.forget(id);
    return undefined;
  }

  stop(): void {
    for (const fn of this.unsubscribe) fn();
  }
}

export interface TryAnswer {
  answer: { content: string; sources: Array<{ title?: string; url?: string }>; grounded: boolean; engine: string; model?: string };
  passages: Array<{ id: string; source_id: string; title: string; url?: string | null; content: string; score: number }>;
}

/** The "try a question" panel: the answer the assistant would give, and the passages it used. */
export async function tryQuestion(websiteId: string, question: string): Promise<{ result?: TryAnswer; error?: string }> {
  const { data, error } = await supabase.functions.invoke('knowledge/search', { body: { website_id: websiteId, question } });
  if (error) return { error: await functionErrorText(error) };
  return { result: data as TryAnswer };
}
