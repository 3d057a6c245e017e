// The `knowledge` function against the shared test stack: members add text, FAQ pairs, files
// (txt, md, html, pdf) and URLs (a small site served from this test on loopback, links followed),
// progress goes to ready, the passages answer questions, re-ingest replaces them atomically,
// delete removes them; non-members see nothing; bad input is a 4xx envelope.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../scripts/stack/config.ts';
import { db, eventually, fn, member, postJson, sendMessage, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');
let owner: Awaited<ReturnType<typeof member>>;
let site: string;
let pages: Server;
let pagesUrl = '';
let served: string[] = [];

const PAGES: Record<string, { type: string; body: string }> = {
  '/': {
    type: 'text/html; charset=utf-8',
    body: `<html><head><title>Harbour Bikes</title></head><body><nav><a href="/rental">Rental</a> <a href="/about">About</a>
      <a href="https://elsewhere.example/x">Partner</a></nav><main><h1>Harbour Bikes</h1>
      <p>Harbour Bikes sells folding bikes and cargo bikes near the old harbour.</p></main>
      <footer>Cookie banner text that must not be indexed</footer></body></html>`,
  },
  '/rental': {
    type: 'text/html',
    body: `<html><head><title>Cargo bike rental</title></head><body><main><p>A cargo bike can be rented for 45 euros per day, including a rain cover.</p></main></body></html>`,
  },
  '/about': { type: 'text/html', body: `<html><body><main><p>Founded in 2015 by two sailors.</p></main></body></html>` },
  '/image.png': { type: 'image/png', body: 'PNG' },
};

beforeAll(async () => {
  owner = await member(stack);
  site = await website(stack, owner);
  pages = createServer((req, res) => {
    served.push(req.url ?? '');
    const page = PAGES[(req.url ?? '/').split('?')[0]];
    if (!page) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': page.type });
    res.end(page.body);
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', () => r()));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => pages.close(() => r()));
});

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

async function source(id: string) {
  const { rows } = await db(stack).query(`select status, progress, error, chunk_count, title, metadata from public.knowledge_sources where id = $1`, [id]);
  return rows[0];
}

async function ready(id: string) {
  return eventually(async () => {
    const s = await source(id);
    if (s?.status === 'failed') throw new Error(`ingestion failed: ${s.error}`);
    return s?.status === 'ready' ? s : undefined;
  });
}

async function add(body: Record<string, unknown>, token = owner.token) {
  const res = await postJson(stack, 'knowledge', { website_id: site, ...body }, token);
  expect(res.status).toBe(202);
  const json = await res.json();
  expect(json).toEqual({ source: { id: expect.any(String), status: 'pending' } });
  return json.source.id as string;
}

async function ask(question: string) {
  const res = await postJson(stack, 'knowledge/search', { website_id: site, question }, owner.token);
  expect(res.status).toBe(200);
  return res.json();
}

describe('knowledge: adding sources', () => {
  it('text → 202, then ready with progress 1 and passages that answer (try-a-question panel)', async () => {
    const id = await add({ kind: 'text', title: 'Delivery', content: 'We deliver bikes within 10 km of the shop for free.\n\nFurther away, delivery costs 2 euros per km.' });
    const s = await ready(id);
    expect(s.progress).toBe(1);
    expect(s.chunk_count).toBe(1);
    const result = await ask('Do you deliver bikes for free?');
    expect(result.answer).toMatchObject({ engine: 'offline', grounded: true });
    expect(result.answer.content).toMatch(/within 10 km/);
    expect(result.passages[0]).toMatchObject({ source_id: id, title: 'Delivery' });
  });

  it('an FAQ pair is one passage that answers its question', async () => {
    const id = await add({ kind: 'faq', question: 'Can I pay by instalments?', answer: 'Yes, bikes over 800 euros can be paid in 3 instalments without fees.' });
    const s = await ready(id);
    expect(s.title).toBe('Can I pay by instalments?');
    expect(s.chunk_count).toBe(1);
    expect((await ask('Is paying in instalments possible?')).answer.content).toMatch(/3 instalments/);
  });

  it('files: txt, md, html and pdf (multipart)', async () => {
    const files: Array<[string, string, Uint8Array | string, RegExp, string]> = [
      ['notes.txt', 'text/plain', 'Gift cards are sold in the shop from 10 to 200 euros.', /Gift cards/, 'How much are gift cards?'],
      ['guide.md', 'text/markdown', '# Fitting\n\nA **bike fitting** session takes *one hour* and costs 60 euros.', /bike fitting session takes one hour/, 'How long does a bike fitting take?'],
      ['page.html', 'text/html', '<html><body><nav>Menu</nav><main><p>Lockers for commuters cost 5 euros a week.</p></main></body></html>', /Lockers for commuters/, 'How much is a commuter locker?'],
      ['warranty.pdf', 'application/pdf', readFileSync(`${ROOT_DIR}/tests/fixtures/knowledge/warranty.pdf`), /two year warranty/, 'What warranty do new bikes have on the frame?'],
    ];
    for (const [name, type, content, expected, question] of files) {
      const form = new FormData();
      form.set('website_id', site);
      form.set('file', new Blob([content as BlobPart], { type }), name);
      const res = await fn(stack, 'knowledge', { method: 'POST', token: owner.token, body: form });
      expect(res.status, name).toBe(202);
      const { source: created } = await res.json();
      const s = await ready(created.id);
      expect(s.metadata).toMatchObject({ file_name: name, file_size: expect.any(Number) });
      const result = await ask(question);
      expect(result.answer.content, `${name}: ${JSON.stringify(result)}`).toMatch(expected);
    }
  });

  it('a URL: main content only, same-site links followed up to max_pages, other sites and non-documents skipped', async () => {
    served = [];
    const id = await add({ kind: 'url', url: `${pagesUrl}/`, follow_links: true, max_pages: 5 });
    const s = await ready(id);
    expect(s.title).toBe('Harbour Bikes');
    expect(s.metadata.pages).toBe(3);
    expect(served.sort()).toEqual(['/', '/about', '/rental']);
    const { rows } = await db(stack).query(`select content, metadata from public.knowledge_chunks where source_id = $1 order by position`, [id]);
    const all = rows.map((r) => r.content).join('\n');
    expect(all).toContain('folding bikes and cargo bikes');
    expect(all).not.toContain('Cookie banner');
    expect(rows.some((r) => r.metadata.url === `${pagesUrl}/rental` && r.metadata.title === 'Cargo bike rental')).toBe(true);
    const result = await ask('How much does it cost to rent a cargo bike?');
    expect(result.answer.content).toMatch(/45 euros per day/);
    expect(result.answer.sources[0]).toMatchObject({ title: 'Cargo bike rental', url: `${pagesUrl}/rental` });
  });

  it('a URL that fails (404, wrong type) ends as failed with a readable error', async () => {
    const missing = await add({ kind: 'url', url: `${pagesUrl}/nope` });
    const s = await eventually(async () => ((await source(missing)).status === 'failed' ? source(missing) : undefined));
    expect(s.error).toMatch(/HTTP 404/);
    const image = await add({ kind: 'url', url: `${pagesUrl}/image.png` });
    const t = await eventually(async () => ((await source(image)).status === 'failed' ? source(image) : undefined));
    expect(t.error).toMatch(/image\/png/);
  });
});

describe('knowledge: re-ingest and delete', () => {
  it('re-ingest replaces the passages atomically; delete removes them from the answers', async () => {
    const id = await add({ kind: 'url', url: `${pagesUrl}/rental`, title: 'Rental page' });
    await ready(id);
    const before = (await db(stack).query(`select id from public.knowledge_chunks where source_id = $1`, [id])).rows.map((r) => r.id);
    PAGES['/rental'].body = PAGES['/rental'].body.replace('45 euros', '50 euros');
    try {
      const res = await fn(stack, `knowledge/${id}/reingest`, { method: 'POST', token: owner.token });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ source: { id, status: 'pending' } });
      // Readers see the old passages or the new ones, never none.
      const seen: number[] = [];
      await eventually(async () => {
        const { rows } = await db(stack).query(`select count(*)::int as n from public.knowledge_chunks where source_id = $1`, [id]);
        seen.push(rows[0].n);
        return (await source(id)).status === 'ready' && (await source(id)).progress === 1;
      }, 10_000, 5);
      expect(seen.every((n) => n >= 1)).toBe(true);
      const after = (await db(stack).query(`select id, content from public.knowledge_chunks where source_id = $1`, [id])).rows;
      expect(after.map((r) => r.id)).not.toEqual(before);
      expect(after.map((r) => r.content).join(' ')).toContain('50 euros');
      expect((await source(id)).title).toBe('Rental page'); // a title given by the owner is kept
    } finally {
      PAGES['/rental'].body = PAGES['/rental'].body.replace('50 euros', '45 euros');
    }

    const del = await fn(stack, `knowledge/${id}`, { method: 'DELETE', token: owner.token });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    const { rows } = await db(stack).query(`select count(*)::int as n from public.knowledge_chunks where source_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
    const result = await ask('cargo bike 50 euros per day');
    expect(result.passages.every((p: { source_id: string }) => p.source_id !== id)).toBe(true);
  });

  it('the widget answers from a source right after it is added', async () => {
    const id = await add({ kind: 'text', content: 'Our workshop can fit studded winter tyres for 35 euros a pair.' });
    await ready(id);
    const v = await visitor(stack);
    const { events } = await sendMessage(stack, v, { website_id: site, content: 'Can you fit winter tyres?' });
    expect(events.at(-1)!.data.message.content).toMatch(/studded winter tyres/);
  });
});

describe('knowledge: who may, and bad input', () => {
  it('non-members, visitors and anonymous callers see the website and its sources as missing', async () => {
    const stranger = await member(stack);
    const v = await visitor(stack);
    const id = await add({ kind: 'text', content: 'Secret staff discount is 30 percent.' });
    await ready(id);
    for (const token of [stranger.token, v.token]) {
      await expectError(await postJson(stack, 'knowledge', { website_id: site, kind: 'text', content: 'x' }, token), 404, 'website_not_found');
      await expectError(await postJson(stack, 'knowledge/search', { website_id: site, question: 'discount' }, token), 404, 'website_not_found');
      await expectError(await fn(stack, `knowledge/${id}`, { method: 'DELETE', token }), 404, 'source_not_found');
      await expectError(await fn(stack, `knowledge/${id}/reingest`, { method: 'POST', token }), 404, 'source_not_found');
    }
    await expectError(await postJson(stack, 'knowledge', { website_id: site, kind: 'text', content: 'x' }, null), 401, 'unauthorized');
    expect((await source(id)).status).toBe('ready');
  });

  it('an agent of the website may manage its knowledge', async () => {
    const agent = await member(stack);
    await db(stack).query(`insert into public.website_members (website_id, user_id, role) values ($1, $2, 'agent')`, [site, agent.userId]);
    const id = await add({ kind: 'text', content: 'Agents can add this.' }, agent.token);
    await ready(id);
    expect((await fn(stack, `knowledge/${id}`, { method: 'DELETE', token: agent.token })).status).toBe(204);
  });

  it('every kind of bad input is a 4xx envelope; a normal request works afterwards', async () => {
    const post = (body: unknown) => postJson(stack, 'knowledge', body, owner.token);
    await expectError(await fn(stack, 'knowledge', { token: owner.token }), 405, 'method_not_allowed');
    await expectError(await fn(stack, 'knowledge', { method: 'POST', token: owner.token, headers: { 'content-type': 'text/plain' }, body: 'x' }), 415, 'unsupported_media_type');
    await expectError(await post('{nope'), 400, 'invalid_json');
    await expectError(await post({ website_id: site, kind: 'video' }), 400, 'invalid_request');
    await expectError(await post({ website_id: 'x', kind: 'text', content: 'a' }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'text' }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'text', content: '  ' }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'faq', question: 'Q?' }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'url', url: 'ftp://x.example/' }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'url', url: `${pagesUrl}/`, max_pages: 1000 }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'url', url: `${pagesUrl}/`, follow_links: 'yes' }), 400, 'invalid_request');
    await expectError(await post({ website_id: site, kind: 'file' }), 415, 'unsupported_media_type');
    await expectError(await post({ website_id: site, kind: 'text', content: 'x'.repeat(70_000) }), 413, 'payload_too_large');
    await expectError(await post({ website_id: randomUUID(), kind: 'text', content: 'x' }), 404, 'website_not_found');

    const upload = (file: Blob | null, name = 'a.exe', websiteId = site) => {
      const form = new FormData();
      form.set('website_id', websiteId);
      if (file) form.set('file', file, name);
      return fn(stack, 'knowledge', { method: 'POST', token: owner.token, body: form });
    };
    await expectError(await upload(new Blob(['MZ'], { type: 'application/x-msdownload' }), 'a.exe'), 415, 'unsupported_file_type');
    await expectError(await upload(null), 400, 'invalid_request');
    await expectError(await upload(new Blob([]), 'empty.txt'), 400, 'invalid_request');
    await expectError(await upload(new Blob([new Uint8Array(6 * 1024 * 1024)], { type: 'text/plain' }), 'big.txt'), 413, 'payload_too_large');
    const fake = await upload(new Blob(['not really a pdf'], { type: 'application/pdf' }), 'fake.pdf');
    expect(fake.status).toBe(202);
    const { source: bad } = await fake.json();
    const failed = await eventually(async () => ((await source(bad.id)).status === 'failed' ? source(bad.id) : undefined));
    expect(failed.error).toMatch(/not a PDF/);

    await expectError(await fn(stack, 'knowledge/not-a-uuid', { method: 'DELETE', token: owner.token }), 400, 'invalid_request');
    await expectError(await fn(stack, `knowledge/${randomUUID()}`, { method: 'DELETE', token: owner.token }), 404, 'source_not_found');
    await expectError(await fn(stack, `knowledge/${randomUUID()}`, { method: 'GET', token: owner.token }), 405, 'method_not_allowed');
    await expectError(await postJson(stack, 'knowledge/search', { website_id: site }, owner.token), 400, 'invalid_request');

    const ok = await add({ kind: 'text', content: 'Still works.' });
    await ready(ok);
  });
});
