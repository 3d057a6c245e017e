// PostgREST's answers to bad requests: JWTs, schemas, unknown tables and columns, unparsable
// parameters, paths and methods; and the schema cache following DDL (NOTIFY and unknown names).
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signJwt } from '../../../scripts/stack/jwt.ts';
import { anon, applyRestFixture, client, FIXTURE_SCHEMA, rest } from './fixture.ts';

const stack = inject('stack');
const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown>, secret = stack.jwtSecret) => signJwt(claims, secret);
const asToken = (t: string) => client(stack, stack.anonKey, t).schema(FIXTURE_SCHEMA);

beforeAll(() => applyRestFixture(stack));

describe('JWT', () => {
  it('answers 401 PGRST303 for an expired token', async () => {
    const { error, status } = await asToken(token({ role: 'authenticated', sub: randomUUID(), exp: now() - 120 })).from('authors').select('id');
    expect(status).toBe(401);
    expect(error).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
  });

  it('allows 30 s of clock skew on exp, as PostgREST does', async () => {
    const { error } = await asToken(token({ role: 'authenticated', sub: randomUUID(), exp: now() - 5 })).from('authors').select('id').eq('id', 1);
    expect(error).toBeNull();
  });

  it('answers 401 PGRST301 for a wrong signature, a malformed token and a bad algorithm', async () => {
    const forged = await asToken(token({ role: 'service_role' }, 'not-the-secret-not-the-secret-not-the-secret')).from('authors').select('id');
    expect(forged.status).toBe(401);
    expect(forged.error).toEqual({ code: 'PGRST301', details: null, hint: null, message: 'JWT cryptographic operation failed' });

    const parts = await rest(stack, '/authors', { headers: { Authorization: 'Bearer abc.def' } });
    expect(parts.status).toBe(401);
    expect(parts.json).toEqual({ code: 'PGRST301', details: null, hint: null, message: 'Expected 3 parts in JWT; got 2' });
    expect(parts.headers.get('www-authenticate')).toContain('invalid_token');

    const empty = await rest(stack, '/authors', { headers: { Authorization: 'Bearer ' } });
    expect(empty.json).toMatchObject({ code: 'PGRST301', message: 'Empty JWT is sent in Authorization header' });

    const none = ['{"alg":"none","typ":"JWT"}', '{"role":"service_role"}'].map((s) => Buffer.from(s).toString('base64url')).join('.') + '.';
    const alg = await rest(stack, '/authors', { headers: { Authorization: `Bearer ${none}` } });
    expect(alg.status).toBe(401);
    expect(alg.json).toMatchObject({ code: 'PGRST301', message: 'Wrong or unsupported encoding algorithm' });
  });

  it('answers 401 for a role that is not an API role', async () => {
    for (const role of ['postgres', 'supabase_admin', 'authenticator']) {
      const { error, status } = await asToken(token({ role, exp: now() + 60 })).from('authors').select('id');
      expect(status).toBe(401);
      expect(error).toEqual({ code: '22023', details: null, hint: null, message: `role "${role}" does not exist` });
    }
  });

  it('answers 401 PGRST303 for malformed time claims', async () => {
    const res = await rest(stack, '/authors', { headers: { Authorization: `Bearer ${token({ role: 'anon', exp: 'soon' })}` } });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code: 'PGRST303', message: "The JWT 'exp' claim must be a number" });
  });
});

describe('names', () => {
  it('answers 406 PGRST106 for a schema that is not exposed', async () => {
    const { error, status } = await client(stack, stack.anonKey).schema('auth').from('users').select('id');
    expect(status).toBe(406);
    expect(error).toEqual({
      code: 'PGRST106', details: null, message: 'Invalid schema: auth',
      hint: `Only the following schemas are exposed: public, graphql_public, ${FIXTURE_SCHEMA}`,
    });
  });

  it('answers 404 PGRST205 for an unknown table, suggesting a close one', async () => {
    const { error, status } = await anon(stack).from('autors').select('id');
    expect(status).toBe(404);
    expect(error).toEqual({
      code: 'PGRST205', details: null,
      hint: `Perhaps you meant the table '${FIXTURE_SCHEMA}.authors'`,
      message: `Could not find the table '${FIXTURE_SCHEMA}.autors' in the schema cache`,
    });
  });

  it('answers 400 42703 for an unknown column in select, filters and order', async () => {
    const select = await anon(stack).from('authors').select('id,nope');
    expect(select.status).toBe(400);
    expect(select.error).toEqual({ code: '42703', details: null, hint: null, message: 'column authors.nope does not exist' });
    expect((await anon(stack).from('authors').select('id').eq('nope', 1)).error).toMatchObject({ code: '42703' });
    expect((await anon(stack).from('authors').select('id').order('nope')).error).toMatchObject({ code: '42703' });
    const embedded = await anon(stack).from('authors').select('id,books(nope)');
    expect(embedded.error).toMatchObject({ code: '42703', message: 'column books_1.nope does not exist' });
  });

  it('answers 400 PGRST108 for a filter on a resource that is not embedded', async () => {
    const res = await rest(stack, '/authors?select=id&books.title=eq.x');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      code: 'PGRST108', details: null, message: "'books' is not an embedded resource in this request",
      hint: "Verify that 'books' is included in the 'select' query parameter.",
    });
  });
});

