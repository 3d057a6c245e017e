// Row-level security through /rest/v1: each request runs as the JWT's role with its claims set,
// so the fixture's real policies (written with auth.uid()) decide, for anon and for two users.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { anon, applyRestFixture, service, unique, user } from './fixture.ts';

const stack = inject('stack');

beforeAll(() => applyRestFixture(stack));

describe('row-level security', () => {
  it('runs as the JWT role with its claims', async () => {
    const alice = user(stack);
    expect((await alice.db.rpc('whoami')).data).toBe(alice.id);
    expect((await alice.db.rpc('my_role')).data).toBe('authenticated');
    expect((await anon(stack).rpc('whoami')).data).toBeNull();
    expect((await anon(stack).rpc('my_role')).data).toBe('anon');
    expect((await service(stack).rpc('my_role')).data).toBe('service_role');
  });

  it("sets PostgREST's per-request settings in the transaction", async () => {
    const alice = user(stack);
    const { data } = await alice.db.rpc('request_info', {}, { get: true });
    expect(data).toEqual({
      role: 'authenticated', search_path: '"emily_test_fixture", "public", "extensions"',
      method: 'GET', path: '/rpc/request_info', has_apikey_header: true,
      claims_sub: alice.id, email: `${alice.id}@rest.test`, read_only: 'on', statement_timeout: '8s',
    });
    const { data: posted } = await anon(stack).rpc('request_info');
    expect(posted).toMatchObject({ role: 'anon', method: 'POST', claims_sub: null, read_only: 'on', statement_timeout: '3s' });
  });

  it('refuses an anonymous insert with 401 and the policy error', async () => {
    const { error, status } = await anon(stack).from('authors').insert({ name: unique('anon') });
    expect(status).toBe(401);
    expect(error).toEqual({ code: '42501', details: null, hint: null, message: 'new row violates row-level security policy for table "authors"' });
  });

  it('refuses a signed-in insert that breaks the policy with 403', async () => {
    const alice = user(stack);
    const bob = user(stack);
    const { error, status } = await alice.db.from('authors').insert({ name: unique('spoof'), owner_id: bob.id });
    expect(status).toBe(403);
    expect(error).toEqual({ code: '42501', details: null, hint: null, message: 'new row violates row-level security policy for table "authors"' });
  });

  it('answers 401 without a grant and 403 without a policy', async () => {
    const alice = user(stack);
    const anonInsert = await anon(stack).from('tags').insert({ name: unique('t') });
    expect(anonInsert.status).toBe(401);
    expect(anonInsert.error).toMatchObject({ code: '42501', message: 'permission denied for table tags' });
    const userInsert = await alice.db.from('book_tags').insert({ book_id: 1, tag_id: 2 });
    expect(userInsert.status).toBe(403);
    expect(userInsert.error).toMatchObject({ code: '42501', message: 'new row violates row-level security policy for table "book_tags"' });
  });

  it("keeps each user's private rows to themselves", async () => {
    const alice = user(stack);
    const bob = user(stack);
    const slug = unique('private');
    const { error } = await alice.db.from('notes').insert({ slug, body: 'alice only' });
    expect(error).toBeNull();

    expect((await alice.db.from('notes').select('slug,body,owner_id')).data).toEqual([{ slug, body: 'alice only', owner_id: alice.id }]);
    expect((await bob.db.from('notes').select('slug')).data).toEqual([]);
    expect((await anon(stack).from('notes').select('slug').eq('slug', slug)).data).toEqual([]);

    const bobUpdate = await bob.db.from('notes').update({ body: 'bob was here' }).eq('slug', slug).select();
    expect(bobUpdate).toMatchObject({ error: null, data: [] });
    const bobDelete = await bob.db.from('notes').delete().eq('slug', slug).select();
    expect(bobDelete).toMatchObject({ error: null, data: [] });
    expect((await alice.db.from('notes').select('body').eq('slug', slug)).data).toEqual([{ body: 'alice only' }]);

    const { count } = await service(stack).from('notes').select('id', { count: 'exact', head: true }).eq('slug', slug);
    expect(count).toBe(1);
  });

  it('lets a user change only rows the policy allows', async () => {
    const alice = user(stack);
    const bob = user(stack);
    const { data: row } = await alice.db.from('authors').insert({ name: unique('owned') }).select('id').single();
    const bobTry = await bob.db.from('authors').update({ bio: 'hijacked' }).eq('id', row!.id).select('id');
    expect(bobTry.data).toEqual([]);
    const aliceTry = await alice.db.from('authors').update({ bio: 'mine' }).eq('id', row!.id).select('bio');
    expect(aliceTry.data).toEqual([{ bio: 'mine' }]);
    // Moving the row to someone else breaks the policy's WITH CHECK.
    const give = await alice.db.from('authors').update({ owner_id: bob.id }).eq('id', row!.id);
    expect(give.status).toBe(403);
    expect(give.error).toMatchObject({ code: '42501', message: 'new row violates row-level security policy for table "authors"' });
  });

  it('lets service_role bypass the policies', async () => {
    const alice = user(stack);
    const slug = unique('svc');
    await alice.db.from('notes').insert({ slug });
    const { data } = await service(stack).from('notes').select('owner_id').eq('slug', slug);
    expect(data).toEqual([{ owner_id: alice.id }]);
  });

  it('runs GET requests read-only', async () => {
    const res = await anon(stack).rpc('add_tag', { tag_name: unique('ro') }, { get: true });
    expect(res.status).toBe(405);
    expect(res.error).toMatchObject({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
  });
});
