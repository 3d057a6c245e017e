-- Messages: who reads, who writes (agents only as themselves, only 'agent' messages), what never
-- changes, idempotency by client_id, and what a new message does to its conversation.
begin;
\ir _helpers.psql
select plan(41);
select tests.create_chat_fixture();

-- Visitor and AI messages are stored by the Edge Functions (service role).
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content, client_id) values
  (tests.id('conv_a'), 'user', 'Do you repair e-bikes?', '00000000-0000-4000-8000-0000000000a1');
insert into public.messages (conversation_id, sender, content, metadata) values
  (tests.id('conv_a'), 'assistant', 'Yes, we service e-bikes.', '{"sources": [{"title": "E-bikes"}], "model": "offline"}');
insert into public.messages (conversation_id, sender, content) values
  (tests.id('conv_c'), 'user', 'Hello from site B');
select tests.clear_authentication();

select is((select website_id from public.messages where content = 'Hello from site B'), tests.id('site_b'),
  'a message takes its website from its conversation');

-- ---------------------------------------------------------------- reading
select tests.authenticate_as('visitor_a');
select results_eq($$ select sender from public.messages order by created_at $$,
  $$ values ('user'::text), ('assistant') $$, 'visitor A reads the messages of their conversation');
select tests.authenticate_as('visitor_b');
select is_empty($$ select * from public.messages $$, 'visitor B reads none of visitor A''s messages');
select tests.authenticate_as('visitor_c');
select results_eq($$ select content from public.messages $$, $$ values ('Hello from site B'::text) $$,
  'visitor C reads only their own conversation''s messages');
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.messages), 2, 'owner A reads their website''s messages only');
select tests.authenticate_as('agent_a');
select is((select count(*)::int from public.messages), 2, 'an agent reads their website''s messages');
select tests.authenticate_as('owner_b');
select results_eq($$ select content from public.messages $$, $$ values ('Hello from site B'::text) $$,
  'owner B reads site B''s messages only');
select tests.authenticate_as('outsider');
select is_empty($$ select * from public.messages $$, 'a user of neither website reads none');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.messages $$, '42501', 'permission denied for table messages', 'anon reads none');

-- ---------------------------------------------------------------- writing
select tests.authenticate_as('visitor_a');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'user', 'direct') $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'a visitor cannot write a message directly (widget-messages validates and stores it)'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, author_id) values (tests.id('conv_a'), 'agent', 'fake agent', tests.uid('visitor_a')) $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'a visitor cannot pose as an agent'
);

select tests.authenticate_as('agent_a');
select lives_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'agent', 'Hi, Alex from the workshop here.') $$,
  'an agent writes an agent message (author defaults to the agent)'
);
select is((select author_id from public.messages where content like 'Hi, Alex%'), tests.uid('agent_a'),
  'the agent is its author');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'assistant', 'I am the AI') $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'an agent cannot write as the AI'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'user', 'I am the visitor') $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'an agent cannot write as the visitor'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, author_id) values (tests.id('conv_a'), 'agent', 'signed by the owner', tests.uid('owner_a')) $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'an agent cannot sign a message with someone else''s name'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, website_id, sender, content) values (tests.id('conv_c'), tests.id('site_a'), 'agent', 'sneaking in') $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'an agent cannot write into another website''s conversation, even naming their own website'
);
select tests.authenticate_as('owner_b');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'agent', 'hello from B') $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'another website''s owner cannot write into this conversation'
);
select tests.authenticate_as('outsider');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'agent', 'hi') $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'a signed-in stranger cannot write a message'
);
select tests.authenticate_as('anon');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'user', 'hi') $$,
  '42501', 'permission denied for table messages',
  'anon cannot write a message'
);

-- ---------------------------------------------------------------- editing
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ update public.messages set content = 'Hi, Alex from the workshop here!' where content like 'Hi, Alex%' $$,
  'an agent edits their own message'
);
update public.messages set content = 'rewritten' where sender = 'assistant';
select throws_ok(
  $$ update public.messages set sender = 'assistant' where content like 'Hi, Alex%' $$,
  '42501', 'permission denied for table messages',
  'nobody changes a message''s sender through REST'
);
select throws_ok(
  $$ update public.messages set conversation_id = tests.id('conv_b') where content like 'Hi, Alex%' $$,
  '42501', 'permission denied for table messages',
  'nobody moves a message to another conversation through REST'
);
select tests.authenticate_as('owner_a');
update public.messages set content = 'edited by the owner' where content like 'Hi, Alex%';
select tests.clear_authentication();
select is((select count(*)::int from public.messages where content in ('rewritten', 'edited by the owner')), 0,
  'members cannot edit the AI''s or another member''s messages');
