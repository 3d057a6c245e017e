// /rest/v1 reads through the unmodified supabase-js: columns, aliases, casts, JSON paths, embeds
// over foreign keys in every direction, every filter operator, or/and/not, order, ranges,
// single/maybeSingle, counts and HEAD. Fixture rows have ids 1–4; rows tests add start at 1000.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { anon, applyRestFixture, rest } from './fixture.ts';

const stack = inject('stack');
const db = () => anon(stack);
const SEED = 3; // seeded authors are 1..3, seeded books 1..4

beforeAll(() => applyRestFixture(stack));

describe('select', () => {
  it('returns the columns asked for, in order, with types serialised by Postgres', async () => {
    const { data, error, status } = await db().from('authors').select('id,name,created_at,metadata,mood').eq('id', 1);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([{
      id: 1, name: 'Ada Lovelace', created_at: '2024-01-01T10:00:00+00:00',
      metadata: { born: 1815, country: 'UK', tags: ['math', 'poetry'], model: { name: 'engine' } }, mood: 'curious',
    }]);
    expect(Object.keys(data![0])).toEqual(['id', 'name', 'created_at', 'metadata', 'mood']);
  });

  it('serialises numerics, arrays, ranges and dates as PostgREST does', async () => {
    const { data } = await db().from('books').select('price,genres,editions,published,pages').eq('id', 1).single();
    expect(data).toEqual({ price: 12.5, genres: ['history', 'computing'], editions: '[1843,1844)', published: '1843-09-01', pages: 60 });
  });

  it('selects every column with *', async () => {
    const { data } = await db().from('authors').select().eq('id', 2).single();
    expect(Object.keys(data!)).toEqual(['id', 'name', 'bio', 'metadata', 'mood', 'owner_id', 'created_at']);
  });

  it('renames with aliases and converts with casts', async () => {
    const { data } = await db().from('books').select('book_id:id,title,pages_text:pages::text,price::text').eq('id', 2);
    expect(data).toEqual([{ book_id: 2, title: 'On Computable Numbers', pages_text: '36', price: '9.99' }]);
  });

  it('reads JSON paths with -> and ->>, named after the last key', async () => {
    const { data } = await db().from('authors').select('id,metadata->>country,born:metadata->born,metadata->model->>name,first_tag:metadata->tags->0').eq('id', 1);
    expect(data).toEqual([{ id: 1, country: 'UK', born: 1815, name: 'engine', first_tag: 'math' }]);
  });

  it('reads computed fields (functions of the row) and filters and orders by them', async () => {
    const { data } = await db().from('authors').select('id,display_name').lte('id', SEED).neq('display_name', 'Alan Turing (happy)').order('display_name', { ascending: false });
    expect(data).toEqual([{ id: 3, display_name: 'Grace Hopper (?)' }, { id: 1, display_name: 'Ada Lovelace (curious)' }]);
  });

  it('counts embedded rows with the legacy books(count)', async () => {
    const { data } = await db().from('authors').select('name,books(count)').lte('id', SEED).order('id');
    expect(data).toEqual([
      { name: 'Ada Lovelace', books: [{ count: 1 }] },
      { name: 'Alan Turing', books: [{ count: 2 }] },
      { name: 'Grace Hopper', books: [{ count: 1 }] },
    ]);
  });

  it('reads views', async () => {
    const { data } = await db().from('book_titles').select('title,author_name').eq('id', 4);
    expect(data).toEqual([{ title: 'A Manual of Operation', author_name: 'Grace Hopper' }]);
  });
});

