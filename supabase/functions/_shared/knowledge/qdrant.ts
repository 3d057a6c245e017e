// The optional vector index (QDRANT_URL): one collection for every website, each point a passage
// (id = knowledge_chunks.id) with `website_id`, `source_id` and `generation` in its payload.
// Postgres stays the source of truth: search hits are looked up there, so a point that outlived
// its passage is simply not found, and a re-ingest is atomic for readers whatever Qdrant does.
import { QdrantClient } from 'npm:@qdrant/js-client-rest@1.19.0';
import { env } from '../env.ts';

export interface VectorPoint {
  id: string;
  vector: number[];
  websiteId: string;
  sourceId: string;
  generation: string;
}

export function qdrantConfigured(): boolean {
  return !!env.qdrantUrl();
}

let cached: { key: string; client: QdrantClient; ready?: Promise<void>; size?: number } | undefined;

function client() {
  const key = `${env.qdrantUrl()}|${env.qdrantApiKey()}`;
  if (cached?.key !== key) {
    cached = { key, client: new QdrantClient({ url: env.qdrantUrl()!, apiKey: env.qdrantApiKey(), checkCompatibility: false }) };
  }
  return cached;
}

/** Creates the collection (cosine, the embedding's size) and its payload indexes once. */
async function ensureCollection(size: number): Promise<QdrantClient> {
  const c = client();
  if (!c.ready || c.size !== size) {
    c.size = size;
    c.ready = (async () => {
      const name = env.qdrantCollection();
      const { exists } = await c.client.collectionExists(name);
      if (!exists) {
        await c.client.createCollection(name, { vectors: { size, distance: 'Cosine' } });
        for (const field of ['website_id', 'source_id']) {
          await c.client.createPayloadIndex(name, { field_name: field, field_schema: 'keyword', wait: true });
        }
      }
    })();
    c.ready.catch(() => { c.ready = undefined; });
  }
  await c.ready;
  return c.client;
}

export async function upsertPoints(points: VectorPoint[]): Promise<void> {
  if (!points.length) return;
  const q = await ensureCollection(points[0].vector.length);
  for (let i = 0; i < points.length; i += 128) {
    await q.upsert(env.qdrantCollection(), {
      wait: true,
      points: points.slice(i, i + 128).map((p) => ({
        id: p.id,
        vector: p.vector,
        payload: { website_id: p.websiteId, source_id: p.sourceId, generation: p.generation },
      })),
    });
  }
}

/** Removes a source's points, or only those of older generations when `keepGeneration` is given. */
export async function deleteSourcePoints(sourceId: string, keepGeneration?: string): Promise<void> {
  const q = client().client;
  const name = env.qdrantCollection();
  const { exists } = await q.collectionExists(name);
  if (!exists) return;
  await q.delete(name, {
    wait: true,
    filter: {
      must: [{ key: 'source_id', match: { value: sourceId } }],
      ...(keepGeneration ? { must_not: [{ key: 'generation', match: { value: keepGeneration } }] } : {}),
    },
  });
}

/** Passage ids nearest to `vector` among the website's points, best first (none before any upsert). */
export async function searchPoints(websiteId: string, vector: number[], limit: number): Promise<string[]> {
  let result;
  try {
    result = await client().client.query(env.qdrantCollection(), {
      query: vector,
      limit,
      filter: { must: [{ key: 'website_id', match: { value: websiteId } }] },
      with_payload: false,
    });
  } catch (err) {
    // No collection yet: nothing was ever indexed, which is not a failure.
    if ((err as { status?: number }).status === 404) return [];
    throw err;
  }
  return result.points.map((p) => String(p.id));
}
