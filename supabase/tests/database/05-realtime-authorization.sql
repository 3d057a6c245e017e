-- Private realtime topics (contract §6), checked the way the Realtime server checks them: probe
-- rows in realtime.messages with realtime.topic set, a SELECT as the user to join (read) and an
-- INSERT as the user to send (write). See tests.can_read_topic / tests.can_write_topic.
begin;
\ir _helpers.psql
select plan(59);
select tests.create_chat_fixture();

create temporary table topics as select
  'conversation:' || tests.id('conv_a') as conv_a,
  'conversation:' || tests.id('conv_a') || ':live' as live_a,
  'conversation:' || tests.id('conv_c') as conv_c,
  'conversation:' || tests.id('conv_c') || ':live' as live_c,
  'website:' || tests.id('site_a') as site_a,
  'website:' || tests.id('site_b') as site_b;
grant select on topics to anon, authenticated, service_role;

-- ---------------------------------------------------------------- conversation:ID (read: its visitor and its website's members; write: nobody)
select is(tests.can_read_topic('visitor_a', (select conv_a from topics)), true, 'conversation:ID — its visitor may join');
select is(tests.can_read_topic('visitor_a', (select conv_a from topics), 'presence'), true, 'conversation:ID — its visitor may read presence');
select is(tests.can_read_topic('owner_a', (select conv_a from topics)), true, 'conversation:ID — the website''s owner may join');
select is(tests.can_read_topic('agent_a', (select conv_a from topics)), true, 'conversation:ID — the website''s agent may join');
select is(tests.can_read_topic('visitor_b', (select conv_a from topics)), false, 'conversation:ID — another visitor of the same website may not join');
select is(tests.can_read_topic('visitor_c', (select conv_a from topics)), false, 'conversation:ID — a visitor of another website may not join');
select is(tests.can_read_topic('owner_b', (select conv_a from topics)), false, 'conversation:ID — another website''s owner may not join');
select is(tests.can_read_topic('outsider', (select conv_a from topics)), false, 'conversation:ID — a signed-in stranger may not join');
select is(tests.can_read_topic('anon', (select conv_a from topics)), false, 'conversation:ID — anon may not join');
select is(tests.can_read_topic('owner_b', (select conv_c from topics)), true, 'conversation:ID — owner B may join site B''s conversation');
select is(tests.can_read_topic('owner_a', (select conv_c from topics)), false, 'conversation:ID — owner A may not join site B''s conversation');

select is(tests.can_write_topic('visitor_a', (select conv_a from topics)), false, 'conversation:ID — its visitor may not send (only the database does)');
select is(tests.can_write_topic('visitor_a', (select conv_a from topics), 'presence'), false, 'conversation:ID — its visitor may not track presence there');
select is(tests.can_write_topic('owner_a', (select conv_a from topics)), false, 'conversation:ID — the owner may not send');
select is(tests.can_write_topic('agent_a', (select conv_a from topics)), false, 'conversation:ID — the agent may not send');
select is(tests.can_write_topic('visitor_b', (select conv_a from topics)), false, 'conversation:ID — another visitor may not send');
select is(tests.can_write_topic('anon', (select conv_a from topics)), false, 'conversation:ID — anon may not send');

-- ---------------------------------------------------------------- conversation:ID:live (read and write: the same people)
select is(tests.can_read_topic('visitor_a', (select live_a from topics)), true, ':live — its visitor may join');
select is(tests.can_read_topic('visitor_a', (select live_a from topics), 'presence'), true, ':live — its visitor may read presence');
select is(tests.can_read_topic('agent_a', (select live_a from topics), 'presence'), true, ':live — the agent may read presence');
select is(tests.can_read_topic('owner_a', (select live_a from topics)), true, ':live — the owner may join');
select is(tests.can_write_topic('visitor_a', (select live_a from topics)), true, ':live — its visitor may send typing');
select is(tests.can_write_topic('visitor_a', (select live_a from topics), 'presence'), true, ':live — its visitor may track presence');
select is(tests.can_write_topic('agent_a', (select live_a from topics)), true, ':live — the agent may send typing');
select is(tests.can_write_topic('owner_a', (select live_a from topics), 'presence'), true, ':live — the owner may track presence');
select is(tests.can_read_topic('visitor_b', (select live_a from topics)), false, ':live — another visitor may not join');
select is(tests.can_write_topic('visitor_b', (select live_a from topics)), false, ':live — another visitor may not send');
select is(tests.can_write_topic('visitor_b', (select live_a from topics), 'presence'), false, ':live — another visitor may not track presence');
select is(tests.can_read_topic('owner_b', (select live_a from topics)), false, ':live — another website''s owner may not join');
select is(tests.can_write_topic('owner_b', (select live_a from topics)), false, ':live — another website''s owner may not send');
select is(tests.can_read_topic('anon', (select live_a from topics)), false, ':live — anon may not join');
select is(tests.can_write_topic('anon', (select live_a from topics)), false, ':live — anon may not send');
select is(tests.can_write_topic('outsider', (select live_a from topics)), false, ':live — a signed-in stranger may not send');

-- ---------------------------------------------------------------- website:ID (read: members; write: nobody)
select is(tests.can_read_topic('owner_a', (select site_a from topics)), true, 'website:ID — its owner may join');
select is(tests.can_read_topic('agent_a', (select site_a from topics)), true, 'website:ID — its agent may join');
select is(tests.can_read_topic('visitor_a', (select site_a from topics)), false, 'website:ID — a visitor of the website may not join');
select is(tests.can_read_topic('owner_b', (select site_a from topics)), false, 'website:ID — another website''s owner may not join');
select is(tests.can_read_topic('outsider', (select site_a from topics)), false, 'website:ID — a signed-in stranger may not join');
select is(tests.can_read_topic('anon', (select site_a from topics)), false, 'website:ID — anon may not join');
select is(tests.can_read_topic('owner_b', (select site_b from topics)), true, 'website:ID — owner B may join site B');
select is(tests.can_write_topic('owner_a', (select site_a from topics)), false, 'website:ID — the owner may not send (only the database does)');
select is(tests.can_write_topic('agent_a', (select site_a from topics)), false, 'website:ID — the agent may not send');
select is(tests.can_write_topic('owner_a', (select site_a from topics), 'presence'), false, 'website:ID — no presence either');
select is(tests.can_write_topic('visitor_a', (select site_a from topics)), false, 'website:ID — a visitor may not send');

-- ---------------------------------------------------------------- the service role (server side) is not limited
select is(tests.can_read_topic('service_role', (select site_a from topics)), true, 'the service role may join any topic');

-- ---------------------------------------------------------------- malformed and unknown topics deny, never error
select is(tests.can_read_topic('visitor_a', 'conversation:not-a-uuid'), false, 'a malformed conversation id denies');
select is(tests.can_write_topic('visitor_a', 'conversation:not-a-uuid:live'), false, 'a malformed live topic denies');
select is(tests.can_read_topic('visitor_a', (select conv_a from topics) || 'x'), false, 'a UUID with trailing characters denies');
select is(tests.can_read_topic('visitor_a', (select conv_a from topics) || ':live:extra'), false, 'a topic with extra parts denies');
select is(tests.can_read_topic('owner_a', 'website:'), false, 'an empty website id denies');
select is(tests.can_read_topic('owner_a', 'website:00000000-0000-0000-0000-00000000000g'), false, 'a non-hex UUID denies');
select is(tests.can_read_topic('owner_a', 'conversation:' || gen_random_uuid()), false, 'an unknown conversation denies');
select is(tests.can_read_topic('owner_a', 'room:' || tests.id('site_a')), false, 'an unknown topic kind denies');
select is(tests.can_read_topic('visitor_a', upper((select conv_a from topics))), false,
  'topics are case-sensitive in their kind ("CONVERSATION:")');
select is(tests.can_read_topic('visitor_a', 'conversation:' || upper(tests.id('conv_a')::text)), true,
  'a UUID in upper case names the same conversation');

-- ---------------------------------------------------------------- rows of other topics stay hidden
select tests.authenticate_as('service_role');
select realtime.send('{"secret": "for site B"}', 'message', (select conv_c from topics), true);
select realtime.send('{"hello": "site A"}', 'message', (select conv_a from topics), true);
select tests.authenticate_as('visitor_a');
select set_config('realtime.topic', (select conv_a from topics), true);
select is((select count(*)::int from realtime.messages where topic = (select conv_c from topics)), 0,
  'authorised for one topic, a user still cannot read another topic''s messages');
select is((select count(*)::int from realtime.messages where topic = (select conv_a from topics) and event = 'message'), 1,
  '... and reads the messages of the topic they joined');
select set_config('realtime.topic', (select conv_c from topics), true);
select is((select count(*)::int from realtime.messages where event = 'message'), 0,
  'naming another conversation''s topic gives a visitor nothing');
select tests.authenticate_as('visitor_a');
select is((select count(*)::int from realtime.messages), 0, 'without a topic set, nothing is readable');
select tests.clear_authentication();

select * from finish();
rollback;
