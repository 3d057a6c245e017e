-- website_analytics (migration 20261126150100_analytics): conversations per day, messages by
-- sender, AI vs people, median first-response times; computed under the caller's RLS, refused to
-- non-members, bad arguments refused with invalid_parameter_value.
begin;
\ir _helpers.psql
select plan(24);
select tests.create_chat_fixture();

-- The fixture's conv_a and conv_b (site_a) and conv_c (site_b) start now, without messages.
-- Added, all in UTC: yesterday 10:00 an AI-only conversation (answer after 4 s); yesterday 11:00
-- one a person answered (AI after 2 s, agent after 60 s); today 00:00 an unanswered one; 30 days
-- ago an AI-only one (10 s); and on site_b a conversation that must never count for site_a.
create temporary table t as select date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' as today;
create function pg_temp.conversation(site text, visitor text, at timestamptz, replies jsonb) returns void
  language plpgsql as $$
declare
  conv uuid;
  r jsonb;
begin
  insert into public.conversations (website_id, visitor_id, created_at) values (tests.id(site), tests.uid(visitor), at) returning id into conv;
  insert into public.messages (conversation_id, sender, content, created_at) values (conv, 'user', 'Hello', at);
  for r in select * from jsonb_array_elements(replies) loop
    insert into public.messages (conversation_id, sender, content, created_at)
    values (conv, r ->> 0, 'Reply', at + make_interval(secs => (r ->> 1)::float8));
  end loop;
end;
$$;
select pg_temp.conversation('site_a', 'visitor_a', (select today from t) - interval '14 hours', '[["assistant", 4]]');
select pg_temp.conversation('site_a', 'visitor_b', (select today from t) - interval '13 hours', '[["assistant", 2], ["agent", 60]]');
select pg_temp.conversation('site_a', 'visitor_a', (select today from t), '[]');
select pg_temp.conversation('site_a', 'visitor_b', (select today from t) - interval '30 days' + interval '9 hours', '[["assistant", 10]]');
select pg_temp.conversation('site_b', 'visitor_c', (select today from t) - interval '13 hours', '[["agent", 1], ["agent", 2]]');

create temporary table week (a jsonb);
grant all on week to authenticated;
select tests.authenticate_as('owner_a');
insert into week select public.website_analytics(tests.id('site_a'), 7, 'UTC');
select tests.clear_authentication();

select is(jsonb_array_length((select a -> 'days' from week)), 7, 'seven days, today included');
select is((select a -> 'days' -> 6 ->> 'day' from week), (select to_char(today, 'YYYY-MM-DD') from t), 'the last day is today');
select is((select a -> 'totals' from week), jsonb_build_object(
    'conversations', 5, 'user_messages', 3, 'assistant_messages', 2, 'agent_messages', 1,
    'ai_only', 1, 'human', 1, 'unanswered', 1,
    'median_first_response_seconds', 3.0, 'median_agent_first_response_seconds', 60.0),
  'totals of the week: 5 conversations (2 without messages), messages by sender, AI alone / people / unanswered, medians');
select is((select a -> 'days' -> 5 from week), jsonb_build_object(
    'day', (select to_char(today - interval '1 day', 'YYYY-MM-DD') from t), 'conversations', 2,
    'user_messages', 2, 'assistant_messages', 2, 'agent_messages', 1,
    'ai_only', 1, 'human', 1, 'unanswered', 0, 'median_first_response_seconds', 3.0),
  'yesterday: two conversations, one handled by the AI alone and one by a person; median first response 3 s');
select is((select (a -> 'days' -> 6 ->> 'conversations')::int || ' ' || (a -> 'days' -> 6 ->> 'unanswered') from week), '3 1',
  'today: three conversations, one of them waiting for an answer');
select is((select a -> 'days' -> 6 -> 'median_first_response_seconds' from week), 'null'::jsonb,
  'no answer today: no median');
select is((select sum((d ->> 'conversations')::int)::int from week, jsonb_array_elements(a -> 'days') d), 5,
  'the days add up to the total');

select tests.authenticate_as('owner_a');
select is((public.website_analytics(tests.id('site_a'), 60, 'UTC') -> 'totals' ->> 'ai_only')::int, 2,
  'sixty days include the conversation of a month ago');
select is((public.website_analytics(tests.id('site_a'), 60, 'UTC') -> 'totals' ->> 'median_first_response_seconds')::numeric, 4.0,
  'and its 10 s first response moves the median to 4 s');
select is((public.website_analytics(tests.id('site_a')) -> 'days' -> 0 ->> 'day'),
  to_char(now() at time zone 'UTC' - interval '29 days', 'YYYY-MM-DD'), 'by default: thirty days in UTC');
select is((public.website_analytics(tests.id('site_a'), 2, 'Pacific/Kiritimati') ->> 'to'),
  to_char(now() at time zone 'Pacific/Kiritimati', 'YYYY-MM-DD'), 'days follow the time zone asked for (UTC+14)');

-- ---------------------------------------------------------------- who may ask
select tests.authenticate_as('agent_a');
select is(public.website_analytics(tests.id('site_a'), 7, 'UTC') -> 'totals', (select a -> 'totals' from week),
  'an agent of the website sees the same figures');
select tests.authenticate_as('owner_b');
select is((public.website_analytics(tests.id('site_b'), 7, 'UTC') -> 'totals' ->> 'agent_messages')::int, 2,
  'site_b''s owner sees only site_b''s messages');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 7, 'UTC') $$, '42501',
  'Only the website''s members can see its analytics', 'another website''s owner is refused');
select tests.authenticate_as('outsider');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 7, 'UTC') $$, '42501',
  'Only the website''s members can see its analytics', 'a signed-in outsider is refused');
select tests.authenticate_as('visitor_a');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 7, 'UTC') $$, '42501',
  'Only the website''s members can see its analytics', 'a visitor of the website is refused');
select tests.authenticate_as('anon');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 7, 'UTC') $$, '42501',
  null, 'anon may not even call it');

-- ---------------------------------------------------------------- bad arguments
select tests.authenticate_as('owner_a');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 0, 'UTC') $$, '22023',
  'days must be between 1 and 366', 'zero days');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 367, 'UTC') $$, '22023',
  'days must be between 1 and 366', 'more than a year');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 7, 'Mars/Olympus') $$, '22023',
  'Unknown time zone "Mars/Olympus"', 'an unknown time zone');
select throws_ok($$ select public.website_analytics(tests.id('site_a'), 7, 'UTC''; drop table x; --') $$, '22023',
  'time_zone must be an IANA time zone name such as Europe/Paris or UTC', 'a time zone that is not a name');
select throws_ok($$ select public.website_analytics(null, 7, 'UTC') $$, '22023',
  'site_id is required', 'no website');
select throws_ok($$ select public.website_analytics(gen_random_uuid(), 7, 'UTC') $$, '42501',
  'Only the website''s members can see its analytics', 'an unknown website looks like someone else''s');
select ok((select provolatile = 's' and not prosecdef from pg_proc where oid = 'public.website_analytics(uuid, integer, text)'::regprocedure),
  'stable and security invoker: RLS applies to what it reads');
select tests.clear_authentication();

select * from finish();
rollback;
