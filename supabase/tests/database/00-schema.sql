-- The rules that hold for the whole schema: RLS on every table in public, every security definer
-- function in `private` with a fixed search_path, comments on every table and function, and no
-- way in for anon.
begin;
\ir _helpers.psql
select plan(23);

select has_table('public', t, format('table public.%s exists', t))
from unnest(array['websites', 'website_members', 'website_secrets', 'visitors', 'conversations',
  'messages', 'knowledge_sources', 'knowledge_chunks', 'usage_counters']) as t;

-- Fails as soon as any table in public (ours or anyone's, now or later) forgets RLS.
select is_empty(
  $$ select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity $$,
  'every table in public has row level security enabled'
);

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.prosecdef and p.pronamespace not in ('private'::regnamespace, 'tests'::regnamespace)
       and p.pronamespace in (select oid from pg_namespace where nspname in ('public', 'private')) $$,
  'security definer functions live in the private schema only'
);

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
       and not coalesce(p.proconfig @> array['search_path=""'], false) $$,
  'every function in public and private runs with search_path = '''''
);

select is_empty(
  $$ select c.relnamespace::regnamespace || '.' || c.relname from pg_class c
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and c.relkind in ('r', 'p', 'v', 'm') and obj_description(c.oid, 'pg_class') is null $$,
  'every table in public and private has a comment saying why it exists'
);

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
       and obj_description(p.oid, 'pg_proc') is null $$,
  'every function in public and private has a comment saying why it exists'
);

select is(has_schema_privilege('anon', 'private', 'usage'), false, 'anon cannot even look into the private schema');

select is_empty(
  $$ select table_name || ': ' || privilege_type from information_schema.role_table_grants
     where grantee = 'anon' and table_schema = 'public'
       -- The price list is public on purpose (the pricing page reads it before anyone signs up).
       and (table_name, privilege_type) <> ('plans', 'SELECT') $$,
  'anon has no privilege on any table in public, a new one included, but reading the plans'
);

select is_empty(
  $$ select table_name || ': ' || privilege_type from information_schema.role_table_grants
     where grantee = 'authenticated' and table_schema = 'public'
       and privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER') $$,
  'signed-in users cannot truncate (which would bypass RLS), reference or trigger any table in public'
);

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and has_function_privilege('anon', p.oid, 'execute') $$,
  'anon can execute no function in public'
);

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'private'::regnamespace
       and p.prorettype <> 'trigger'::regtype
       and has_function_privilege('public', p.oid, 'execute') $$,
  'no private function is executable by PUBLIC'
);

select is(has_function_privilege('authenticated', 'public.check_rate_limit(text, integer, integer)', 'execute'), false,
  'signed-in users cannot call the rate limiter (service role only)');
select is(has_function_privilege('authenticated', 'public.increment_usage(uuid, text, integer, bigint)', 'execute'), false,
  'signed-in users cannot count usage (service role only)');

-- `supabase db lint` checks plpgsql functions but skips trigger functions (plpgsql_check needs
-- their table). Check both here, with plpgsql_check's extra and security warnings too.
create extension if not exists plpgsql_check;
select is_empty(
  $$ select p.oid::regprocedure || ' on ' || t.tgrelid::regclass || ': ' || r.level || ' ' || r.message
     from pg_trigger t join pg_proc p on p.oid = t.tgfoid
     cross join lateral plpgsql_check_function_tb(p.oid, t.tgrelid, extra_warnings => true, security_warnings => true) r
     where not t.tgisinternal and p.prolang = (select oid from pg_language where lanname = 'plpgsql')
       and p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) $$,
  'every plpgsql trigger function passes plpgsql_check against its table'
);
select is_empty(
  $$ select p.oid::regprocedure || ': ' || r.level || ' ' || r.message
     from pg_proc p
     cross join lateral plpgsql_check_function_tb(p.oid, extra_warnings => true, security_warnings => true) r
     where p.prolang = (select oid from pg_language where lanname = 'plpgsql') and p.prorettype <> 'trigger'::regtype
       and p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) $$,
  'every other plpgsql function passes plpgsql_check with extra and security warnings'
);

select * from finish();
rollback;
