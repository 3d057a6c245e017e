// Hostile query strings against /rest/v1: SQL in select, filters, order, on_conflict, columns,
// logic trees, casts, JSON paths, table and function names and profile headers. Each is refused
// with a 4xx (400, or 404/406 for unknown names) and nothing of it runs: a canary table that the
// payloads try to drop or fill is still there and still empty, and the server keeps answering.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyRestFixture, FIXTURE_SCHEMA, rest, user } from './rest/fixture.ts';

const stack = inject('stack');
const CANARY = `${FIXTURE_SCHEMA}.injection_canary`;
const DROP = `;drop table ${CANARY};--`;
const FILL = `;insert into ${CANARY} values (1);--`;
let admin: pg.Client;

beforeAll(async () => {
  await applyRestFixture(stack);
  admin = new pg.Client({ connectionString: stack.dbUrl });
  await admin.connect();
  await admin.query(`create table if not exists ${CANARY} (id int); grant all on ${CANARY} to anon, authenticated`);
});

afterAll(async () => {
  await admin.end();
});

async function canaryIntact() {
  const { rows } = await admin.query(`select to_regclass('${CANARY}') is not null as exists`);
  expect(rows[0].exists).toBe(true);
  const { rows: filled } = await admin.query(`select count(*)::int as n from ${CANARY}`);
  expect(filled[0].n).toBe(0);
}

const enc = encodeURIComponent;

