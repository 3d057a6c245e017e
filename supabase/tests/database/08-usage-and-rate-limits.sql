-- Usage counters and the rate limiter: service role only, counting right, refusing bad input.
-- (Concurrency is proven in 09-concurrency.sql.)
begin;
\ir _helpers.psql
select plan(29);
select tests.create_chat_fixture();

-- ---------------------------------------------------------------- rate limiter
select tests.authenticate_as('service_role');
create temporary table limiter_results (n int, allowed boolean, remaining int, retry_after_seconds int);
grant all on limiter_results to service_role;
insert into limiter_results select 1, r.* from public.check_rate_limit('test:burst', 3, 60) r;
insert into limiter_results select 2, r.* from public.check_rate_limit('test:burst', 3, 60) r;
insert into limiter_results select 3, r.* from public.check_rate_limit('test:burst', 3, 60) r;
insert into limiter_results select 4, r.* from public.check_rate_limit('test:burst', 3, 60) r;
select results_eq($$ select allowed, remaining from limiter_results order by n $$,
  $$ values (true, 2), (true, 1), (true, 0), (false, 0) $$,
  'three requests in the window pass, the fourth is refused');
select ok((select retry_after_seconds between 1 and 60 from limiter_results where n = 4),
  'a refused request learns when to retry (within the window)');
select is((select sum(retry_after_seconds)::int from limiter_results where allowed), 0, 'allowed requests have no retry-after');
select is((select allowed from public.check_rate_limit('test:other-key', 3, 60)), true, 'keys are counted separately');

-- A window that has passed starts again (the row is moved back in time to simulate it).
select tests.clear_authentication();
update private.rate_limits set window_start = window_start - interval '1 hour', expires_at = expires_at - interval '1 hour'
  where key = 'test:burst';
select tests.authenticate_as('service_role');
select results_eq($$ select allowed, remaining from public.check_rate_limit('test:burst', 3, 60) $$,
  $$ values (true, 2) $$, 'a new window starts a new count');

select throws_ok($$ select * from public.check_rate_limit('', 3, 60) $$, '22023', null, 'an empty key is refused');
select throws_ok($$ select * from public.check_rate_limit('k', 0, 60) $$, '22023', null, 'a limit below 1 is refused');
select throws_ok($$ select * from public.check_rate_limit('k', 3, 0) $$, '22023', null, 'an empty window is refused');
select throws_ok($$ select * from private.check_rate_limit('k', 3, interval '1 month') $$, '22023', null,
  'a window in months is refused (months have no fixed length)');

select tests.authenticate_as('owner_a');
select throws_ok($$ select * from public.check_rate_limit('test:burst', 1000, 60) $$, '42501',
  'permission denied for function check_rate_limit', 'a signed-in user cannot use the limiter (or reset someone''s)');
select throws_ok($$ select * from private.check_rate_limit('test:burst', 1000, interval '1 minute') $$, '42501',
  'permission denied for function check_rate_limit', 'nor its private implementation');
select tests.authenticate_as('visitor_a');
select throws_ok($$ select * from public.check_rate_limit('test:burst', 1000, 60) $$, '42501',
  'permission denied for function check_rate_limit', 'a visitor cannot use the limiter');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.check_rate_limit('test:burst', 1000, 60) $$, '42501',
  'permission denied for function check_rate_limit', 'anon cannot use the limiter');
select throws_ok($$ select * from private.rate_limits $$, '42501', 'permission denied for schema private',
  'the limiter''s table is out of every API role''s reach');

-- ---------------------------------------------------------------- usage
select tests.authenticate_as('service_role');
select results_eq($$ select allowed, used from public.increment_usage(tests.id('site_a')) $$,
  $$ values (true, 1::bigint) $$, 'one AI answer is counted');
select results_eq($$ select allowed, used from public.increment_usage(tests.id('site_a'), 'ai_answers', 2, 5) $$,
  $$ values (true, 3::bigint) $$, 'two more, within a quota of 5');
select results_eq($$ select allowed, used from public.increment_usage(tests.id('site_a'), 'ai_answers', 3, 5) $$,
  $$ values (false, 3::bigint) $$, 'three more would exceed the quota: refused, nothing counted');
select results_eq($$ select allowed, used from public.increment_usage(tests.id('site_a'), 'ai_answers', 2, 5) $$,
  $$ values (true, 5::bigint) $$, 'exactly reaching the quota is allowed');
select results_eq($$ select allowed, used from public.increment_usage(tests.id('site_a'), 'ai_answers', 0, 5) $$,
  $$ values (true, 5::bigint) $$, 'amount 0 reads the usage');
select results_eq($$ select allowed, used from public.increment_usage(tests.id('site_b'), 'ai_answers', 1, 5) $$,
  $$ values (true, 1::bigint) $$, 'another account has its own count');
select throws_ok($$ select * from public.increment_usage(gen_random_uuid()) $$, 'P0002', null, 'an unknown website is refused');
select throws_ok($$ select * from public.increment_usage(tests.id('site_a'), 'ai_answers', -1) $$, '22023', null,
  'a negative amount is refused');
select tests.clear_authentication();
select results_eq(
  $$ select account_id, metric, period_start, count from public.usage_counters where website_id = tests.id('site_a') $$,
  $$ values (tests.uid('owner_a'), 'ai_answers'::text, date_trunc('month', now() at time zone 'utc')::date, 5::bigint) $$,
  'usage is stored per account, metric and calendar month (UTC)'
);

select tests.authenticate_as('owner_a');
select is((select sum(count)::int from public.usage_counters), 5, 'the account holder reads their usage');
select throws_ok($$ select * from public.increment_usage(tests.id('site_a')) $$, '42501',
  'permission denied for function increment_usage', 'an owner cannot count usage themselves');
select tests.authenticate_as('agent_a');
select is_empty($$ select * from public.usage_counters $$, 'an agent does not see the account''s usage');
select tests.authenticate_as('owner_b');
select is((select sum(count)::int from public.usage_counters), 1, 'owner B sees only their own account''s usage');
select tests.authenticate_as('visitor_a');
select is_empty($$ select * from public.usage_counters $$, 'a visitor sees no usage');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.usage_counters $$, '42501', 'permission denied for table usage_counters',
  'anon reads no usage');
select tests.clear_authentication();

select * from finish();
rollback;
