/**
 * -------------------------------------------------------
 * Section - Knowledge base
 * -------------------------------------------------------
 * What the assistant knows about a website: sources (a text, FAQ pairs, a URL, a file) that the
 * `knowledge` Edge Function splits into passages (chunks). Each chunk carries a stored tsvector in
 * the website's language with a GIN index: Postgres full-text search is the retrieval that always
 * works (a vector index in Qdrant may be added by the Edge Functions). Members manage their
 * websites' knowledge; visitors never read it directly (answers reach them through the AI).
 */

/**
 * A source of knowledge and its ingestion state, which the backoffice shows as a progress bar.
 */
create table public.knowledge_sources (
  id uuid primary key default gen_random_uuid(),
  website_id uuid not null references public.websites (id) on delete cascade,
  kind text not null check (kind in ('text', 'faq', 'url', 'file')),
  title text not null check (pg_catalog.char_length(title) between 1 and 300),
  url text check (pg_catalog.char_length(url) <= 2048 and url ~* '^https?://'),
  -- The original text (text and FAQ sources, extracted text of a page or file) for re-ingestion.
  content text check (pg_catalog.char_length(content) <= 5000000),
  -- Kind-specific details: FAQ question/answer, file name and type, crawl options, page count.
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  status text not null default 'pending' check (status in ('pending', 'processing', 'ready', 'failed')),
  progress real not null default 0 check (progress >= 0 and progress <= 1),
  error text check (pg_catalog.char_length(error) <= 2000),
  -- Maintained by triggers on knowledge_chunks.
  chunk_count integer not null default 0 check (chunk_count >= 0),
  char_count bigint not null default 0 check (char_count >= 0),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  indexed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint knowledge_sources_id_website_id_key unique (id, website_id)
);
comment on table public.knowledge_sources is
  'A knowledge source of a website (text, FAQ, URL, file) with its ingestion status and progress.';
comment on column public.knowledge_sources.progress is
  'Ingestion progress from 0 to 1, written by the knowledge Edge Function as it goes.';

create index knowledge_sources_website_idx on public.knowledge_sources (website_id, created_at desc);
create index knowledge_sources_created_by_idx on public.knowledge_sources (created_by) where created_by is not null;

create trigger set_updated_at
  before update on public.knowledge_sources
  for each row execute function private.set_updated_at();

/**
 * A passage of a source, the unit of retrieval. `language` is copied from the website by a trigger
 * and `fts` is generated from it; `metadata` may carry a page's own title/url (crawled sites) or a
 * heading, which citations prefer over the source's.
 */
create table public.knowledge_chunks (
  id uuid primary key default gen_random_uuid(),
  source_id uuid not null,
  website_id uuid not null,
  position integer not null check (position >= 0),
  content text not null check (pg_catalog.char_length(content) between 1 and 20000),
  -- The website's text search configuration name (see private.to_search_vector for why text).
  language text not null default 'simple',
  fts tsvector generated always as (private.to_search_vector(language, content)) stored,
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  constraint knowledge_chunks_source_fkey foreign key (source_id, website_id)
    references public.knowledge_sources (id, website_id) on delete cascade,
  constraint knowledge_chunks_position_key unique (source_id, position)
);
comment on table public.knowledge_chunks is
  'A passage of a knowledge source with its full-text vector in the website''s language.';
comment on column public.knowledge_chunks.fts is
  'to_tsvector(language, content), stored; GIN-indexed for match_knowledge.';

create index knowledge_chunks_website_idx on public.knowledge_chunks (website_id);
create index knowledge_chunks_fts_idx on public.knowledge_chunks using gin (fts);

/**
 * -------------------------------------------------------
 * Section - Triggers
 * -------------------------------------------------------
 */

/**
 * A chunk takes its website from its source and its language from the website, whatever the
 * client sent. Security definer: reads the source and website regardless of the writer's RLS.
 */
create or replace function private.prepare_knowledge_chunk()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  new.website_id := coalesce(
    (select s.website_id from public.knowledge_sources s where s.id = new.source_id),
    new.website_id
  );
  new.language := coalesce(
    (select w.language from public.websites w where w.id = new.website_id),
    new.language
  );
  return new;
end;
$$;
comment on function private.prepare_knowledge_chunk() is
  'Trigger: copies website_id from the chunk''s source and language from its website.';

