-- 20 concurrent callers at a limit never get past it: the rate limiter and the usage quota, each
-- called from 20 separate sessions (dblink) that wait at one gate and are released together.
-- Those sessions commit on their own, so this file commits a small fixture first (an account and
-- its website) and deletes it, with everything it produced, at the end.

select gen_random_uuid() as account_id, gen_random_uuid() as website_id,
  'concurrency-test:' || gen_random_uuid() as rate_key \gset
insert into auth.users (id, aud, role, email, is_anonymous, created_at, updated_at)
  values (:'account_id', 'authenticated', 'authenticated', :'account_id' || '@test.emily.local', false, now(), now());
insert into public.websites (id, account_id, name) values (:'website_id', :'account_id', 'Concurrency test');

begin;
\ir _helpers.psql
select plan(6);
create extension if not exists dblink with schema extensions;

-- Runs `query` in `workers` sessions at once; returns how many of them answered true, and whether
-- all of them were waiting at the gate together before being released. `query` is a select of one
-- boolean whose arguments contain {gate} (an empty string known only once the gate opens), so that
-- no session can compute its answer before the gate.
create function tests.race(query text, workers integer, out allowed integer, out released_together boolean)
  language plpgsql
as $$
declare
  conninfo text := format('host=%s port=%s dbname=%s user=postgres password=postgres',
    coalesce(host(inet_server_addr()), split_part(current_setting('unix_socket_directories'), ',', 1)),
    current_setting('port'), current_database());
  gated text := format(
    'select r.answer from (select pg_catalog.pg_advisory_xact_lock_shared(4242)::text) as gate(g) '
    'cross join lateral (%s) as r(answer)', replace(query, '{gate}', 'gate.g'));
  waiting integer;
  answer boolean;
  deadline timestamptz := clock_timestamp() + interval '20 seconds';
begin
  perform pg_advisory_lock(4242);
  for i in 1..workers loop
    perform extensions.dblink_connect('race' || i, conninfo);
    perform extensions.dblink_send_query('race' || i, gated);
  end loop;
  loop
    select count(*) into waiting from pg_locks
    where locktype = 'advisory' and objid = 4242 and mode = 'ShareLock' and not granted;
    exit when waiting = workers or clock_timestamp() > deadline;
    perform pg_sleep(0.01);
  end loop;
  released_together := waiting = workers;
  perform pg_advisory_unlock(4242);
  allowed := 0;
  for i in 1..workers loop
    select t.answer into answer from extensions.dblink_get_result('race' || i) as t(answer boolean);
    allowed := allowed + case when answer then 1 else 0 end;
    perform extensions.dblink_disconnect('race' || i);
  end loop;
end;
$$;

create temporary table rate_race as
  select * from tests.race(format('select allowed from private.check_rate_limit(%L || {gate}, 5, interval ''1 minute'')', :'rate_key'), 20);
select is((select released_together from rate_race), true, '20 sessions hit the rate limiter at the same moment');
select is((select allowed from rate_race), 5, 'exactly 5 of 20 concurrent requests pass a limit of 5');

create temporary table usage_race as
  select * from tests.race(format('select allowed from private.increment_usage(%L, ''ai_answers'' || {gate}, 1, 5)', :'website_id'), 20);
select is((select released_together from usage_race), true, '20 sessions count usage at the same moment');
select is((select allowed from usage_race), 5, 'exactly 5 of 20 concurrent AI answers fit a quota of 5');
select is((select sum(count)::int from public.usage_counters where account_id = :'account_id'), 5,
  'the stored usage is exactly the quota, never more');
select is((select count from private.rate_limits where key = :'rate_key'), 20, 'the limiter counted every request');

select * from finish();
rollback;

-- The fixture and what the sessions committed.
delete from private.rate_limits where key = :'rate_key';
delete from auth.users where id = :'account_id';
