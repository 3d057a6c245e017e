// Embeddings from the configured OpenAI-compatible endpoint (OPENAI_EMBEDDING_MODEL), used only
// when Qdrant is configured: vector search is an addition to Postgres full-text search, never a
// replacement, so the widget answers even when this endpoint is down.
import OpenAI from 'npm:openai@7.57.0';
import { env } from '../env.ts';

const BATCH = 64;

export function embeddingsConfigured(): boolean {
  return !!(env.openaiApiKey() || env.openaiBaseUrl());
}

let client: { key: string; openai: OpenAI } | undefined;
function openai(): OpenAI {
  const key = `${env.openaiApiKey()}|${env.openaiBaseUrl()}`;
  if (client?.key !== key) {
    client = { key, openai: new OpenAI({ apiKey: env.openaiApiKey() ?? 'not-needed', baseURL: env.openaiBaseUrl(), maxRetries: 1, timeout: 30_000 }) };
  }
  return client.openai;
}

export async function embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) {
    const batch = texts.slice(i, i + BATCH);
    const res = await openai().embeddings.create({ model: env.openaiEmbeddingModel(), input: batch }, { signal });
    const sorted = [...res.data].sort((a, b) => a.index - b.index);
    if (sorted.length !== batch.length) throw new Error('the embeddings endpoint returned a wrong number of vectors');
    out.push(...sorted.map((d) => d.embedding as number[]));
  }
  return out;
}
