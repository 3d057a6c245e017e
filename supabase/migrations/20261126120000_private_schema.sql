/**
 * -------------------------------------------------------
 * Section - The private schema
 * -------------------------------------------------------
 * Emily's helpers live in `private`, a schema the REST API does not expose (it is not in
 * supabase/config.toml's [api] schemas). RLS policies, triggers and the thin `public` API functions
 * call into it. Every `security definer` function of the project lives here, runs as its owner
 * (postgres) with `set search_path = ''` and names every object with its schema, so that nothing
 * a caller puts on its search_path can change what it does.
 */
create schema if not exists private;
comment on schema private is
  'Emily''s helpers for RLS policies, triggers and API functions; not exposed by the REST API.';

-- RLS policies run as the caller, so the API roles need to reach the helpers they call; anon
-- never does (no policy is written for anon). Execute rights are granted function by function.
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

/**
 * Keeps `updated_at` honest: whatever a client sends, the row records when it really changed.
 */
create or replace function private.set_updated_at()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;
comment on function private.set_updated_at() is
  'Trigger: sets updated_at to the transaction time on every update.';

/**
 * Widget visitors are Supabase anonymous users; their JWT carries `is_anonymous: true`. Policies
 * use this to keep visitors from acting as site owners (creating websites, joining teams).
 */
create or replace function private.is_anonymous_session()
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select coalesce(auth.jwt() ->> 'is_anonymous', 'false') = 'true'
$$;
comment on function private.is_anonymous_session() is
  'True when the request''s JWT belongs to an anonymous user (a widget visitor).';

/**
 * Allowed domains are compared with the Origin of widget requests by hostname. This check keeps
 * the list to plain lower-case hostnames or IPv4 addresses (optionally `*.` for subdomains), so an
 * owner cannot store a URL, a path or a port by mistake and silently lock the widget out.
 */
create or replace function private.are_valid_hostnames(hosts text[])
  returns boolean
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select hosts is not null
    and pg_catalog.cardinality(hosts) <= 100
    and coalesce((
      select pg_catalog.bool_and(
        h is not null
        and pg_catalog.char_length(h) <= 253
        and h operator(pg_catalog.~) '^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$')
      from pg_catalog.unnest(hosts) as h
    ), true)
$$;
comment on function private.are_valid_hostnames(text[]) is
  'Check: every entry is a lower-case hostname or IPv4 address (optionally *.domain); at most 100.';

/**
 * A website's language names the text search configuration its knowledge is indexed with
 * ('english', 'german', 'simple', …). Only the built-in configurations are accepted, so the name
 * always resolves the same way, whatever the search_path.
 */
create or replace function private.is_search_language(language text)
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select language operator(pg_catalog.~) '^[a-z_]{1,63}$'
    and exists (
      select 1
      from pg_catalog.pg_ts_config c
      join pg_catalog.pg_namespace n on n.oid = c.cfgnamespace
      where n.nspname = 'pg_catalog' and c.cfgname = language
    )
$$;
comment on function private.is_search_language(text) is
  'Check: the name of a built-in text search configuration (english, german, simple, ...).';

/**
 * The tsvector of a knowledge passage in its website's language. Declared immutable so that it can
 * compute a stored generated column: it only resolves built-in configurations (see
 * is_search_language), whose definitions never change. The language is kept as text rather than
 * `regconfig` on purpose: pg_upgrade refuses tables with reg* columns other than regclass/regtype/
 * regrole, and Supabase upgrades Postgres major versions with pg_upgrade.
 */
create or replace function private.to_search_vector(language text, content text)
  returns tsvector
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select pg_catalog.to_tsvector(language::pg_catalog.regconfig, content)
$$;
comment on function private.to_search_vector(text, text) is
  'The full-text vector of a passage in a built-in text search configuration given by name.';

-- Functions are executable by PUBLIC by default; here nobody gets one unless it is granted. Check
-- constraints, generated columns and policies run their functions as the caller, hence these grants.
revoke all on all functions in schema private from public, anon, authenticated, service_role;
grant execute on function
  private.is_anonymous_session(),
  private.are_valid_hostnames(text[]),
  private.is_search_language(text),
  private.to_search_vector(text, text)
to authenticated, service_role;