describe('embedding over foreign keys', () => {
  it('embeds many-to-one as an object and one-to-many as an array', async () => {
    const { data, error } = await db().from('authors')
      .select('name,books(id,title,author:authors(name))')
      .eq('id', 2).order('id', { referencedTable: 'books' });
    expect(error).toBeNull();
    expect(data).toEqual([{
      name: 'Alan Turing',
      books: [
        { id: 2, title: 'On Computable Numbers', author: { name: 'Alan Turing' } },
        { id: 3, title: 'Computing Machinery and Intelligence', author: { name: 'Alan Turing' } },
      ],
    }]);
  });

  it('embeds many-to-many through the junction table', async () => {
    const { data } = await db().from('books').select('id,tags(name)').eq('id', 2).order('name', { referencedTable: 'tags' }).single();
    expect(data).toEqual({ id: 2, tags: [{ name: 'classic' }, { name: 'paper' }] });
    const { data: tagged } = await db().from('tags').select('name,books(id)').eq('name', 'essay').single();
    expect(tagged).toEqual({ name: 'essay', books: [{ id: 3 }] });
  });

  it('gives an empty array and null for missing related rows', async () => {
    const { data } = await db().from('books').select('id,tags(name),reviews(stars)').eq('id', 4).single();
    expect(data).toEqual({ id: 4, tags: [], reviews: [] });
    const { data: review } = await db().from('reviews').select('id,editor:authors!reviews_editor_id_fkey(name)').eq('id', 2).single();
    expect(review).toEqual({ id: 2, editor: null });
  });

  it('embeds over a composite foreign key in both directions', async () => {
    const { data } = await db().from('editions').select('number,year,edition_notes(note)').eq('book_id', 2).order('number');
    expect(data).toEqual([{ number: 1, year: 1936, edition_notes: [] }, { number: 2, year: 1937, edition_notes: [{ note: 'corrections' }] }]);
    const { data: notes } = await db().from('edition_notes').select('note,editions(year,books(title))').eq('id', 2).single();
    expect(notes).toEqual({ note: 'first print', editions: { year: 1950, books: { title: 'Computing Machinery and Intelligence' } } });
  });

  it('embeds one-to-one as an object from both sides', async () => {
    const { data } = await db().from('authors').select('name,author_profiles(website)').lte('id', 2).order('id');
    expect(data).toEqual([{ name: 'Ada Lovelace', author_profiles: { website: 'https://example.test/ada' } }, { name: 'Alan Turing', author_profiles: null }]);
    const { data: profile } = await db().from('author_profiles').select('website,authors(name)').eq('author_id', 1).single();
    expect(profile).toEqual({ website: 'https://example.test/ada', authors: { name: 'Ada Lovelace' } });
  });

  it('embeds a self-reference: children by table name, parent by column name', async () => {
    const { data } = await db().from('categories').select('name,parent:parent_id(name),children:categories(name)').order('id')
      .order('name', { referencedTable: 'children' });
    expect(data).toEqual([
      { name: 'science', parent: null, children: [{ name: 'computing' }, { name: 'logic' }] },
      { name: 'computing', parent: { name: 'science' }, children: [] },
      { name: 'logic', parent: { name: 'science' }, children: [] },
    ]);
  });

  it('disambiguates with a foreign key hint, and answers 300 PGRST201 without one', async () => {
    const { data } = await db().from('reviews')
      .select('stars,reviewer:authors!reviews_reviewer_id_fkey(name),editor:authors!editor_id(name)').eq('id', 1).single();
    expect(data).toEqual({ stars: 5, reviewer: { name: 'Ada Lovelace' }, editor: { name: 'Grace Hopper' } });

    const { error, status } = await db().from('reviews').select('stars,authors(name)');
    expect(status).toBe(300);
    expect(error).toMatchObject({
      code: 'PGRST201',
      message: "Could not embed because more than one relationship was found for 'reviews' and 'authors'",
      hint: "Try changing 'authors' to one of the following: 'authors!reviews_editor_id_fkey', 'authors!reviews_reviewer_id_fkey'. Find the desired relationship in the 'details' key.",
    });
    expect(error!.details).toEqual(expect.arrayContaining([{
      cardinality: 'many-to-one', embedding: 'reviews with authors',
      relationship: 'reviews_reviewer_id_fkey using reviews(reviewer_id) and authors(id)',
    }]));
  });

  it('answers 400 PGRST200 for tables without a relationship', async () => {
    const { error, status } = await db().from('tags').select('name,authors(name)');
    expect(status).toBe(400);
    expect(error).toMatchObject({
      code: 'PGRST200',
      message: "Could not find a relationship between 'tags' and 'authors' in the schema cache",
      details: "Searched for a foreign key relationship between 'tags' and 'authors' in the schema 'emily_test_fixture', but no matches were found.",
    });
  });

  it('embeds nested resources with their own filters, order and limit', async () => {
    const { data } = await db().from('authors')
      .select('name,books(title,tags(name),reviews(stars,reviewer:authors!reviewer_id(name)))')
      .eq('id', 2)
      .order('id', { referencedTable: 'books', ascending: false })
      .limit(1, { referencedTable: 'books' })
      .single();
    expect(data).toEqual({
      name: 'Alan Turing',
      books: [{ title: 'Computing Machinery and Intelligence', tags: expect.arrayContaining([{ name: 'essay' }, { name: 'paper' }]), reviews: [{ stars: 4, reviewer: { name: 'Ada Lovelace' } }] }],
    });
  });

  it('filters an embedded array without filtering the parents, and with !inner filters the parents', async () => {
    const { data: all } = await db().from('authors').select('id,books(title)').lte('id', SEED).eq('books.pages', 27).order('id');
    expect(all).toEqual([
      { id: 1, books: [] },
      { id: 2, books: [{ title: 'Computing Machinery and Intelligence' }] },
      { id: 3, books: [] },
    ]);
    const { data: inner, count } = await db().from('authors').select('id,books!inner(title)', { count: 'exact' }).lte('id', SEED).eq('books.pages', 27);
    expect(inner).toEqual([{ id: 2, books: [{ title: 'Computing Machinery and Intelligence' }] }]);
    expect(count).toBe(1);
  });

  it('filters parents on a many-to-one !inner embed and keeps them with !left', async () => {
    const { data } = await db().from('books').select('id,author:authors!inner(name)').eq('author.name', 'Grace Hopper').lte('id', 4);
    expect(data).toEqual([{ id: 4, author: { name: 'Grace Hopper' } }]);
    const { data: left } = await db().from('books').select('id,author:authors!left(name)').eq('author.name', 'Grace Hopper').lte('id', 4).order('id');
    expect(left!.map((b) => b.author)).toEqual([null, null, null, { name: 'Grace Hopper' }]);
  });

  it('filters parents by the existence of an embed with is.null / not.is.null', async () => {
    const { data } = await db().from('books').select('id,reviews(id)').lte('id', 4).not('reviews', 'is', null).order('id');
    expect(data!.map((b) => b.id)).toEqual([2, 3]);
  });

  it('lifts to-one columns into the parent with a spread', async () => {
    const { data } = await db().from('books').select('title,...authors(author_name:name)').eq('id', 4).single();
    expect(data).toEqual({ title: 'A Manual of Operation', author_name: 'Grace Hopper' });
  });

  it('orders by a column of a to-one embed', async () => {
    const res = await rest(stack, '/books?select=id,author:authors(name)&id=lte.4&order=author(name).desc,id.asc');
    expect(res.status).toBe(200);
    expect(res.json.map((b: { id: number }) => b.id)).toEqual([4, 2, 3, 1]);
  });
});