create trigger prepare_knowledge_chunk
  before insert on public.knowledge_chunks
  for each row execute function private.prepare_knowledge_chunk();

/**
 * A chunk stays in its source and website; only content, position and metadata change.
 */
create or replace function private.before_knowledge_chunk_update()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.source_id <> old.source_id or new.website_id <> old.website_id then
    raise exception 'A knowledge chunk cannot move to another source or website'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end;
$$;
comment on function private.before_knowledge_chunk_update() is
  'Trigger: keeps a chunk in its source and website.';

create trigger before_knowledge_chunk_update
  before update on public.knowledge_chunks
  for each row execute function private.before_knowledge_chunk_update();

/**
 * Keeps a source's passage and character counts in step with its chunks (the backoffice lists
 * them). Security definer: members may not write the counters themselves.
 */
create or replace function private.count_knowledge_chunks()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    update public.knowledge_sources s
    set chunk_count = s.chunk_count - 1,
        char_count = s.char_count - pg_catalog.char_length(old.content)
    where s.id = old.source_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    update public.knowledge_sources s
    set chunk_count = s.chunk_count + 1,
        char_count = s.char_count + pg_catalog.char_length(new.content)
    where s.id = new.source_id;
  end if;
  return null;
end;
$$;
comment on function private.count_knowledge_chunks() is
  'Trigger: maintains knowledge_sources.chunk_count and char_count.';

create trigger count_knowledge_chunks
  after insert or delete or update of content on public.knowledge_chunks
  for each row execute function private.count_knowledge_chunks();

/**
 * When a website's language changes, its passages are re-indexed in the new language (the
 * generated tsvector follows the copied language).
 */
create or replace function private.reindex_knowledge_language()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  update public.knowledge_chunks c
  set language = new.language
  where c.website_id = new.id and c.language <> new.language;
  return null;
end;
$$;
comment on function private.reindex_knowledge_language() is
  'Trigger: re-indexes a website''s knowledge chunks when its language changes.';

create trigger reindex_knowledge_language
  after update of language on public.websites
  for each row
  when (old.language is distinct from new.language)
  execute function private.reindex_knowledge_language();

/**
 * -------------------------------------------------------
 * Section - Search
 * -------------------------------------------------------
 */

/**
 * Full-text retrieval for the answer engine and the backoffice's "try a question" panel. The
 * visitor's question goes through websearch_to_tsquery in the website's language; a passage
 * matches when it contains any of the question's terms (a question's extra words must not hide the
 * right passage). Rank (0..1) = 0.8 × the share of the question's terms the passage contains, each
 * term weighted by its rarity in the website's knowledge (idf: "price" counts less than
 * "tune-up"), + 0.2 × ts_rank_cd (how close together and dense the matches are). Security
 * invoker: members search their websites only (RLS), the service role (Edge Functions) any.
 */
create or replace function public.match_knowledge(site_id uuid, search_query text, match_count integer default 5)
  returns table (chunk_id uuid, source_id uuid, content text, title text, url text, rank real)
  language sql
  stable
  set search_path = ''
