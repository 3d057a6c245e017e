-- Database broadcasts (contract §6): each message and conversation change becomes a
-- realtime.messages row on the right private topic with the right event and payload — also when
-- the change is made by an agent through REST (role authenticated), which cannot write those topics.
begin;
\ir _helpers.psql
select plan(30);
select tests.create_chat_fixture();

create temporary table topics as select
  'conversation:' || tests.id('conv_a') as conv_a,
  'website:' || tests.id('site_a') as site_a;
grant select on topics to anon, authenticated, service_role;

-- ---------------------------------------------------------------- a new conversation
select is(
  (select count(*)::int from tests.broadcasts((select site_a from topics), 'conversation') b where b.payload ->> 'id' = tests.id('conv_a')::text),
  1, 'a new conversation is broadcast to website:ID as "conversation"');
select is(
  (select count(*)::int from tests.broadcasts((select conv_a from topics), 'conversation')),
  0, 'nobody listens on conversation:ID before it exists: no broadcast there');

-- ---------------------------------------------------------------- an agent's message, written through REST
delete from realtime.messages;
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id) values (tests.id('conv_a'), 'agent', 'Hello, this is Alex.', '00000000-0000-4000-8000-00000000a9e1') $$,
  'an agent writes a message as the authenticated role'
);
select tests.clear_authentication();
create temporary table agent_message as select * from public.messages where client_id = '00000000-0000-4000-8000-00000000a9e1';

select is((select count(*)::int from tests.broadcasts((select conv_a from topics), 'message')), 1,
  'the agent''s message reaches conversation:ID (the trigger is security definer: not dropped by RLS)');
select is((select payload from tests.broadcasts((select conv_a from topics), 'message')),
  (select private.visitor_message_payload(m) from public.messages m where m.id = (select id from agent_message)),
  'its payload is the message in its visitor-safe form (see 62-visitor-safe-broadcasts.sql)');
select is((select payload ->> 'sender' || ' ' || (payload ? 'author_id')::text from tests.broadcasts((select conv_a from topics), 'message')),
  'agent false', 'with the sender, without the author''s user id');
select is((select count(*)::int from tests.broadcasts((select site_a from topics), 'message')), 1,
  'the message reaches website:ID too (the inbox)');
select is((select payload from tests.broadcasts((select site_a from topics), 'message')),
  (select to_jsonb(m) from agent_message m), 'with the same payload');
select is((select payload ->> 'last_message_preview' from tests.broadcasts((select site_a from topics), 'conversation')),
  'Hello, this is Alex.', 'the conversation it changed reaches website:ID as "conversation", as changed');
select is((select payload from tests.broadcasts((select site_a from topics), 'conversation')),
  (select to_jsonb(c) from public.conversations c where c.id = tests.id('conv_a')), 'its payload is the conversation row');
select ok((select bool_and(private and extension = 'broadcast') from realtime.messages), 'every broadcast is private');
select is((select count(*)::int from realtime.messages), 3,
  'one message costs three broadcasts (message ×2, conversation ×1) when the visitor''s view did not change');

-- ---------------------------------------------------------------- a visitor's message (service role)
delete from realtime.messages;
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_a'), 'user', 'Can I book a repair for Saturday?');
select tests.clear_authentication();
select is((select payload ->> 'content' from tests.broadcasts((select conv_a from topics), 'message')),
  'Can I book a repair for Saturday?', 'a visitor message reaches conversation:ID');
select is((select payload ->> 'sender' from tests.broadcasts((select site_a from topics), 'message')), 'user',
  'and website:ID');
select is((select payload ->> 'title' from tests.broadcasts((select conv_a from topics), 'conversation')),
  'Can I book a repair for Saturday?', 'the first visitor message titles the conversation: conversation:ID hears of it');
select is((select (payload ->> 'agent_unread_count')::int from tests.broadcasts((select site_a from topics), 'conversation')), 1,
  'the inbox hears of the new unread message');

