-- Conversations: visitors read their own, members read and manage their websites', nobody else
-- gets in; read markers through mark_conversation_read.
begin;
\ir _helpers.psql
select plan(33);
select tests.create_chat_fixture();

-- ---------------------------------------------------------------- reading
select tests.authenticate_as('visitor_a');
select results_eq($$ select id from public.conversations $$, $$ values (tests.id('conv_a')) $$,
  'visitor A reads their own conversation only');
select tests.authenticate_as('visitor_b');
select results_eq($$ select id from public.conversations $$, $$ values (tests.id('conv_b')) $$,
  'visitor B reads their own conversation only, on the same website');
select tests.authenticate_as('visitor_c');
select results_eq($$ select id from public.conversations $$, $$ values (tests.id('conv_c')) $$,
  'visitor C (another website) reads their own only');
select tests.authenticate_as('owner_a');
select set_eq($$ select id from public.conversations $$, array[tests.id('conv_a'), tests.id('conv_b')],
  'owner A reads every conversation of their website and none of site B');
select tests.authenticate_as('agent_a');
select set_eq($$ select id from public.conversations $$, array[tests.id('conv_a'), tests.id('conv_b')],
  'an agent reads every conversation of their website');
select tests.authenticate_as('owner_b');
select results_eq($$ select id from public.conversations $$, $$ values (tests.id('conv_c')) $$,
  'owner B reads site B''s conversation only');
select tests.authenticate_as('outsider');
select is_empty($$ select * from public.conversations $$, 'a user of neither website reads none');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.conversations $$, '42501', 'permission denied for table conversations',
  'anon reads nothing');
select tests.authenticate_as('service_role');
select is((select count(*)::int from public.conversations where id in (tests.id('conv_a'), tests.id('conv_c'))), 2,
  'the service role reads every conversation');

-- ---------------------------------------------------------------- visitors never write
select tests.authenticate_as('visitor_a');
select throws_ok(
  $$ insert into public.conversations (website_id, visitor_id) values (tests.id('site_a'), tests.uid('visitor_a')) $$,
  '42501', 'permission denied for table conversations',
  'a visitor cannot create a conversation directly (the Edge Function does)'
);
update public.conversations set ai_mode = 'paused', needs_human = true where id = tests.id('conv_a');
select tests.clear_authentication();
select is((select ai_mode || ' ' || needs_human from public.conversations where id = tests.id('conv_a')), 'auto false',
  'a visitor cannot pause the AI or flag their conversation');
select tests.authenticate_as('visitor_a');
delete from public.conversations where id = tests.id('conv_a');
select tests.clear_authentication();
select is((select count(*)::int from public.conversations where id = tests.id('conv_a')), 1,
  'a visitor cannot delete their conversation');

-- ---------------------------------------------------------------- members manage
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ update public.conversations set ai_mode = 'paused', assignee_id = tests.uid('agent_a') where id = tests.id('conv_a') $$,
  'an agent pauses the AI and takes the conversation'
);
select throws_ok(
  $$ update public.conversations set assignee_id = tests.uid('owner_b') where id = tests.id('conv_a') $$,
  '23503', null, 'a conversation can only be assigned to a member of its website'
);
select throws_ok(
  $$ update public.conversations set visitor_id = tests.uid('visitor_b') where id = tests.id('conv_a') $$,
  '42501', 'permission denied for table conversations',
  'nobody moves a conversation to another visitor through REST'
);
select throws_ok(
  $$ update public.conversations set agent_unread_count = 0 where id = tests.id('conv_a') $$,
  '42501', 'permission denied for table conversations',
  'counters are the triggers'' business'
);
select lives_ok($$ update public.conversations set status = 'closed' where id = tests.id('conv_b') $$,
  'an agent closes a conversation');
update public.conversations set ai_mode = 'paused' where id = tests.id('conv_c');
delete from public.conversations where id = tests.id('conv_a');
select tests.clear_authentication();
select is((select ai_mode || ' ' || assignee_id::text from public.conversations where id = tests.id('conv_a')),
  'paused ' || tests.uid('agent_a')::text, 'the agent''s changes are stored');
select ok((select closed_at is not null from public.conversations where id = tests.id('conv_b')),
  'closing a conversation stamps closed_at');
select is((select ai_mode from public.conversations where id = tests.id('conv_c')), 'auto',
  'an agent cannot change another website''s conversation');
select is((select count(*)::int from public.conversations where id = tests.id('conv_a')), 1,
  'an agent cannot delete a conversation');

select tests.authenticate_as('owner_b');
update public.conversations set ai_mode = 'paused' where id = tests.id('conv_b');
delete from public.conversations where id = tests.id('conv_b');
select tests.clear_authentication();
select is((select ai_mode || ' ' || count(*) over () from public.conversations where id = tests.id('conv_b')), 'auto 1',
  'another website''s owner can neither change nor delete a conversation');

select tests.authenticate_as('service_role');
select throws_ok(
  $$ update public.conversations set website_id = tests.id('site_b') where id = tests.id('conv_a') $$,
  '42501', 'A conversation''s id, website, visitor and creation time cannot change',
  'not even the service role moves a conversation to another website'
);

select tests.authenticate_as('owner_a');
select lives_ok($$ delete from public.conversations where id = tests.id('conv_b') $$, 'an owner deletes a conversation');
select tests.clear_authentication();
select is((select count(*)::int from public.conversations where id = tests.id('conv_b')), 0, 'it is gone');

-- ---------------------------------------------------------------- read markers
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content) values
  (tests.id('conv_a'), 'user', 'Hello?'),
  (tests.id('conv_a'), 'assistant', 'Hi, how can I help?');
select tests.clear_authentication();
select is((select visitor_unread_count || '/' || agent_unread_count from public.conversations where id = tests.id('conv_a')), '1/1',
  'each side has one unread message');

select tests.authenticate_as('visitor_a');
select lives_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'the visitor marks it read');
select tests.clear_authentication();
select is((select visitor_unread_count || '/' || agent_unread_count || ' ' || (visitor_last_read_at is not null)
  from public.conversations where id = tests.id('conv_a')), '0/1 true', 'only the visitor''s side is read');

select tests.authenticate_as('agent_a');
select lives_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'an agent marks it read');
select tests.clear_authentication();
select is((select visitor_unread_count || '/' || agent_unread_count || ' ' || (agent_last_read_at is not null)
  from public.conversations where id = tests.id('conv_a')), '0/0 true', 'now the agents'' side is read too');

select tests.authenticate_as('visitor_c');
select throws_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'PT404', 'Conversation not found',
  'another visitor cannot touch it (and learns nothing: it looks missing)');
select tests.authenticate_as('owner_b');
select throws_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, 'PT404', 'Conversation not found',
  'another website''s owner cannot touch it');
select tests.authenticate_as('anon');
select throws_ok($$ select public.mark_conversation_read(tests.id('conv_a')) $$, '42501',
  'permission denied for function mark_conversation_read', 'anon cannot call it');

select * from finish();
rollback;
