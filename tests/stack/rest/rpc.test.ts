// /rpc/NAME through the unmodified supabase-js: POST with named arguments, GET for stable and
// immutable functions, scalar / composite / SETOF / TABLE results with filters, order, limit and
// counts on sets, overloads chosen by argument names, and PostgREST's errors for functions.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { anon, applyRestFixture, rest, unique, user } from './fixture.ts';

const stack = inject('stack');
const db = () => anon(stack);

beforeAll(() => applyRestFixture(stack));

describe('calling functions', () => {
  it('calls with named arguments by POST and by GET', async () => {
    expect(await db().rpc('add_numbers', { a: 1, b: 2 })).toMatchObject({ data: 3, error: null, status: 200 });
    expect(await db().rpc('add_numbers', { a: 40, b: 2 }, { get: true })).toMatchObject({ data: 42, error: null, status: 200 });
  });

  it('chooses among overloads by argument names, and uses defaults for missing ones', async () => {
    expect((await db().rpc('add_numbers', { a: 1, b: 2, c: 3 })).data).toBe(6);
    expect((await db().rpc('greet')).data).toBe('hello world');
    expect((await db().rpc('greet', { name: 'Emily' }, { get: true })).data).toBe('hello Emily');
  });

  it('returns SETOF table rows, filtered, ordered, limited and embedded', async () => {
    const { data, error } = await db().rpc('books_by_author', { author_name: 'Alan Turing' }).select('id,title').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 2, title: 'On Computable Numbers' }, { id: 3, title: 'Computing Machinery and Intelligence' }]);
    const { data: filtered } = await db().rpc('books_by_author', { author_name: 'Alan Turing' }).select('id').gt('pages', 30);
    expect(filtered).toEqual([{ id: 2 }]);
    const { data: limited, count, status } = await db().rpc('books_by_author', { author_name: 'Alan Turing' }, { count: 'exact' })
      .select('id').order('id', { ascending: false }).limit(1);
    expect(limited).toEqual([{ id: 3 }]);
    expect(count).toBe(2);
    expect(status).toBe(206);
    const { data: embedded } = await db().rpc('books_by_author', { author_name: 'Grace Hopper' }).select('title,authors(name)').single();
    expect(embedded).toEqual({ title: 'A Manual of Operation', authors: { name: 'Grace Hopper' } });
  });

  it('returns RETURNS TABLE rows and filters them', async () => {
    const { data } = await db().rpc('author_stats', {}, { get: true }).eq('author_id', 2);
    expect(data).toEqual([{ author_id: 2, book_count: 2 }]);
  });

  it('returns a single composite as an object, SETOF scalars as an array', async () => {
    const { data } = await db().rpc('first_author').select('id,name');
    expect(data).toEqual({ id: 1, name: 'Ada Lovelace' });
    expect((await db().rpc('numbers_upto', { n: 3 })).data).toEqual([1, 2, 3]);
    expect((await db().rpc('numbers_upto', { n: 4 }, { get: true })).data).toEqual([1, 2, 3, 4]);
  });

  it('counts and HEADs set results', async () => {
    const { data, count, error } = await db().rpc('numbers_upto', { n: 5 }, { count: 'exact' }).limit(2);
    expect(error).toBeNull();
    expect(data).toEqual([1, 2]);
    expect(count).toBe(5);
    const head = await db().rpc('numbers_upto', { n: 5 }, { head: true, count: 'exact' });
    expect(head).toMatchObject({ data: null, count: 5, error: null });
  });

  it('passes the whole body to a single unnamed jsonb parameter', async () => {
    expect((await db().rpc('echo_payload', { any: ['thing', 1] })).data).toEqual({ any: ['thing', 1] });
  });

  it('passes a text/plain body to a single unnamed text parameter', async () => {
    const res = await rest(stack, '/rpc/shout', { method: 'POST', body: 'hello, world', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.json).toBe('HELLO, WORLD');
    const none = await rest(stack, '/rpc/add_numbers', { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } });
    expect(none.status).toBe(404);
    expect(none.json).toEqual({
      code: 'PGRST202', hint: null, message: 'Could not find the function emily_test_fixture.add_numbers in the schema cache',
      details: 'Searched for the function emily_test_fixture.add_numbers with a single unnamed text parameter, but no matches were found in the schema cache.',
    });
  });

  it('answers 204 for a void function', async () => {
    expect(await db().rpc('do_nothing')).toMatchObject({ data: null, error: null, status: 204 });
  });

  it('writes from a volatile function called by POST', async () => {
    const u = user(stack);
    const name = unique('tag');
    const { data, error } = await u.db.rpc('add_tag', { tag_name: name });
    expect(error).toBeNull();
    expect(data).toMatchObject({ name });
    expect((await db().from('tags').select('name').eq('name', name)).data).toEqual([{ name }]);
  });

  it('answers 400 with the raised error, hint included', async () => {
    const { error, status } = await db().rpc('fail_with', { msg: 'boom' });
    expect(status).toBe(400);
    expect(error).toEqual({ code: 'P0001', details: null, hint: 'a hint from the fixture', message: 'boom' });
  });

  it("lets a function choose its error answer with RAISE SQLSTATE 'PGRST' and 'PTxyz'", async () => {
    const teapot = await rest(stack, '/rpc/teapot', { method: 'POST', body: '{}' });
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('x-powered-by')).toBe('Nerd Rage');
    expect(teapot.json).toEqual({ code: '123', message: 'I am a teapot', details: 'short and stout', hint: 'tip me over' });
    const { error, status } = await db().rpc('payment_required');
    expect(status).toBe(402);
    expect(error).toEqual({ code: 'PT402', details: null, hint: null, message: 'pay up' });
  });

  it('lets a function set the status and headers (response.status / response.headers)', async () => {
    const res = await rest(stack, '/rpc/set_response', { method: 'POST', body: JSON.stringify({ code: 202 }) });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-fixture')).toBe('yes');
    expect(res.json).toBe('ok');
  });

  it('answers 500 57014 when the statement times out (anon has 3 s, as on Supabase)', async () => {
    const { error, status } = await db().rpc('sleep_for', { seconds: 5 });
    expect(status).toBe(500);
    expect(error).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
  }, 15_000);
});

describe('function errors', () => {
  it('answers 404 PGRST202 for an unknown function, with a suggestion', async () => {
    const { error, status } = await db().rpc('add_number', { a: 1, b: 2 });
    expect(status).toBe(404);
    expect(error).toEqual({
      code: 'PGRST202',
      details: 'Searched for the function emily_test_fixture.add_number with parameters a, b or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      hint: 'Perhaps you meant to call the function emily_test_fixture.add_numbers',
      message: 'Could not find the function emily_test_fixture.add_number(a, b) in the schema cache',
    });
  });

  it('answers 404 PGRST202 for arguments no overload takes', async () => {
    const { error } = await db().rpc('add_numbers', { x: 1 }, { get: true });
    expect(error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function emily_test_fixture.add_numbers(x) in the schema cache',
      details: 'Searched for the function emily_test_fixture.add_numbers with parameter x, but no matches were found in the schema cache.',
    });
    const none = await rest(stack, '/rpc/nothing_like_this');
    expect(none.status).toBe(404);
    expect(none.json.message).toBe('Could not find the function emily_test_fixture.nothing_like_this without parameters in the schema cache');
  });

  it('answers 405 PGRST101 for other methods on /rpc', async () => {
    const res = await rest(stack, '/rpc/add_numbers', { method: 'PATCH', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.json).toEqual({ code: 'PGRST101', details: null, hint: null, message: 'Cannot use the PATCH method on RPC' });
  });
});
