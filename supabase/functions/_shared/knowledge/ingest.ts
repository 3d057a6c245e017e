// Ingestion of one knowledge source, run after the `knowledge` function has answered 202:
// get the text (stored text, FAQ pair, fetched page(s), uploaded file), split it into overlapping
// passages, and replace the source's passages in one transaction (so a re-ingest is atomic: a
// reader sees all old passages or all new ones), then index them in Qdrant when configured.
// `status` goes processing → ready | failed (with a readable `error`) and `progress` 0 → 1.
import { embed, embeddingsConfigured } from '../answer/embeddings.ts';
import { type JsonValue, sql } from '../db.ts';
import { env } from '../env.ts';
import { chunkText } from './chunker.ts';
import { type DocumentText, documentText, type DocumentType } from './documents.ts';
import { fetchDocument } from './fetch-url.ts';
import { deleteSourcePoints, qdrantConfigured, upsertPoints } from './qdrant.ts';

export interface SourceRow {
  id: string;
  website_id: string;
  kind: 'text' | 'faq' | 'url' | 'file';
  title: string;
  url: string | null;
  content: string | null;
  metadata: Record<string, unknown>;
}

/** An uploaded file, kept in memory until its text is extracted. */
export interface Upload {
  bytes: Uint8Array;
  type: DocumentType;
  name: string;
}

interface Page {
  title?: string;
  url?: string;
  text: string;
}

interface PassageDraft {
  content: string;
  metadata: Record<string, unknown>;
}

class SourceGone extends Error {}

async function setProgress(sourceId: string, progress: number): Promise<void> {
  await sql()`update public.knowledge_sources set progress = ${Math.min(1, Math.max(0, progress))}
              where id = ${sourceId} and status = 'processing'`;
}

/** Fetches a page, and when asked, pages of the same site it links to, breadth first. */
async function crawl(source: SourceRow, onPage: (done: number, max: number) => Promise<void>): Promise<Page[]> {
  const follow = source.metadata.follow_links === true;
  const max = follow ? Math.max(1, Math.min(Number(source.metadata.max_pages) || env.maxCrawlPages(), env.maxCrawlPages())) : 1;
  const origin = new URL(source.url!).origin;
  const queue = [source.url!];
  const seen = new Set(queue);
  const pages: Page[] = [];
  const errors: string[] = [];
  while (queue.length && pages.length + errors.length < max) {
    const url = queue.shift()!;
    try {
      const doc = await fetchDocument(url);
      const text: DocumentText = await documentText(doc.bytes, doc.type, doc.url);
      if (text.text.trim()) pages.push({ title: text.title, url: doc.url, text: text.text });
      for (const link of text.links) {
        const clean = link.split('#')[0];
        if (follow && new URL(clean).origin === origin && !seen.has(clean) && !/\.(?:jpe?g|png|gif|svg|webp|css|js|zip|mp4|mp3)$/i.test(clean)) {
          seen.add(clean);
          queue.push(clean);
        }
      }
    } catch (err) {
      // The first page must work; a broken link further away is skipped.
      if (url === source.url) throw err;
      errors.push(`${url}: ${(err as Error).message}`);
    }
    await onPage(pages.length + errors.length, Math.min(max, seen.size));
  }
  return pages;
}

async function pagesOf(source: SourceRow, upload: Upload | undefined): Promise<Page[]> {
  switch (source.kind) {
    case 'text':
    case 'faq':
      return [{ text: source.content ?? '' }];
    case 'file': {
      if (upload) {
        const doc = await documentText(upload.bytes, upload.type);
        return [{ title: doc.title, text: doc.text }];
      }
      return [{ text: source.content ?? '' }];
    }
    case 'url':
      return await crawl(source, (done, max) => setProgress(source.id, 0.05 + 0.45 * (done / Math.max(1, max))));
  }
}

export function passagesOf(source: Pick<SourceRow, 'kind' | 'title' | 'url'>, pages: Page[]): PassageDraft[] {
  const drafts: PassageDraft[] = [];
  // An FAQ pair is one passage: question and answer must never be split apart.
  if (source.kind === 'faq') {
    const text = pages[0]?.text.trim();
    return text ? [{ content: text, metadata: {} }] : [];
  }
  const several = pages.length > 1;
  for (const page of pages) {
    for (const chunk of chunkText(page.text)) {
      drafts.push({
        content: chunk.content,
        metadata: several || (page.url && page.url !== source.url) ? { title: page.title || source.title, url: page.url } : {},
      });
    }
  }
  return drafts;
}