describe('unparsable requests', () => {
  it('answers 400 PGRST100 with the position of the error', async () => {
    const select = await rest(stack, '/authors?select=id,books(title');
    expect(select.status).toBe(400);
    expect(select.json.code).toBe('PGRST100');
    expect(select.json.message).toMatch(/^"failed to parse select parameter \(id,books\(title\)" \(line 1, column \d+\)$/);
    expect(typeof select.json.details).toBe('string');

    const filter = await rest(stack, '/authors?id=1');
    expect(filter.json).toMatchObject({ code: 'PGRST100', message: '"failed to parse filter (1)" (line 1, column 1)' });
    const op = await rest(stack, '/authors?id=equals.1');
    expect(op.json).toMatchObject({ code: 'PGRST100', message: '"failed to parse filter (equals.1)" (line 1, column 1)' });
    const order = await rest(stack, '/authors?order=id.sideways');
    expect(order.json).toMatchObject({ code: 'PGRST100' });
    expect(order.json.message).toMatch(/^"failed to parse order \(id.sideways\)"/);
    const logic = await rest(stack, '/authors?or=(id.eq.1');
    expect(logic.json).toMatchObject({ code: 'PGRST100' });
    const agg = await rest(stack, '/authors?select=id.sum()');
    expect(agg.json).toEqual({ code: 'PGRST123', details: null, hint: null, message: 'Use of aggregate functions is not allowed' });
  });

  it('answers 404 PGRST125 for a nested path and 405 PGRST117 for other methods', async () => {
    const path = await rest(stack, '/authors/1');
    expect(path.status).toBe(404);
    expect(path.json).toEqual({ code: 'PGRST125', details: null, hint: null, message: 'Invalid path specified in request URL' });
    const method = await rest(stack, '/authors', { method: 'PROPFIND' });
    expect(method.status).toBe(405);
    expect(method.json).toEqual({ code: 'PGRST117', details: null, hint: null, message: 'Unsupported HTTP method: PROPFIND' });
  });

  it('describes the schema at the root', async () => {
    const res = await rest(stack, '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/openapi+json');
    expect(Object.keys(res.json.paths)).toEqual(expect.arrayContaining(['/authors', '/books', '/rpc/add_numbers']));
  });
});

describe('schema cache', () => {
  const table = `late_${randomUUID().slice(0, 8)}`;
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: stack.dbUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`drop table if exists ${FIXTURE_SCHEMA}.${table}; drop table if exists ${FIXTURE_SCHEMA}.${table}_2`);
    await admin.end();
  });

  it('finds a table created after start-up without a restart or a NOTIFY', async () => {
    await admin.query(`create table ${FIXTURE_SCHEMA}.${table} (id int primary key, label text); insert into ${FIXTURE_SCHEMA}.${table} values (1, 'late');
      grant select on ${FIXTURE_SCHEMA}.${table} to anon`);
    const { data, error } = await anon(stack).from(table).select('id,label');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 1, label: 'late' }]);
  });

  it("reloads on NOTIFY pgrst, 'reload schema'", async () => {
    // The root description lists what the cache holds and never triggers a reload itself.
    const listed = async () => Object.keys((await rest(stack, '/')).json.paths).includes(`/${table}_2`);
    await admin.query(`create table ${FIXTURE_SCHEMA}.${table}_2 (id int); notify pgrst, 'reload schema'`);
    const deadline = Date.now() + 10_000;
    while (!(await listed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await listed()).toBe(true);
  });
});
