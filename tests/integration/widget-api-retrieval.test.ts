// Retrieval quality on a fixture knowledge base (tests/fixtures/knowledge/alpine-outfitters): its
// documents are uploaded through the knowledge function (real extraction and chunking), then each
// visitor-style question goes through the "try a question" endpoint. Hit rate at 3 = share of
// questions whose answering passage is among the top three. The offline engine's answer accuracy
// is measured beside it: the share of questions whose answer contains the expected fact. A floor is
// asserted for each, so a retrieval or engine change that makes answers worse fails the suite.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../scripts/stack/config.ts';
import { db, eventually, fn, member, postJson, website } from './widget-api.support.ts';

const stack = inject('stack');
const FIXTURE = join(ROOT_DIR, 'tests', 'fixtures', 'knowledge', 'alpine-outfitters');
const HIT_RATE_FLOOR = 0.85;
const OFFLINE_ANSWER_FLOOR = 0.85;

interface Question { question: string; source: string; contains: string }
const questions: Question[] = JSON.parse(readFileSync(join(FIXTURE, 'questions.json'), 'utf8'));

let owner: Awaited<ReturnType<typeof member>>;
let site: string;
const sourceOfFile = new Map<string, string>();

beforeAll(async () => {
  owner = await member(stack);
  site = await website(stack, owner, { name: 'Alpine Outfitters' });
  for (const file of readdirSync(FIXTURE).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const form = new FormData();
    form.set('website_id', site);
    form.set('file', new Blob([readFileSync(join(FIXTURE, file))], { type: 'text/markdown' }), file);
    const res = await fn(stack, 'knowledge', { method: 'POST', token: owner.token, body: form });
    expect(res.status).toBe(202);
    sourceOfFile.set(file, (await res.json()).source.id);
  }
  await eventually(async () => {
    const { rows } = await db(stack).query(`select count(*) filter (where status = 'ready')::int as ready, count(*)::int as n from public.knowledge_sources where website_id = $1`, [site]);
    return rows[0].ready === rows[0].n;
  }, 20_000);
}, 60_000);

describe('retrieval quality (fixture knowledge base)', () => {
  it(`hit rate at 3 ≥ ${HIT_RATE_FLOOR * 100} % and offline answers with the fact ≥ ${OFFLINE_ANSWER_FLOOR * 100} % over ${questions.length} questions`, async () => {
    expect(questions.length).toBeGreaterThanOrEqual(20);
    let hits = 0;
    let first = 0;
    let answered = 0;
    const misses: string[] = [];
    const wrongAnswers: string[] = [];
    for (const q of questions) {
      const res = await postJson(stack, 'knowledge/search', { website_id: site, question: q.question }, owner.token);
      expect(res.status).toBe(200);
      const { answer, passages } = await res.json();
      const rank = passages.findIndex((p: { source_id: string; content: string }) =>
        p.source_id === sourceOfFile.get(q.source) && p.content.includes(q.contains));
      if (rank >= 0 && rank < 3) hits++;
      else misses.push(`${q.question} (rank ${rank < 0 ? 'none' : rank + 1})`);
      if (rank === 0) first++;
      if (answer.content.includes(q.contains)) answered++;
      else wrongAnswers.push(`${q.question} → ${answer.content}`);
    }
    const hitRate = hits / questions.length;
    const answerRate = answered / questions.length;
    console.log(
      `[retrieval] ${questions.length} questions: hit@3 ${(hitRate * 100).toFixed(1)} %, hit@1 ${((first / questions.length) * 100).toFixed(1)} %, ` +
        `offline answer contains the expected fact ${(answerRate * 100).toFixed(1)} %` + (misses.length ? `\n  misses: ${misses.join('; ')}` : '') +
        (wrongAnswers.length ? `\n  answers without the fact: ${wrongAnswers.join('; ')}` : ''),
    );
    expect(hitRate).toBeGreaterThanOrEqual(HIT_RATE_FLOOR);
    expect(answerRate).toBeGreaterThanOrEqual(OFFLINE_ANSWER_FLOOR);
  });
});