describe('filters', () => {
  const ids = async (q: PromiseLike<{ data: { id: number }[] | null; error: unknown }>) => {
    const { data, error } = await q;
    expect(error).toBeNull();
    return data!.map((r) => r.id).sort((a, b) => a - b);
  };
  const books = () => db().from('books').select('id').lte('id', 4);
  const authors = () => db().from('authors').select('id').lte('id', SEED);

  it('compares with eq, neq, gt, gte, lt, lte', async () => {
    expect(await ids(books().eq('pages', 36))).toEqual([2]);
    expect(await ids(books().neq('pages', 36))).toEqual([1, 3, 4]);
    expect(await ids(books().gt('pages', 36))).toEqual([1, 4]);
    expect(await ids(books().gte('pages', 36))).toEqual([1, 2, 4]);
    expect(await ids(books().lt('pages', 36))).toEqual([3]);
    expect(await ids(books().lte('pages', 36))).toEqual([2, 3]);
  });

  it('matches patterns with like and ilike, * as the wildcard', async () => {
    expect(await ids(books().like('title', '*Comput*'))).toEqual([2, 3]);
    expect(await ids(books().like('title', '*comput*'))).toEqual([]);
    expect(await ids(books().ilike('title', '*comput*'))).toEqual([2, 3]);
    expect(await ids(books().likeAnyOf('title', ['A *', 'Notes*']))).toEqual([1, 4]);
    expect(await ids(books().ilikeAllOf('title', ['*comput*', '*ING*']))).toEqual([3]);
  });

  it('matches regular expressions with match and imatch', async () => {
    expect(await ids(books().match({ pages: 60 }))).toEqual([1]);
    expect(await ids(books().regexMatch('title', '^On'))).toEqual([2]);
    expect(await ids(books().regexIMatch('title', '^on'))).toEqual([2]);
  });

  it('tests with is null / true / false / unknown and isdistinct', async () => {
    expect(await ids(authors().is('bio', null))).toEqual([2]);
    expect(await ids(authors().not('bio', 'is', null))).toEqual([1, 3]);
    expect(await ids(books().filter('price', 'is', 'null'))).toEqual([4]);
    expect(await ids(authors().filter('mood', 'isdistinct', 'happy'))).toEqual([1, 3]);
    const { error } = await db().from('books').select('id').filter('pages', 'is', 'unknown');
    expect(error).toMatchObject({ code: '42804' }); // IS UNKNOWN needs a boolean, as in Postgres
  });

  it('matches lists with in, quoting values that hold commas or parentheses', async () => {
    expect(await ids(authors().in('name', ['Ada Lovelace', 'Grace Hopper']))).toEqual([1, 3]);
    expect(await ids(books().in('title', ['A Manual of Operation', 'x,(y)']))).toEqual([4]);
    expect(await ids(books().filter('id', 'in', '()'))).toEqual([]);
    expect(await ids(books().not('id', 'in', '(1,2)'))).toEqual([3, 4]);
    const bio = await rest(stack, `/authors?select=id&bio=in.(${encodeURIComponent('"Compilers, \\"COBOL\\", and more"')})`);
    expect(bio.json).toEqual([{ id: 3 }]);
  });

  it('tests arrays, jsonb and ranges with cs, cd, ov and the range operators', async () => {
    expect(await ids(books().contains('genres', ['computing']))).toEqual([1, 2, 3]);
    expect(await ids(books().containedBy('genres', ['math', 'computing', 'history']))).toEqual([1, 2]);
    expect(await ids(books().overlaps('genres', ['manual', 'philosophy']))).toEqual([3, 4]);
    expect(await ids(books().contains('data', { rating: 5 }))).toEqual([1, 2]);
    expect(await ids(books().containedBy('data', { lang: 'en', rating: 4, extra: true }))).toEqual([3]);
    expect(await ids(books().overlaps('editions', '[1937,1951)'))).toEqual([2, 3]);
    expect(await ids(books().rangeLt('editions', '[1900,1901)'))).toEqual([1]);
    expect(await ids(books().rangeGt('editions', '[1900,1901)'))).toEqual([2, 3]);
    expect(await ids(books().rangeGte('editions', '[1936,1937)'))).toEqual([2, 3]);
    expect(await ids(books().rangeLte('editions', '[1900,1940)'))).toEqual([1, 2]);
    expect(await ids(books().rangeAdjacent('editions', '[1938,1950)'))).toEqual([2, 3]);
  });

  it('searches text with fts, plfts, phfts and wfts, with and without a configuration', async () => {
    expect(await ids(books().textSearch('search', 'game'))).toEqual([3]);
    expect(await ids(books().textSearch('search', 'machinery & intelligence', { config: 'english' }))).toEqual([3]);
    expect(await ids(books().textSearch('search', 'computable numbers', { type: 'plain', config: 'english' }))).toEqual([2]);
    expect(await ids(books().textSearch('search', 'imitation game', { type: 'phrase', config: 'english' }))).toEqual([3]);
    expect(await ids(books().textSearch('search', '"analytical engine" -numbers', { type: 'websearch', config: 'english' }))).toEqual([1]);
    // On a text column the column is turned into a tsvector first.
    expect(await ids(books().textSearch('title', 'operation', { config: 'english' }))).toEqual([4]);
  });

  it('filters JSON paths', async () => {
    expect(await ids(authors().eq('metadata->>country', 'US'))).toEqual([3]);
    expect(await ids(authors().gt('metadata->born', 1900))).toEqual([2, 3]);
  });

  it('combines filters with or, and, not and nesting', async () => {
    expect(await ids(books().or('pages.eq.36,pages.gt.100'))).toEqual([2, 4]);
    expect(await ids(books().or('and(pages.lt.50,price.gt.8),title.ilike.*manual*'))).toEqual([2, 4]);
    expect(await ids(books().not('pages', 'eq', 36).not('pages', 'eq', 60))).toEqual([3, 4]);
    expect((await rest(stack, '/books?select=id&id=lte.4&not.or=(pages.eq.36,pages.eq.60)&order=id')).json).toEqual([{ id: 3 }, { id: 4 }]);
    expect((await rest(stack, '/books?select=id&id=lte.4&and=(pages.gt.30,or(price.lt.10,price.is.null))&order=id')).json).toEqual([{ id: 2 }, { id: 4 }]);
    expect(await ids(books().or('genres.cs.{manual},id.in.(1,3)'))).toEqual([1, 3, 4]);
  });

  it('applies or on an embedded resource', async () => {
    const { data } = await db().from('authors').select('id,books(id)').eq('id', 2).or('pages.eq.36,pages.eq.500', { referencedTable: 'books' }).single();
    expect(data).toEqual({ id: 2, books: [{ id: 2 }] });
  });
});

