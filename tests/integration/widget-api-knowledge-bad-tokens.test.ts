// The `knowledge` function against the shared test stack with tokens that are not a valid session:
// garbage, an owner's token that has expired (signed with the stack's real JWT secret) and one
// signed with another secret. Every route answers 401 with the JSON error envelope (and a
// WWW-Authenticate challenge), and nothing is stored, deleted or re-ingested; the owner's own
// session still works afterwards.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { signJwt } from '../../scripts/stack/jwt.ts';
import { db, eventually, fn, member, postJson, website } from './widget-api.support.ts';

const stack = inject('stack');
let owner: Awaited<ReturnType<typeof member>>;
let site: string;

async function expectUnauthorized(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  const body = await res.json();
  expect(body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\bat .*\.ts:\d+/); // never a stack trace
}

async function sources(websiteId: string) {
  const { rows } = await db(stack).query(
    `select id, status, content, updated_at from public.knowledge_sources where website_id = $1 order by id`, [websiteId]);
  return rows;
}

beforeAll(async () => {
  owner = await member(stack);
  site = await website(stack, owner);
});

describe('knowledge: bad bearer tokens', () => {
  it('garbage, expired and forged tokens get a 401 JSON error on every route, and nothing is stored', async () => {
    // A source the owner added, for the delete and re-ingest routes.
    const added = await postJson(stack, 'knowledge', { website_id: site, kind: 'text', content: 'Opening hours: 9 to 18.' }, owner.token);
    expect(added.status).toBe(202);
    const { source } = await added.json();
    await eventually(async () => (await sources(site)).find((s) => s.id === source.id && s.status === 'ready'));
    const before = await sources(site);

    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: owner.userId, role: 'authenticated', aud: 'authenticated', email: owner.email, is_anonymous: false };
    const tokens = {
      garbage: 'garbage',
      'three garbage parts': 'not.a.jwt',
      expired: signJwt({ ...claims, iat: now - 3600, exp: now - 60 }, stack.jwtSecret),
      forged: signJwt({ ...claims, iat: now, exp: now + 600 }, 'not-the-secret-not-the-secret-not-the-secret'),
    };
    const marker = `Injected ${randomUUID()}`;
    for (const [what, token] of Object.entries(tokens)) {
      const text = `${marker} (${what})`;
      await expectUnauthorized(await postJson(stack, 'knowledge', { website_id: site, kind: 'text', title: text, content: text }, token));
      await expectUnauthorized(await postJson(stack, 'knowledge', { website_id: site, kind: 'faq', question: `${text}?`, answer: text }, token));
      const form = new FormData();
      form.set('website_id', site);
      form.set('file', new Blob([text], { type: 'text/plain' }), 'notes.txt');
      await expectUnauthorized(await fn(stack, 'knowledge', { method: 'POST', token, body: form }));
      await expectUnauthorized(await postJson(stack, 'knowledge/search', { website_id: site, question: 'opening hours' }, token));
      await expectUnauthorized(await fn(stack, `knowledge/${source.id}/reingest`, { method: 'POST', token }));
      await expectUnauthorized(await fn(stack, `knowledge/${source.id}`, { method: 'DELETE', token }));
    }

    // Nothing stored, on this website or any other; the existing source untouched.
    const { rows } = await db(stack).query(`select count(*)::int as n from public.knowledge_sources where content like $1 or title like $1`, [`%${marker}%`]);
    expect(rows[0].n).toBe(0);
    expect(await sources(site)).toEqual(before);

    // The owner's real session still works.
    const search = await postJson(stack, 'knowledge/search', { website_id: site, question: 'What are the opening hours?' }, owner.token);
    expect(search.status).toBe(200);
    expect((await search.json()).passages[0]).toMatchObject({ source_id: source.id });
  });
});
