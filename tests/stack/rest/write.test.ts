// /rest/v1 writes through the unmodified supabase-js: insert (one, many, defaults), upsert (merge,
// ignore, on_conflict), update and delete with filters, the Prefer return/count/tx options, and
// the representation of written rows (with embeds). Every test writes its own rows.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyRestFixture, rest, service, unique, user } from './fixture.ts';

const stack = inject('stack');

beforeAll(() => applyRestFixture(stack));

describe('insert', () => {
  it('inserts one row and answers 201 with the row when .select() is chained', async () => {
    const u = user(stack);
    const name = unique('author');
    const { data, error, status } = await u.db.from('authors').insert({ name, metadata: { a: 1 } }).select().single();
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toMatchObject({ name, bio: null, metadata: { a: 1 }, mood: null, owner_id: u.id });
    expect(data!.id).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(data!.created_at)).not.toBeNaN();
  });

  it('answers 201 with no body without .select() (return=minimal)', async () => {
    const u = user(stack);
    const res = await u.db.from('authors').insert({ name: unique('minimal') });
    expect(res).toMatchObject({ error: null, data: null, status: 201 });
  });

  it('inserts many rows; keys missing from a row become NULL, or the default with missing=default', async () => {
    const u = user(stack);
    const [a, b] = [unique('many'), unique('many')];
    const { data, error } = await u.db.from('authors').insert([{ name: a, bio: 'has bio' }, { name: b }]).select('name,bio').order('name');
    expect(error).toBeNull();
    expect(data).toEqual([{ name: a, bio: 'has bio' }, { name: b, bio: null }].sort((x, y) => x.name.localeCompare(y.name)));

    const nullMetadata = await u.db.from('authors').insert([{ name: unique('x'), metadata: { k: 1 } }, { name: unique('y') }]);
    expect(nullMetadata.status).toBe(400);
    expect(nullMetadata.error).toMatchObject({ code: '23502' });

    const c = unique('default');
    const withDefaults = await u.db.from('authors')
      .insert([{ name: c, metadata: { k: 1 } }, { name: `${c}-2` }], { defaultToNull: false }).select('name,metadata,owner_id').order('name');
    expect(withDefaults.error).toBeNull();
    expect(withDefaults.data).toEqual([
      { name: c, metadata: { k: 1 }, owner_id: u.id },
      { name: `${c}-2`, metadata: {}, owner_id: u.id },
    ]);
  });

  it('counts inserted rows with count=exact', async () => {
    const u = user(stack);
    const { count, error } = await u.db.from('authors').insert([{ name: unique('c') }, { name: unique('c') }], { count: 'exact' });
    expect(error).toBeNull();
    expect(count).toBe(2);
  });

  it('returns written rows with embedded resources', async () => {
    const u = user(stack);
    const { data: author } = await u.db.from('authors').insert({ name: unique('embed') }).select('id,name').single();
    const { data, error } = await u.db.from('books').insert({ author_id: author!.id, title: 'A written book', genres: ['x', 'y'] })
      .select('title,genres,author:authors(name)').single();
    expect(error).toBeNull();
    expect(data).toEqual({ title: 'A written book', genres: ['x', 'y'], author: { name: author!.name } });
  });

  it('gives a Location header for return=headers-only', async () => {
    const u = user(stack);
    const res = await rest(stack, '/authors', {
      method: 'POST', body: JSON.stringify({ name: unique('loc') }),
      headers: { Authorization: `Bearer ${u.token}`, Prefer: 'return=headers-only' },
    });
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    expect(res.headers.get('location')).toMatch(/^\/authors\?id=eq\.\d+$/);
    expect(res.headers.get('content-range')).toBe('*/*');
  });

  it('rolls back with Prefer: tx=rollback but still answers with the row', async () => {
    const u = user(stack);
    const name = unique('rollback');
    const { data, error } = await u.db.from('authors').insert({ name }).select('name').rollback();
    expect(error).toBeNull();
    expect(data).toEqual([{ name }]);
    expect((await u.db.from('authors').select('id').eq('name', name)).data).toEqual([]);
  });

  it('answers 409 for a unique violation and a foreign key violation', async () => {
    const u = user(stack);
    const dup = await u.db.from('tags').insert({ name: 'classic' });
    expect(dup.status).toBe(409);
    // Postgres leaves the key out of `details` on tables with row-level security.
    expect(dup.error).toEqual({ code: '23505', message: 'duplicate key value violates unique constraint "tags_name_key"', details: null, hint: null });
    const fk = await u.db.from('books').insert({ author_id: 987654321, title: 'orphan' });
    expect(fk.status).toBe(409);
    expect(fk.error).toMatchObject({ code: '23503' });
  });
});