describe('order, ranges and counts', () => {
  it('orders by several columns with nulls first or last', async () => {
    const { data } = await db().from('books').select('id').lte('id', 4).order('price', { ascending: false, nullsFirst: true }).order('id');
    expect(data!.map((b) => b.id)).toEqual([4, 1, 2, 3]);
    const { data: last } = await db().from('books').select('id').lte('id', 4).order('price', { ascending: true, nullsFirst: false });
    expect(last!.map((b) => b.id)).toEqual([3, 2, 1, 4]);
  });

  it('orders by a JSON path', async () => {
    const { data } = await db().from('authors').select('id').lte('id', SEED).order('metadata->born');
    expect(data!.map((a) => a.id)).toEqual([1, 3, 2]);
  });

  it('pages with limit, range and the Range header, reporting Content-Range', async () => {
    const { data } = await db().from('books').select('id').lte('id', 4).order('id').range(1, 2);
    expect(data!.map((b) => b.id)).toEqual([2, 3]);
    const { data: limited } = await db().from('books').select('id').lte('id', 4).order('id').limit(1);
    expect(limited).toEqual([{ id: 1 }]);
    const res = await rest(stack, '/books?select=id&id=lte.4&order=id', { headers: { Range: '2-3', 'Range-Unit': 'items' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ id: 3 }, { id: 4 }]);
    expect(res.headers.get('content-range')).toBe('2-3/*');
  });

  it('counts exactly with Prefer: count=exact (206 for a partial page)', async () => {
    const { data, count, status } = await db().from('books').select('id', { count: 'exact' }).lte('id', 4).order('id').range(0, 1);
    expect(data).toHaveLength(2);
    expect(count).toBe(4);
    expect(status).toBe(206);
    const res = await rest(stack, '/books?select=id&id=lte.4&limit=2', { headers: { Prefer: 'count=exact' } });
    expect(res.headers.get('content-range')).toBe('0-1/4');
    const none = await rest(stack, '/books?select=id&id=eq.999999', { headers: { Prefer: 'count=exact' } });
    expect(none.headers.get('content-range')).toBe('*/0');
    const noCount = await rest(stack, '/books?select=id&id=eq.999999');
    expect(noCount.headers.get('content-range')).toBe('*/*');
  });

  it('gives planned and estimated counts', async () => {
    const { count: planned, error } = await db().from('books').select('id', { count: 'planned' }).lte('id', 4);
    expect(error).toBeNull();
    expect(typeof planned).toBe('number');
    const { count: estimated } = await db().from('books').select('id', { count: 'estimated' }).lte('id', 4);
    expect(estimated).toBe(4);
  });

  it('answers HEAD with the count and no body', async () => {
    const { data, count, status, error } = await db().from('authors').select('*', { count: 'exact', head: true }).lte('id', SEED);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toBeNull();
    expect(count).toBe(3);
  });

  it('answers 416 PGRST103 for an offset past the end and a negative limit', async () => {
    const res = await rest(stack, '/books?select=id&id=lte.4&offset=10', { headers: { Prefer: 'count=exact' } });
    expect(res.status).toBe(416);
    expect(res.json).toEqual({ code: 'PGRST103', details: 'An offset of 10 was requested, but there are only 4 rows.', hint: null, message: 'Requested range not satisfiable' });
    const negative = await rest(stack, '/books?select=id&limit=-1');
    expect(negative.status).toBe(416);
    expect(negative.json).toMatchObject({ code: 'PGRST103', details: 'Limit should be greater than or equal to zero.' });
    const zero = await rest(stack, '/books?select=id&limit=0');
    expect(zero.status).toBe(200);
    expect(zero.json).toEqual([]);
  });
});