as $$
  with config as (
    select w.language::pg_catalog.regconfig as cfg
    from public.websites w
    where w.id = site_id
  ), question as (
    select pg_catalog.websearch_to_tsquery(config.cfg, pg_catalog.left(coalesce(search_query, ''), 1000)) as q_all
    from config
  ), queries as (
    -- The same query with OR between its terms (phrases stay phrases); a query with a negation
    -- ("-word") is kept as written.
    select
      question.q_all,
      case
        when pg_catalog.strpos(question.q_all::text, '!') > 0 then question.q_all
        else pg_catalog.replace(question.q_all::text, ' & ', ' | ')::pg_catalog.tsquery
      end as q_any
    from question
    where pg_catalog.numnode(question.q_all) > 0
  ), terms as (
    select distinct term::pg_catalog.tsquery as tq
    from queries,
      pg_catalog.unnest(case
        when pg_catalog.strpos(queries.q_all::text, '!') > 0 then array[queries.q_all::text]
        else pg_catalog.string_to_array(queries.q_any::text, ' | ')
      end) as term
  ), corpus as (
    select pg_catalog.count(*) as n from public.knowledge_chunks c where c.website_id = site_id
  ), weighted_terms as (
    select terms.tq,
      pg_catalog.ln(1 + (corpus.n - df.n + 0.5) / (df.n + 0.5)) as idf
    from terms
    cross join corpus
    cross join lateral (
      select pg_catalog.count(*) as n
      from public.knowledge_chunks c
      where c.website_id = site_id and c.fts operator(pg_catalog.@@) terms.tq
    ) as df
  ), total as (
    select pg_catalog.sum(weighted_terms.idf) as idf from weighted_terms
  )
  select
    c.id,
    c.source_id,
    c.content,
    coalesce(nullif(c.metadata ->> 'title', ''), s.title),
    coalesce(nullif(c.metadata ->> 'url', ''), s.url),
    (0.8 * coalesce((
        select pg_catalog.sum(wt.idf) from weighted_terms wt where c.fts operator(pg_catalog.@@) wt.tq
      ) / nullif(total.idf, 0), 0)
     + 0.2 * pg_catalog.ts_rank_cd(c.fts, queries.q_any, 32))::real as rank
  from queries
  cross join total
  join public.knowledge_chunks c
    on c.website_id = site_id and c.fts operator(pg_catalog.@@) queries.q_any
  join public.knowledge_sources s on s.id = c.source_id
  order by rank desc, c.source_id, c.position
  limit greatest(1, least(coalesce(match_count, 5), 50))
$$;
comment on function public.match_knowledge(uuid, text, integer) is
  'Full-text search of a website''s knowledge: passages with source title/url and rank. Members (own websites) and service role.';

/**
 * -------------------------------------------------------
 * Section - Privileges and RLS
 * -------------------------------------------------------
 * All members of a website manage its knowledge. Counters and the website/language columns are
 * the triggers' business.
 */
revoke all on public.knowledge_sources, public.knowledge_chunks from anon, authenticated;

grant select, delete on public.knowledge_sources to authenticated;
grant insert (id, website_id, kind, title, url, content, metadata, status, progress, error, indexed_at)
  on public.knowledge_sources to authenticated;
grant update (title, url, content, metadata, status, progress, error, indexed_at)
  on public.knowledge_sources to authenticated;

grant select, delete on public.knowledge_chunks to authenticated;
grant insert (id, source_id, website_id, position, content, metadata) on public.knowledge_chunks to authenticated;
grant update (position, content, metadata) on public.knowledge_chunks to authenticated;

alter table public.knowledge_sources enable row level security;
alter table public.knowledge_chunks enable row level security;

create policy "Members can read their websites' knowledge sources"
  on public.knowledge_sources for select to authenticated
  using (website_id in (select private.member_website_ids()));

create policy "Members can add knowledge sources to their websites"
  on public.knowledge_sources for insert to authenticated
  with check (website_id in (select private.member_website_ids()));

create policy "Members can update their websites' knowledge sources"
  on public.knowledge_sources for update to authenticated
  using (website_id in (select private.member_website_ids()))
  with check (website_id in (select private.member_website_ids()));

create policy "Members can delete their websites' knowledge sources"
  on public.knowledge_sources for delete to authenticated
  using (website_id in (select private.member_website_ids()));

create policy "Members can read their websites' knowledge chunks"
  on public.knowledge_chunks for select to authenticated
  using (website_id in (select private.member_website_ids()));

create policy "Members can add knowledge chunks to their websites"
  on public.knowledge_chunks for insert to authenticated
  with check (website_id in (select private.member_website_ids()));

create policy "Members can update their websites' knowledge chunks"
  on public.knowledge_chunks for update to authenticated
  using (website_id in (select private.member_website_ids()))
  with check (website_id in (select private.member_website_ids()));

create policy "Members can delete their websites' knowledge chunks"
  on public.knowledge_chunks for delete to authenticated
  using (website_id in (select private.member_website_ids()));

revoke all on function
  private.prepare_knowledge_chunk(),
  private.before_knowledge_chunk_update(),
  private.count_knowledge_chunks(),
  private.reindex_knowledge_language(),
  public.match_knowledge(uuid, text, integer)
from public, anon, authenticated, service_role;

grant execute on function public.match_knowledge(uuid, text, integer) to authenticated, service_role;