describe('upsert', () => {
  it('merges duplicates on on_conflict: 201 when inserted, 200 when merged', async () => {
    const u = user(stack);
    const slug = unique('slug');
    const first = await u.db.from('notes').upsert({ owner_id: u.id, slug, body: 'one' }, { onConflict: 'owner_id,slug' }).select('slug,body');
    expect(first).toMatchObject({ error: null, status: 201, data: [{ slug, body: 'one' }] });
    const second = await u.db.from('notes').upsert({ owner_id: u.id, slug, body: 'two' }, { onConflict: 'owner_id,slug' }).select('slug,body');
    expect(second).toMatchObject({ error: null, status: 200, data: [{ slug, body: 'two' }] });
    expect((await u.db.from('notes').select('body').eq('slug', slug)).data).toEqual([{ body: 'two' }]);
  });

  it('ignores duplicates with ignoreDuplicates', async () => {
    const u = user(stack);
    const slug = unique('slug');
    await u.db.from('notes').insert({ slug, body: 'kept' });
    const { data, error } = await u.db.from('notes').upsert({ owner_id: u.id, slug, body: 'ignored' }, { onConflict: 'owner_id,slug', ignoreDuplicates: true }).select('body');
    expect(error).toBeNull();
    expect(data).toEqual([]);
    expect((await u.db.from('notes').select('body').eq('slug', slug)).data).toEqual([{ body: 'kept' }]);
  });

  it('upserts on the primary key by default, many rows at once', async () => {
    const u = user(stack);
    const { data: rows } = await u.db.from('authors').insert([{ name: unique('pk') }, { name: unique('pk') }]).select('id,name').order('id');
    const { data, error } = await u.db.from('authors').upsert(rows!.map((r) => ({ ...r, name: `${r.name}!` }))).select('id,name').order('id');
    expect(error).toBeNull();
    expect(data).toEqual(rows!.map((r) => ({ id: r.id, name: `${r.name}!` })));
  });

  it('replaces one row with PUT filtered by its primary key', async () => {
    const u = user(stack);
    const { data: row } = await u.db.from('authors').insert({ name: unique('put') }).select('id').single();
    const body = { id: row!.id, name: 'replaced', owner_id: u.id };
    const res = await rest(stack, `/authors?id=eq.${row!.id}`, {
      method: 'PUT', body: JSON.stringify(body), headers: { Authorization: `Bearer ${u.token}`, Prefer: 'return=representation' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject([{ id: row!.id, name: 'replaced' }]);
    const noPk = await rest(stack, '/authors?name=eq.x', { method: 'PUT', body: JSON.stringify(body), headers: { Authorization: `Bearer ${u.token}` } });
    expect(noPk.status).toBe(405);
    expect(noPk.json.code).toBe('PGRST105');
  });
});

describe('update and delete', () => {
  it('updates the filtered rows: 204 without .select(), 200 with the rows', async () => {
    const u = user(stack);
    const tag = unique('upd');
    const { data: rows } = await u.db.from('authors').insert([{ name: `${tag}-a` }, { name: `${tag}-b` }, { name: `${tag}-c` }]).select('id');
    const none = await u.db.from('authors').update({ bio: 'quiet' }).eq('name', `${tag}-a`);
    expect(none).toMatchObject({ error: null, status: 204, data: null });
    const { data, error, status, count } = await u.db.from('authors').update({ bio: 'updated', mood: 'sad' }, { count: 'exact' })
      .in('name', [`${tag}-b`, `${tag}-c`]).select('name,bio,mood').order('name');
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(count).toBe(2);
    expect(data).toEqual([{ name: `${tag}-b`, bio: 'updated', mood: 'sad' }, { name: `${tag}-c`, bio: 'updated', mood: 'sad' }]);
    const { data: all } = await u.db.from('authors').select('bio').in('id', rows!.map((r) => r.id)).order('id');
    expect(all).toEqual([{ bio: 'quiet' }, { bio: 'updated' }, { bio: 'updated' }]);
  });

  it('rolls an update back when .single() finds more than one row', async () => {
    const u = user(stack);
    const tag = unique('single');
    await u.db.from('authors').insert([{ name: tag }, { name: tag }]);
    const { error, status } = await u.db.from('authors').update({ bio: 'changed' }).eq('name', tag).select().single();
    expect(status).toBe(406);
    expect(error).toMatchObject({ code: 'PGRST116', details: 'The result contains 2 rows' });
    expect((await u.db.from('authors').select('bio').eq('name', tag)).data).toEqual([{ bio: null }, { bio: null }]);
  });

  it('refuses to affect more rows than max-affected with handling=strict', async () => {
    const u = user(stack);
    const tag = unique('max');
    await u.db.from('authors').insert([{ name: tag }, { name: tag }]);
    const res = await rest(stack, `/authors?name=eq.${tag}`, {
      method: 'PATCH', body: JSON.stringify({ bio: 'x' }), headers: { Authorization: `Bearer ${u.token}`, Prefer: 'handling=strict, max-affected=1' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 'PGRST124', details: 'The query affects 2 rows', hint: null, message: 'Query result exceeds max-affected preference constraint' });
    expect((await u.db.from('authors').select('bio').eq('name', tag)).data).toEqual([{ bio: null }, { bio: null }]);
  });

  it('deletes the filtered rows: 204, or 200 with the deleted rows', async () => {
    const u = user(stack);
    const tag = unique('del');
    await u.db.from('authors').insert([{ name: `${tag}-1` }, { name: `${tag}-2` }]);
    expect(await u.db.from('authors').delete().eq('name', `${tag}-1`)).toMatchObject({ error: null, status: 204 });
    const { data, status } = await u.db.from('authors').delete().eq('name', `${tag}-2`).select('name');
    expect(status).toBe(200);
    expect(data).toEqual([{ name: `${tag}-2` }]);
    expect((await u.db.from('authors').select('id').like('name', `${tag}*`)).data).toEqual([]);
  });

  it('answers an update with an empty body with no rows changed', async () => {
    const u = user(stack);
    const { data, error } = await u.db.from('authors').update({}).eq('id', 1).select('id');
    expect(error).toBeNull();
    expect(data).toEqual([]);
  });
});

describe('other body formats', () => {
  it('inserts CSV and form-urlencoded bodies', async () => {
    const u = user(stack);
    const [a, b, c] = [unique('csv'), unique('csv'), unique('form')];
    const csv = await rest(stack, '/authors?select=name,bio', {
      method: 'POST', body: `name,bio\n${a},"quoted, with comma"\n${b},NULL\n`,
      headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'text/csv', Prefer: 'return=representation' },
    });
    expect(csv.status).toBe(201);
    expect(csv.json).toEqual([{ name: a, bio: 'quoted, with comma' }, { name: b, bio: null }]);
    const form = await rest(stack, '/authors?select=name,bio', {
      method: 'POST', body: new URLSearchParams({ name: c, bio: 'from a form' }).toString(),
      headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/x-www-form-urlencoded', Prefer: 'return=representation' },
    });
    expect(form.status).toBe(201);
    expect(form.json).toEqual([{ name: c, bio: 'from a form' }]);
  });

  it('answers 400 PGRST102 for other content types and ragged CSV', async () => {
    const u = user(stack);
    const xml = await rest(stack, '/authors', { method: 'POST', body: '<author/>', headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/xml' } });
    expect(xml.status).toBe(400);
    expect(xml.json).toEqual({ code: 'PGRST102', details: null, hint: null, message: 'Content-Type not acceptable: application/xml' });
    const ragged = await rest(stack, '/authors', { method: 'POST', body: 'name,bio\nx\n', headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'text/csv' } });
    expect(ragged.json).toMatchObject({ code: 'PGRST102', message: 'All lines must have same number of fields' });
  });
});

describe('bad write input', () => {
  it('answers 400 PGRST204 for a column the table does not have', async () => {
    const u = user(stack);
    const { error, status } = await u.db.from('authors').insert({ name: 'x', nope: 1 } as never);
    expect(status).toBe(400);
    expect(error).toEqual({ code: 'PGRST204', details: null, hint: null, message: "Could not find the 'nope' column of 'authors' in the schema cache" });
    const update = await u.db.from('authors').update({ nope: 1 } as never).eq('id', 1);
    expect(update.error).toMatchObject({ code: 'PGRST204' });
  });

  it('answers 400 PGRST102 for invalid JSON and for arrays of objects with different keys', async () => {
    const u = user(stack);
    const headers = { Authorization: `Bearer ${u.token}` };
    const invalid = await rest(stack, '/authors', { method: 'POST', body: '{"name": ', headers });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toEqual({ code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' });
    const empty = await rest(stack, '/authors', { method: 'POST', body: '', headers });
    expect(empty.json).toMatchObject({ code: 'PGRST102', message: 'Empty or invalid json' });
    const keys = await rest(stack, '/authors', { method: 'POST', body: JSON.stringify([{ name: 'a' }, { bio: 'b' }]), headers });
    expect(keys.status).toBe(400);
    expect(keys.json).toEqual({ code: 'PGRST102', details: null, hint: null, message: 'All object keys must match' });
  });

  it('answers 413 for a body over the limit and keeps serving', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024) });
    const res = await rest(stack, '/authors', { method: 'POST', body: big });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ message: 'Request Entity Too Large' });
    expect((await service(stack).from('authors').select('id').eq('id', 1)).data).toEqual([{ id: 1 }]);
  });

  it('answers 400 for a value Postgres cannot convert', async () => {
    const u = user(stack);
    const { error, status } = await u.db.from('books').insert({ author_id: 1, title: 't', pages: 'many' as never });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "many"' });
  });
});