describe('single, maybeSingle and other representations', () => {
  it('answers one object for .single()', async () => {
    const { data, error } = await db().from('authors').select('name').eq('id', 3).single();
    expect(error).toBeNull();
    expect(data).toEqual({ name: 'Grace Hopper' });
  });

  it('answers 406 PGRST116 when .single() finds zero or several rows', async () => {
    const none = await db().from('authors').select('name').eq('id', 999999).single();
    expect(none.status).toBe(406);
    expect(none.error).toEqual({ code: 'PGRST116', details: 'The result contains 0 rows', hint: null, message: 'Cannot coerce the result to a single JSON object' });
    const many = await db().from('authors').select('name').lte('id', SEED).single();
    expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 3 rows' });
  });

  it('gives null or the row with .maybeSingle()', async () => {
    expect((await db().from('authors').select('name').eq('id', 999999).maybeSingle()).data).toBeNull();
    expect((await db().from('authors').select('name').eq('id', 1).maybeSingle()).data).toEqual({ name: 'Ada Lovelace' });
  });

  it('strips nulls when asked', async () => {
    const { data } = await db().from('authors').select('id,bio').eq('id', 2).stripNulls();
    expect(data).toEqual([{ id: 2 }]);
  });

  it('answers CSV', async () => {
    const { data } = await db().from('books').select('id,title,price').lte('id', 2).order('id').csv();
    expect(data).toBe('id,title,price\n1,"Notes on the Analytical Engine",12.50\n2,"On Computable Numbers",9.99');
  });

  it('answers 406 PGRST107 for media types it cannot produce', async () => {
    const res = await rest(stack, '/authors?select=id', { headers: { Accept: 'application/xml' } });
    expect(res.status).toBe(406);
    expect(res.json).toEqual({ code: 'PGRST107', details: null, hint: null, message: 'None of these media types are available: application/xml' });
  });

  it('sets Content-Range, Content-Location and Content-Profile like PostgREST', async () => {
    const res = await rest(stack, '/authors?select=id&id=eq.1');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-range')).toBe('0-0/*');
    expect(res.headers.get('content-location')).toBe('/authors?id=eq.1&select=id');
    expect(res.headers.get('content-profile')).toBe('emily_test_fixture');
  });
});