-- ---------------------------------------------------------------- editing a message
delete from realtime.messages;
select tests.authenticate_as('agent_a');
update public.messages set content = 'Hello, this is Alex from the workshop.' where client_id = '00000000-0000-4000-8000-00000000a9e1';
select tests.clear_authentication();
select is((select payload ->> 'content' from tests.broadcasts((select conv_a from topics), 'message')),
  'Hello, this is Alex from the workshop.', 'an edited message is broadcast again to conversation:ID');
select is((select count(*)::int from tests.broadcasts((select site_a from topics), 'message')), 0,
  'website:ID gets messages on insert only');
delete from realtime.messages;
select tests.authenticate_as('agent_a');
update public.messages set content = content where client_id = '00000000-0000-4000-8000-00000000a9e1';
select tests.clear_authentication();
select is((select count(*)::int from realtime.messages), 0, 'an update that changes nothing broadcasts nothing');

-- ---------------------------------------------------------------- conversation changes by a member
delete from realtime.messages;
select tests.authenticate_as('agent_a');
update public.conversations set ai_mode = 'paused' where id = tests.id('conv_a');
select tests.clear_authentication();
select is((select payload ->> 'ai_mode' from tests.broadcasts((select conv_a from topics), 'conversation')), 'paused',
  'pausing the AI reaches the visitor on conversation:ID as "conversation"');
select is((select payload ->> 'ai_mode' from tests.broadcasts((select site_a from topics), 'conversation')), 'paused',
  'and the inbox on website:ID');
select is((select payload ->> 'id' from tests.broadcasts((select conv_a from topics), 'conversation')), tests.id('conv_a')::text,
  'the payload is the conversation row (with its id)');

delete from realtime.messages;
select tests.authenticate_as('visitor_a');
select public.mark_conversation_read(tests.id('conv_a'));
select tests.clear_authentication();
select ok((select payload ->> 'visitor_last_read_at' from tests.broadcasts((select conv_a from topics), 'conversation')) is not null,
  'the visitor reading the conversation is broadcast (agents see "seen")');
delete from realtime.messages;
select tests.authenticate_as('visitor_a');
select public.mark_conversation_read(tests.id('conv_a'));
select tests.clear_authentication();
select is((select count(*)::int from realtime.messages), 0, 'reading it again with nothing new broadcasts nothing');

-- ---------------------------------------------------------------- other websites' topics stay quiet
delete from realtime.messages;
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_c'), 'user', 'Site B question');
select tests.clear_authentication();
select is((select count(*)::int from realtime.messages where topic in ((select conv_a from topics), (select site_a from topics))), 0,
  'a message on site B sends nothing to site A''s topics');
select is((select count(*)::int from realtime.messages where topic = 'website:' || tests.id('site_b')), 2,
  'it goes to site B''s website topic (message and conversation)');

-- ---------------------------------------------------------------- the broadcasts reach exactly the right subscribers
select is(tests.can_read_topic('owner_b', 'website:' || tests.id('site_b')), true, 'owner B may join where it went');
select tests.authenticate_as('owner_b');
select set_config('realtime.topic', 'website:' || tests.id('site_b'), true);
select is((select count(*)::int from realtime.messages where extension = 'broadcast' and event in ('message', 'conversation')), 2,
  'owner B, joined to website:B, reads both broadcasts');
select tests.authenticate_as('visitor_c');
select set_config('realtime.topic', 'conversation:' || tests.id('conv_c'), true);
select is((select count(*)::int from realtime.messages where event = 'message'), 1,
  'visitor C, joined to their conversation, reads the message');
select tests.authenticate_as('owner_a');
select set_config('realtime.topic', 'website:' || tests.id('site_b'), true);
select is((select count(*)::int from realtime.messages), 0, 'owner A reads nothing of website:B');
select tests.clear_authentication();

select * from finish();
rollback;
