-- The widget-messages storage functions (migration 20261126130000_widget_messages.sql):
-- idempotent visitor messages by client_id, one answer per derived client_id, the failure flag,
-- and that no API role can call any of them (only the Edge Function's service connection).
begin;
\ir _helpers.psql
select plan(22);
select tests.create_chat_fixture();

create temporary table results (name text primary key, result jsonb);

-- ---------------------------------------------------------------- store_visitor_message
insert into results select 'first', private.store_visitor_message(
  tests.id('site_a'), tests.uid('visitor_a'), null, '11111111-1111-4111-8111-111111111111',
  'Do you repair e-bikes?', 'fr-CA', 'https://site-a.example/repairs', 'Mozilla/5.0');

select is((select result ->> 'duplicate' from results where name = 'first'), 'false', 'a new client_id stores a new message');
select isnt((select (result -> 'conversation' ->> 'id')::uuid from results where name = 'first'), tests.id('conv_a'),
  'without conversation_id a new conversation is created');
select is((select result -> 'message' ->> 'sender' from results where name = 'first'), 'user', 'the message is the visitor''s');
select is((select result -> 'conversation' ->> 'title' from results where name = 'first'), 'Do you repair e-bikes?',
  'the returned conversation already has its title (trigger ran)');
select results_eq(
  $$ select locale, last_page_url, user_agent from public.visitors
     where website_id = tests.id('site_a') and user_id = tests.uid('visitor_a') $$,
  $$ values ('fr-CA'::text, 'https://site-a.example/repairs'::text, 'Mozilla/5.0'::text) $$,
  'the visit is recorded on the visitor row');

-- The same send again, still without the conversation id (the widget had not learnt it yet).
insert into results select 'again', private.store_visitor_message(
  tests.id('site_a'), tests.uid('visitor_a'), null, '11111111-1111-4111-8111-111111111111',
  'Do you repair e-bikes?', null, null, null);
select is((select result ->> 'duplicate' from results where name = 'again'), 'true', 'the same client_id is a duplicate');
select is((select result -> 'message' ->> 'id' from results where name = 'again'),
  (select result -> 'message' ->> 'id' from results where name = 'first'), 'the duplicate returns the stored message');
select is((select result -> 'conversation' ->> 'id' from results where name = 'again'),
  (select result -> 'conversation' ->> 'id' from results where name = 'first'), 'and its conversation; no second conversation');
select is((select count(*)::int from public.messages where client_id = '11111111-1111-4111-8111-111111111111'), 1,
  'one row for one client_id');
select is((select locale from public.visitors where website_id = tests.id('site_a') and user_id = tests.uid('visitor_a')), 'fr-CA',
  'a duplicate does not erase what was recorded');

-- An existing conversation of the visitor.
insert into results select 'in_conv', private.store_visitor_message(
  tests.id('site_a'), tests.uid('visitor_a'), tests.id('conv_a'), '22222222-2222-4222-8222-222222222222', 'Hello again', 'not a locale!', null, null);
select is((select (result -> 'message' ->> 'conversation_id')::uuid from results where name = 'in_conv'), tests.id('conv_a'),
  'with conversation_id the message goes into that conversation');
select is((select locale from public.visitors where website_id = tests.id('site_a') and user_id = tests.uid('visitor_a')), 'fr-CA',
  'a malformed locale is ignored, never stored');

select throws_ok(
  $$ select private.store_visitor_message(tests.id('site_a'), tests.uid('visitor_b'), tests.id('conv_a'),
       '33333333-3333-4333-8333-333333333333', 'sneaky', null, null, null) $$,
  'P0002', 'conversation_not_found', 'another visitor''s conversation is refused like a missing one');
select throws_ok(
  $$ select private.store_visitor_message(tests.id('site_b'), tests.uid('visitor_a'), tests.id('conv_a'),
       '44444444-4444-4444-8444-444444444444', 'wrong site', null, null, null) $$,
  'P0002', 'conversation_not_found', 'a conversation of another website is refused');
select is((select count(*)::int from public.messages where content in ('sneaky', 'wrong site')), 0, 'nothing was stored by refused calls');

-- ---------------------------------------------------------------- store_assistant_message
insert into results select 'answer1', private.store_assistant_message(
  tests.id('conv_a'), '55555555-5555-4555-8555-555555555555', 'Yes, we do. [1]', '{"sources":[{"title":"Repairs"}],"model":"m"}');
insert into results select 'answer2', private.store_assistant_message(
  tests.id('conv_a'), '55555555-5555-4555-8555-555555555555', 'A second, different answer', '{}');
select is((select result ->> 'id' from results where name = 'answer2'), (select result ->> 'id' from results where name = 'answer1'),
  'a second answer with the same client_id returns the first one');
select results_eq(
  $$ select sender, content, metadata -> 'sources' -> 0 ->> 'title' from public.messages
     where client_id = '55555555-5555-4555-8555-555555555555' $$,
  $$ values ('assistant'::text, 'Yes, we do. [1]'::text, 'Repairs'::text) $$,
  'exactly one answer is stored, with its metadata');

-- ---------------------------------------------------------------- mark_ai_failed
update public.conversations set needs_human = false where id = tests.id('conv_a');
select private.mark_ai_failed((select (result -> 'message' ->> 'id')::uuid from results where name = 'in_conv'), 'ai_timeout');
select is((select metadata -> 'ai' ->> 'status' from public.messages where client_id = '22222222-2222-4222-8222-222222222222'), 'failed',
  'the failure is noted on the visitor message');
select is((select needs_human from public.conversations where id = tests.id('conv_a')), true, 'the conversation is flagged for a human');

-- ---------------------------------------------------------------- nobody else may call them
select tests.authenticate_as('visitor_a');
select throws_ok(
  $$ select private.store_visitor_message(tests.id('site_a'), tests.uid('visitor_a'), null, gen_random_uuid(), 'x', null, null, null) $$,
  '42501', null, 'a visitor cannot store messages directly');
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ select private.store_assistant_message(tests.id('conv_a'), gen_random_uuid(), 'fake AI answer', '{}') $$,
  '42501', null, 'an owner cannot forge AI answers');
select tests.authenticate_as('service_role');
select throws_ok(
  $$ select private.mark_ai_failed(gen_random_uuid(), 'x') $$,
  '42501', null, 'the REST service role cannot call them either (only the functions'' own connection)');

select * from finish();
rollback;
