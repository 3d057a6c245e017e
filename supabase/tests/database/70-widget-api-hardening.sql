-- Migration 20261128120000_widget_api_hardening.sql (security review M5): a visitor message can
-- never carry an answer's derived (version 5) client_id, store_assistant_message never returns a
-- message that is not an answer, and mark_conversation_read answers PT404 (PostgREST's 404) for a
-- conversation the caller cannot see, instead of no_data_found (a 500).
begin;
\ir _helpers.psql
select plan(15);
select tests.create_chat_fixture();

-- ---------------------------------------------------------------- derived ids are reserved
select throws_ok(
  $$ select private.store_visitor_message(tests.id('site_a'), tests.uid('visitor_a'), tests.id('conv_a'),
       'aaaaaaaa-aaaa-5aaa-8aaa-aaaaaaaaaaaa', 'planted', null, null, null) $$,
  '23514', null, 'a visitor message cannot take a version-5 (answer) client_id');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id)
     values (tests.id('conv_a'), 'user', 'planted directly', 'bbbbbbbb-bbbb-5bbb-8bbb-bbbbbbbbbbbb') $$,
  '23514', null, 'not even inserted directly');
select lives_ok(
  $$ select private.store_visitor_message(tests.id('site_a'), tests.uid('visitor_a'), tests.id('conv_a'),
       'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'a normal message', null, null, null) $$,
  'a random (version 4) client_id is stored as before');
select lives_ok(
  $$ select private.store_assistant_message(tests.id('conv_a'), 'dddddddd-dddd-5ddd-8ddd-dddddddddddd', 'An answer', '{}') $$,
  'answers keep their derived version-5 ids');
select is((select count(*)::int from public.messages where content in ('planted', 'planted directly')), 0, 'nothing planted was stored');

-- ---------------------------------------------------------------- store_assistant_message returns answers only
insert into public.messages (conversation_id, sender, content, client_id, author_id)
values (tests.id('conv_a'), 'agent', 'A person answers', 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', tests.uid('agent_a'));
select throws_ok(
  $$ select private.store_assistant_message(tests.id('conv_a'), 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', 'AI text', '{}') $$,
  '23505', null, 'a client_id taken by another kind of message is a unique violation, not that message returned as the answer');
select is((select sender || ': ' || content from public.messages where client_id = 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee'),
  'agent: A person answers', 'and that message is untouched');
select is(
  (select private.store_assistant_message(tests.id('conv_a'), 'dddddddd-dddd-5ddd-8ddd-dddddddddddd', 'Another answer', '{}') ->> 'content'),
  'An answer', 'the same answer id still returns the stored answer (idempotent retry)');
select is(private.store_assistant_message(gen_random_uuid(), gen_random_uuid(), 'x', '{}') ->> 'id', null,
  'an unknown conversation stores nothing (no row returned), as before');

-- ---------------------------------------------------------------- mark_conversation_read: PT404, not P0002
select tests.authenticate_as('visitor_c');
select throws_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'PT404', 'Conversation not found',
  'another visitor''s conversation: PT404 (PostgREST: 404)');
select throws_ok($$ select public.mark_conversation_read(gen_random_uuid()) $$, 'PT404', 'Conversation not found',
  'an unknown conversation: the same PT404');
select tests.authenticate_as('owner_b');
select throws_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'PT404', 'Conversation not found',
  'another website''s owner: PT404');
select tests.authenticate_as('visitor_a');
select lives_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'the conversation''s visitor still marks it read');
select tests.clear_authentication();

select is(
  (select p.prosecdef and p.proconfig = array['search_path=""'] from pg_proc p where p.oid = 'private.mark_conversation_read(uuid)'::regprocedure),
  true, 'still security definer with an empty search_path');
select is(has_function_privilege('anon', 'public.mark_conversation_read(uuid)', 'execute'), false, 'anon still cannot call it');

select * from finish();
rollback;