select tests.authenticate_as('service_role');
select throws_ok(
  $$ update public.messages set sender = 'agent' where sender = 'assistant' $$,
  '42501', 'A message''s conversation, sender, author, client id and time cannot change',
  'not even the service role changes a message''s sender'
);
select throws_ok(
  $$ update public.messages set conversation_id = tests.id('conv_b'), website_id = tests.id('site_a') where sender = 'assistant' $$,
  '42501', 'A message''s conversation, sender, author, client id and time cannot change',
  'not even the service role moves a message'
);
select tests.authenticate_as('owner_a');
select throws_ok($$ delete from public.messages $$, '42501', 'permission denied for table messages',
  'nobody deletes messages through REST (owners delete whole conversations)');

-- ---------------------------------------------------------------- idempotency (client_id)
select tests.authenticate_as('service_role');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id) values (tests.id('conv_a'), 'user', 'Do you repair e-bikes?', '00000000-0000-4000-8000-0000000000a1') $$,
  '23505', null, 'the same client_id twice in a conversation is refused'
);
select is_empty(
  $$ insert into public.messages (conversation_id, sender, content, client_id) values (tests.id('conv_a'), 'user', 'Do you repair e-bikes?', '00000000-0000-4000-8000-0000000000a1')
     on conflict (conversation_id, client_id) do nothing returning id $$,
  'insert ... on conflict (conversation_id, client_id) do nothing stores no second row'
);
select lives_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id) values (tests.id('conv_b'), 'user', 'Same key elsewhere', '00000000-0000-4000-8000-0000000000a1') $$,
  'the same client_id in another conversation is another message'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------- order and "after a given id"
select results_eq(
  $$ select m.sender from public.messages m
     where m.conversation_id = tests.id('conv_a')
       and (m.created_at, m.id) > (select a.created_at, a.id from public.messages a where a.client_id = '00000000-0000-4000-8000-0000000000a1' and a.conversation_id = tests.id('conv_a'))
     order by m.created_at, m.id $$,
  $$ values ('assistant'::text), ('agent') $$,
  'messages after a given one, oldest first'
);

-- ---------------------------------------------------------------- the conversation follows its messages
select is(
  (select title || ' | ' || last_message_preview || ' | ' || last_message_sender from public.conversations where id = tests.id('conv_a')),
  'Do you repair e-bikes? | Hi, Alex from the workshop here! | agent',
  'the title comes from the first visitor message, the preview from the last message (as edited)'
);
select is(
  (select agent_unread_count || '/' || visitor_unread_count from public.conversations where id = tests.id('conv_a')),
  '1/2', 'unread: one visitor message for the agents, two answers for the visitor'
);
select ok((select last_message_at = (select max(created_at) from public.messages where conversation_id = tests.id('conv_a'))
  from public.conversations where id = tests.id('conv_a')), 'last_message_at is the last message''s time');

select tests.authenticate_as('agent_a');
update public.conversations set status = 'closed', ai_mode = 'paused' where id = tests.id('conv_a');
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'user', 'One more thing');
select is((select status from public.conversations where id = tests.id('conv_a')), 'open',
  'a visitor writing into a closed conversation reopens it');
select is((select needs_human from public.conversations where id = tests.id('conv_a')), true,
  'with the AI paused, a visitor message needs a human');
insert into public.messages (conversation_id, sender, content, author_id) values (tests.id('conv_a'), 'agent', 'On it.', tests.uid('agent_a'));
select is((select needs_human from public.conversations where id = tests.id('conv_a')), false,
  'an agent''s answer clears needs-a-human');
update public.websites set ai_enabled = false where id = tests.id('site_b');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_c'), 'user', 'Anyone there?');
select is((select needs_human from public.conversations where id = tests.id('conv_c')), true,
  'with the website''s AI off, a visitor message needs a human');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_c'), 'system', 'Visitor left the page');
select is((select last_message_preview from public.conversations where id = tests.id('conv_c')), 'Anyone there?',
  'system notices do not change the conversation');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_b'), 'user',
  E'  A very long first question that goes on and on about wheels, brakes, gears, chains and the weather\nsecond line');
select is((select title from public.conversations where id = tests.id('conv_b')), 'Same key elsewhere',
  'the title is set once, by the first visitor message');
select tests.clear_authentication();
select is(private.conversation_title(E'  A very long first question that goes on and on about wheels, brakes, gears, chains and the weather\nsecond line'),
  'A very long first question that goes on and on about wheels, brakes, gears, cha…',
  'a title is the first line, at most 80 characters');

select * from finish();
rollback;