describe('hostile query strings', () => {
  const cases: Array<[string, string, number[]]> = [
    ['select with a statement', `/authors?select=${enc(`id${DROP}`)}`, [400]],
    ['select closing a subquery', `/authors?select=${enc(`id),(select pg_sleep(1)) as x`)}`, [400]],
    ['select with a subselect', `/authors?select=${enc('*,(select 1)')}`, [400]],
    ['select with a quoted identifier holding SQL', `/authors?select=${enc(`"id""${DROP}"`)}`, [400]],
    ['cast with a statement', `/authors?select=${enc(`id::text)${DROP}`)}`, [400]],
    ['cast with dollar quoting', `/authors?select=${enc('x:id::$$,"$$ ) from pg_class;--":id')}`, [400]],
    ['cast that is not a type', `/authors?select=${enc('id::int4 as x from pg_class --')}`, [400]],
    ['JSON path with a statement', `/authors?select=${enc(`metadata->>a')${DROP}`)}`, [400]],
    ['embed with a statement', `/authors?select=${enc(`books(id${DROP})`)}`, [400]],
    ['embed hint with a statement', `/authors?select=${enc(`books!fk${DROP}(id)`)}`, [400]],
    ['filter column with a statement', `/authors?${enc(`id${DROP}`)}=eq.1`, [400]],
    ['filter column with a quote', `/authors?${enc('id"=1 or 1=1 --')}=eq.1`, [400]],
    ['filter value with a statement', `/authors?id=eq.${enc(`1${DROP}`)}`, [400]],
    ['in list with a statement', `/authors?id=in.${enc(`(1,2)${DROP}`)}`, [400]],
    ['in list with quotes', `/authors?id=in.${enc(`("1'); ${FILL}")`)}`, [400]],
    ['fts configuration with a statement', `/books?search=fts(${enc(`english)${DROP}`)}).x`, [400]],
    ['operator that does not exist', `/authors?id=${enc('; drop table x.1')}`, [400]],
    ['order with a statement', `/authors?order=${enc(`id${DROP}`)}`, [400]],
    ['order with a subselect', `/authors?order=${enc('(select 1)')}`, [400]],
    ['order with raw SQL', `/authors?order=${enc('id desc nulls first; select 1')}`, [400]],
    ['logic tree with a statement', `/authors?or=${enc(`(id.eq.1)${DROP}`)}`, [400]],
    ['logic tree with SQL as a column', `/authors?or=${enc(`(id.eq.1,1=1${DROP}.eq.1)`)}`, [400]],
    ['unknown table with a statement', `/${enc(`authors${DROP}`)}`, [404]],
    ['unknown function with a statement', `/rpc/${enc(`add_numbers${DROP}`)}?a=1&b=2`, [404]],
    ['function outside the exposed schemas', '/rpc/pg_sleep?seconds=5', [404]],
    ['table outside the exposed schemas', `/${enc('pg_catalog.pg_authid')}`, [404]],
    ['path traversal', `/${enc('../auth/users')}`, [404]],
  ];

  for (const [name, path, statuses] of cases) {
    it(`refuses ${name}`, async () => {
      const res = await rest(stack, path);
      expect(statuses).toContain(res.status);
      expect(res.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(res.text).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
    });
  }

  it('refuses absurd nesting without crashing', async () => {
    const deep = `${'books('.repeat(400)}id${')'.repeat(400)}`;
    const select = await rest(stack, `/authors?select=${enc(deep)}`);
    expect(select.status).toBe(400);
    expect(select.json.code).toBe('PGRST100');
    const logic = await rest(stack, `/authors?or=${enc(`(${'and('.repeat(400)}id.eq.1${')'.repeat(401)}`)}`);
    expect(logic.status).toBe(400);
    expect(logic.json.code).toBe('PGRST100');
  });

  it('treats quotes in filter values as data', async () => {
    const res = await rest(stack, `/authors?select=id&name=eq.${enc("x' or '1'='1")}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([]);
  });

  it('treats an alias as a name only', async () => {
    // Quoted names escape with a backslash, as in PostgREST.
    const alias = `x" from pg_authid;--`;
    const res = await rest(stack, `/authors?select=${enc(`"x\\" from pg_authid;--":id`)}&id=eq.1`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ [alias]: 1 }]);
  });

  it('treats JSON path keys as data', async () => {
    const key = "a'); drop table x;--";
    const res = await rest(stack, `/authors?select=id,${enc(`metadata->>"${key}"`)}&id=eq.1`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ id: 1, [key]: null }]);
  });

  it('refuses hostile on_conflict and columns on writes', async () => {
    const u = user(stack);
    const headers = { Authorization: `Bearer ${u.token}`, Prefer: 'resolution=merge-duplicates' };
    const body = JSON.stringify([{ name: 'hostile' }]);
    for (const q of [`on_conflict=${enc(`id)${DROP}`)}`, `on_conflict=${enc('nope')}`, `columns=${enc(`name)${DROP}`)}`, `columns=${enc('"name;drop"')}`]) {
      const res = await rest(stack, `/authors?${q}`, { method: 'POST', body, headers });
      expect(res.status).toBe(400);
    }
    const keys = await rest(stack, '/authors', { method: 'POST', body: JSON.stringify({ [`name") values ('x')${DROP}`]: 1 }), headers });
    expect(keys.status).toBe(400);
    expect(keys.json.code).toBe('PGRST204');
  });

  it('refuses hostile profile headers', async () => {
    const res = await rest(stack, '/authors', { profile: `public${DROP}` });
    expect(res.status).toBe(406);
    expect(res.json.code).toBe('PGRST106');
  });

  it('refuses hostile function arguments by name and passes values as data', async () => {
    const byName = await rest(stack, `/rpc/add_numbers?a=1&${enc(`b${DROP}`)}=2`);
    expect(byName.status).toBe(404);
    const byValue = await rest(stack, `/rpc/greet?name=${enc(`x')${FILL}`)}`);
    expect(byValue.status).toBe(200);
    expect(byValue.json).toBe(`hello x')${FILL}`);
  });

  it('ran none of it: the canary is still there and empty, and the server still answers', async () => {
    await canaryIntact();
    const res = await rest(stack, '/authors?select=id&id=eq.1');
    expect(res.json).toEqual([{ id: 1 }]);
  });
});