export async function ingestSource(sourceId: string, upload?: Upload): Promise<void> {
  const generation = crypto.randomUUID();
  try {
    const [source] = await sql()<SourceRow[]>`
      update public.knowledge_sources set status = 'processing', progress = 0.02, error = null
      where id = ${sourceId}
      returning id, website_id, kind, title, url, content, metadata`;
    if (!source) return;

    const pages = await pagesOf(source, upload);
    const drafts = passagesOf(source, pages);
    if (!drafts.length) throw new Error('No text could be found in this source.');
    await setProgress(sourceId, 0.55);

    const text = source.kind === 'url' || source.kind === 'file' ? pages.map((p) => (pages.length > 1 ? `# ${p.title ?? p.url}\n\n${p.text}` : p.text)).join('\n\n') : source.content;
    const firstTitle = pages[0]?.title;
    const ids = drafts.map(() => crypto.randomUUID());

    // One transaction: the old passages disappear and the new ones appear together.
    await sql().begin(async (tx) => {
      const [still] = await tx`select 1 from public.knowledge_sources where id = ${sourceId} for update`;
      if (!still) throw new SourceGone();
      await tx`delete from public.knowledge_chunks where source_id = ${sourceId}`;
      const rows = drafts.map((d, position) => ({
        id: ids[position],
        source_id: sourceId,
        website_id: source.website_id,
        position,
        content: d.content,
        metadata: d.metadata as JsonValue,
      }));
      for (let i = 0; i < rows.length; i += 500) {
        await tx`insert into public.knowledge_chunks ${tx(rows.slice(i, i + 500), 'id', 'source_id', 'website_id', 'position', 'content', 'metadata')}`;
      }
      await tx`
        update public.knowledge_sources
        set content = ${text ? text.slice(0, 5_000_000) : null},
            title = case when kind in ('url', 'file') and coalesce(metadata ->> 'title_given', 'false') = 'false' and ${firstTitle ?? null}::text is not null
                         then left(${firstTitle ?? ''}, 300) else title end,
            metadata = metadata || ${tx.json({ pages: pages.length, generation })},
            progress = 0.8
        where id = ${sourceId}`;
    });

    let vectorIndex: 'off' | 'ready' | 'failed' = 'off';
    if (qdrantConfigured() && embeddingsConfigured()) {
      try {
        const vectors = await embed(drafts.map((d) => d.content));
        await setProgress(sourceId, 0.95);
        await upsertPoints(vectors.map((vector, i) => ({ id: ids[i], vector, websiteId: source.website_id, sourceId, generation })));
        await deleteSourcePoints(sourceId, generation);
        vectorIndex = 'ready';
      } catch (err) {
        // Full-text search still finds these passages; the backoffice shows the vector index failed.
        console.error(`[knowledge] vector indexing of ${sourceId} failed:`, (err as Error).message);
        vectorIndex = 'failed';
      }
    }
    await sql()`
      update public.knowledge_sources
      set status = 'ready', progress = 1, indexed_at = now(), error = null,
          metadata = metadata || ${sql().json({ vector_index: vectorIndex })}
      where id = ${sourceId}`;
  } catch (err) {
    if (err instanceof SourceGone) return;
    const message = (err as Error).message || 'Ingestion failed.';
    if (!(err instanceof Error) || !/fetch|PDF|file|text|large|type|resolve|private|HTTP|redirect/i.test(message)) {
      console.error(`[knowledge] ingestion of ${sourceId} failed:`, err);
    }
    await sql()`
      update public.knowledge_sources set status = 'failed', error = ${message.slice(0, 2000)}
      where id = ${sourceId}`.catch(() => {});
  }
}

/** Removes a source's passages from every index: Postgres (cascade) and Qdrant. */
export async function deleteSource(sourceId: string): Promise<boolean> {
  const rows = await sql()`delete from public.knowledge_sources where id = ${sourceId} returning id`;
  if (qdrantConfigured()) {
    try {
      await deleteSourcePoints(sourceId);
    } catch (err) {
      // Postgres is the source of truth: a point left behind is never returned (see retrieve.ts).
      console.error(`[knowledge] could not delete the Qdrant points of ${sourceId}:`, (err as Error).message);
    }
  }
  return rows.length > 0;
}

/** Keeps background work alive after the response: EdgeRuntime.waitUntil on Supabase. */
const pending = new Set<Promise<unknown>>();
export function runInBackground(work: Promise<unknown>): void {
  const runtime = (globalThis as { EdgeRuntime?: { waitUntil?: (p: Promise<unknown>) => void } }).EdgeRuntime;
  const tracked = work.catch((err) => console.error('[knowledge] background work failed:', err)).finally(() => pending.delete(tracked));
  pending.add(tracked);
  runtime?.waitUntil?.(tracked);
}
