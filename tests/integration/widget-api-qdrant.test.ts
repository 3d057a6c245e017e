// Against a REAL Qdrant: runs only when QDRANT_URL (and QDRANT_API_KEY if it needs one) points at
// one; skipped otherwise, since this machine has no Qdrant and the network reaches no service.
// Embeddings still come from the fake OpenAI-compatible server (tests/support/fake-openai.ts, a
// FAKE that returns deterministic bag-of-words vectors), so what is checked is Emily with Qdrant
// itself: collection creation, upsert, filtered search, re-ingest cleanup and delete.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { type FakeOpenAi, FAKE_MODEL, startFakeOpenAi } from '../support/fake-openai.ts';
import { startTestStack } from '../support/stack.ts';
import { closeDb, db, eventually, fn, member, postJson, sendMessage, type StackInfo, visitor, website } from './widget-api.support.ts';

const QDRANT_URL = process.env.QDRANT_URL;
const QDRANT_API_KEY = process.env.QDRANT_API_KEY ?? '';
const COLLECTION = `emily_test_${randomUUID().slice(0, 8)}`;
const qdrantHeaders = { 'content-type': 'application/json', ...(QDRANT_API_KEY ? { 'api-key': QDRANT_API_KEY } : {}) };

describe.skipIf(!QDRANT_URL)('real Qdrant (QDRANT_URL is set)', () => {
  let fake: FakeOpenAi;
  let running: RunningStack;
  let stack: StackInfo;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    running = await startTestStack({
      functions: {
        passEnv: [],
        env: {
          OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-fake', OPENAI_MODEL: FAKE_MODEL,
          QDRANT_URL: QDRANT_URL!, QDRANT_API_KEY, QDRANT_COLLECTION: COLLECTION,
        },
      },
    }, { noStatic: true });
    stack = running.info;
  }, 120_000);

  afterAll(async () => {
    if (QDRANT_URL) await fetch(`${QDRANT_URL}/collections/${COLLECTION}`, { method: 'DELETE', headers: qdrantHeaders }).catch(() => {});
    if (stack) await closeDb(stack);
    await running?.stop();
    await fake?.close();
  });

  async function points(sourceId: string): Promise<number> {
    const res = await fetch(`${QDRANT_URL}/collections/${COLLECTION}/points/count`, {
      method: 'POST', headers: qdrantHeaders,
      body: JSON.stringify({ exact: true, filter: { must: [{ key: 'source_id', match: { value: sourceId } }] } }),
    });
    return (await res.json()).result.count;
  }

  it('indexes, searches by website, replaces on re-ingest and deletes', async () => {
    const owner = await member(stack);
    const site = await website(stack, owner);
    const res = await postJson(stack, 'knowledge', { website_id: site, kind: 'text', content: 'Tandem bicycles can be rented for 30 euros per day.' }, owner.token);
    const { source } = await res.json();
    await eventually(async () => {
      const { rows } = await db(stack).query(`select status, metadata from public.knowledge_sources where id = $1`, [source.id]);
      return rows[0].status === 'ready' && rows[0].metadata.vector_index === 'ready';
    }, 30_000);
    expect(await points(source.id)).toBe(1);

    const v = await visitor(stack);
    const { events } = await sendMessage(stack, v, { website_id: site, content: 'tandemz bicyclez rentedd?' });
    expect(events.at(-1)!.data.message.content).toContain('Tandem bicycles');

    expect((await fn(stack, `knowledge/${source.id}/reingest`, { method: 'POST', token: owner.token })).status).toBe(202);
    await eventually(async () => {
      const { rows } = await db(stack).query(`select status, progress from public.knowledge_sources where id = $1`, [source.id]);
      return rows[0].status === 'ready' && rows[0].progress === 1;
    }, 30_000);
    expect(await points(source.id)).toBe(1); // the old generation is gone

    expect((await fn(stack, `knowledge/${source.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
    expect(await points(source.id)).toBe(0);
  });
});

describe.skipIf(!!QDRANT_URL)('real Qdrant', () => {
  it.skip('skipped: set QDRANT_URL (and QDRANT_API_KEY) to run against a real Qdrant; request shapes are checked against the fake in widget-api-ai.test.ts', () => {});
});
