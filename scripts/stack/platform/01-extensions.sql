-- Platform bootstrap, part 2: the `extensions` schema, where hosted Supabase installs extensions
-- so that they stay out of `public` (and out of the REST API).
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
alter database postgres set search_path to "$user", public, extensions;
