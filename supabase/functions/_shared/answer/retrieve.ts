// Retrieval: Postgres full-text search always (public.match_knowledge: websearch-style query in
// the website's text search configuration, ranked), plus Qdrant vector search when QDRANT_URL is
// set, fused by reciprocal rank. The vector side has a time budget and may fail: full-text results
// alone still answer, so Qdrant or the embeddings endpoint being down never silences the widget.
import { sql } from '../db.ts';
import { embed, embeddingsConfigured } from './embeddings.ts';
import { qdrantConfigured, searchPoints } from '../knowledge/qdrant.ts';
import { reciprocalRankFusion } from './rrf.ts';
import type { Passage } from './types.ts';

export const DEFAULT_PASSAGES = 5;
const CANDIDATES = 20;
const VECTOR_BUDGET_MS = 2000;

interface ChunkRow {
  chunk_id: string;
  source_id: string;
  content: string;
  title: string;
  url: string | null;
}

function toPassage(r: ChunkRow, score = 0): Passage {
  return { id: r.chunk_id, sourceId: r.source_id, content: r.content, title: r.title, url: r.url, score };
}

export async function fullTextSearch(websiteId: string, question: string, limit = CANDIDATES): Promise<Passage[]> {
  const rows = await sql()<(ChunkRow & { rank: number })[]>`
    select chunk_id, source_id, content, title, url, rank from public.match_knowledge(${websiteId}, ${question}, ${limit})`;
  return rows.map((r) => toPassage(r, r.rank));
}

async function vectorSearch(websiteId: string, question: string, limit: number): Promise<Passage[]> {
  const [vector] = await embed([question], AbortSignal.timeout(VECTOR_BUDGET_MS));
  const ids = await searchPoints(websiteId, vector, limit);
  if (!ids.length) return [];
  // Postgres decides what exists: a point whose passage was deleted or replaced is dropped here.
  const rows = await sql()<ChunkRow[]>`
    select c.id as chunk_id, c.source_id, c.content,
           coalesce(nullif(c.metadata ->> 'title', ''), s.title) as title,
           coalesce(nullif(c.metadata ->> 'url', ''), s.url) as url
    from public.knowledge_chunks c join public.knowledge_sources s on s.id = c.source_id
    where c.website_id = ${websiteId} and c.id = any(${ids}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.chunk_id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is ChunkRow => !!r).map((r) => toPassage(r));
}

export function vectorSearchEnabled(): boolean {
  return qdrantConfigured() && embeddingsConfigured();
}

export interface Retrieval {
  passages: Passage[];
  fullText: number;
  vector: number | 'off' | 'failed';
}

export async function retrieve(websiteId: string, question: string, limit = DEFAULT_PASSAGES): Promise<Retrieval> {
  const lists: Passage[][] = [];
  const fts = fullTextSearch(websiteId, question);
  let vector: Retrieval['vector'] = 'off';
  if (vectorSearchEnabled()) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('vector search timed out')), VECTOR_BUDGET_MS);
    });
    try {
      const hits = await Promise.race([vectorSearch(websiteId, question, CANDIDATES), timeout]).finally(() => clearTimeout(timer));
      lists.push(hits);
      vector = hits.length;
    } catch (err) {
      console.error('[answer] vector search failed; using full-text search only:', (err as Error).message);
      vector = 'failed';
    }
  }
  const ftsHits = await fts;
  lists.unshift(ftsHits);
  const fused = reciprocalRankFusion(lists, (p) => p.id).slice(0, limit).map(({ item, score }) => ({ ...item, score }));
  return { passages: fused, fullText: ftsHits.length, vector };
}
