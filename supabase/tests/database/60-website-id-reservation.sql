-- Security fix H3: a deleted website's id can never be taken over. Clients cannot choose a
-- website's id; a deleted website's id stays reserved for every role; deleting a website or a
-- conversation removes its broadcasts from realtime.messages, which Realtime replays to a channel
-- joining with `broadcast.replay` (so a new holder of the topic could read old visitors' messages).
begin;
\ir _helpers.psql
select plan(27);
select tests.create_chat_fixture();
select tests.create_user('taker');

create temporary table topics as select
  'website:' || tests.id('site_a') as site_a,
  'website:' || tests.id('site_b') as site_b,
  'conversation:' || tests.id('conv_a') as conv_a,
  'conversation:' || tests.id('conv_a') || ':live' as live_a,
  'conversation:' || tests.id('conv_b') as conv_b,
  'conversation:' || tests.id('conv_c') as conv_c;
grant select on topics to anon, authenticated, service_role;

-- What Realtime would replay on a topic (its replay query reads realtime.messages by topic).
create function pg_temp.replayable(replay_topic text) returns integer language sql as $$
  select count(*)::int from realtime.messages
  where topic = replay_topic and private is true and extension = 'broadcast' and event is not null
$$;

-- ---------------------------------------------------------------- nobody chooses a website's id
select tests.authenticate_as('taker');
select throws_ok(
  $$ insert into public.websites (id, name) values (gen_random_uuid(), 'Chosen id') $$,
  '42501', 'permission denied for table websites',
  'a signed-in user cannot choose the id of a new website'
);
select lives_ok(
  $$ insert into public.websites (name) values ('Taker''s own site') returning id $$,
  'without an id the website is created (the database picks the id), as the backoffice does'
);
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ insert into public.websites (id, name) values (tests.id('site_b'), 'Same id as site B') $$,
  '42501', 'permission denied for table websites',
  'not even an existing id: the column is not the client''s to write'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------- traffic on site A (and B)
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content, client_id) values
  (tests.id('conv_a'), 'user', 'My order number is 4711, my address is 1 Elm Street', gen_random_uuid()),
  (tests.id('conv_b'), 'user', 'Visitor B''s private question', gen_random_uuid()),
  (tests.id('conv_c'), 'user', 'A question on site B', gen_random_uuid());
select tests.clear_authentication();
-- A stored typing event on the live topic (the platform may keep client broadcasts too).
insert into realtime.messages (topic, extension, event, payload, private)
values ((select live_a from topics), 'broadcast', 'typing', '{"sender": "user", "typing": true}', true);

select ok(pg_temp.replayable((select site_a from topics)) > 0 and pg_temp.replayable((select conv_a from topics)) > 0
  and pg_temp.replayable((select conv_b from topics)) > 0,
  'before any deletion, site A''s topics hold replayable broadcasts');

-- ---------------------------------------------------------------- deleting a conversation
select tests.authenticate_as('owner_a');
select lives_ok($$ delete from public.conversations where id = tests.id('conv_b') $$, 'an owner deletes a conversation');
select tests.clear_authentication();
select is(pg_temp.replayable((select conv_b from topics)), 0,
  'nothing of the deleted conversation is left to replay on conversation:ID');
select is(
  (select count(*)::int from realtime.messages m
   where m.topic = (select site_a from topics)
     and (m.payload ->> 'conversation_id' = tests.id('conv_b')::text
          or (m.event = 'conversation' and m.payload ->> 'id' = tests.id('conv_b')::text))),
  0, 'nor on website:ID (its messages and conversation rows are gone from the inbox topic)');
select ok(pg_temp.replayable((select conv_a from topics)) > 0,
  'the other conversations'' broadcasts stay');
select ok(exists (select 1 from realtime.messages m where m.topic = (select site_a from topics)
    and m.payload ->> 'conversation_id' = tests.id('conv_a')::text),
  'including their messages on website:ID');

-- ---------------------------------------------------------------- deleting a website
select tests.authenticate_as('owner_a');
select lives_ok($$ delete from public.websites where id = tests.id('site_a') $$, 'the account holder deletes website A');
select tests.clear_authentication();
select is(pg_temp.replayable((select site_a from topics)), 0, 'nothing is left to replay on website:ID');
select is(pg_temp.replayable((select conv_a from topics)), 0, 'nor on its conversations'' topics');
select is(pg_temp.replayable((select live_a from topics)), 0, 'nor on their :live topics');
select is((select count(*)::int from realtime.messages where payload ->> 'website_id' = tests.id('site_a')::text), 0,
  'no broadcast row about the website survives, whatever its topic');
select ok(pg_temp.replayable((select site_b from topics)) > 0 and pg_temp.replayable((select conv_c from topics)) > 0,
  'another website''s broadcasts stay');
select is((select count(*)::int from private.deleted_websites where id = tests.id('site_a')), 1,
  'the deleted website''s id is kept as reserved');

-- ---------------------------------------------------------------- the id stays reserved
select tests.authenticate_as('taker');
select throws_ok(
  $$ insert into public.websites (id, name) values (tests.id('site_a'), 'Takeover') $$,
  '42501', 'permission denied for table websites',
  'the repro: a signed-in user inserting {id: deleted id} is refused'
);
select tests.authenticate_as('service_role');
select throws_ok(
  format($$ insert into public.websites (id, account_id, name) values (%L, %L, 'Takeover') $$, tests.id('site_a'), tests.uid('taker')),
  '23505', 'A deleted website''s id cannot be used again',
  'the service role cannot re-use a deleted website''s id either'
);
select throws_ok(
  format($$ update public.websites set id = %L where account_id = %L $$, tests.id('site_a'), tests.uid('taker')),
  '23505', 'A deleted website''s id cannot be used again',
  'nor give an existing website a deleted website''s id'
);
select tests.clear_authentication();
select throws_ok(
  format($$ insert into public.websites (id, account_id, name) values (%L, %L, 'Takeover') $$, tests.id('site_a'), tests.uid('taker')),
  '23505', 'A deleted website''s id cannot be used again',
  'nor does the database owner (a seed or a migration)'
);
select lives_ok(
  format($$ insert into public.websites (id, account_id, name) values (%L, %L, 'Fresh id') $$, gen_random_uuid(), tests.uid('taker')),
  'the service connection may still give a new website a fresh id of its own choosing'
);
select is(tests.can_read_topic('taker', (select site_a from topics)), false,
  'and nobody can join the deleted website''s topic');

-- ---------------------------------------------------------------- deleting an account deletes and reserves its websites
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content) values (tests.id('conv_c'), 'user', 'Another question on site B');
select tests.clear_authentication();
delete from auth.users where id = tests.uid('owner_b');
select is((select count(*)::int from public.websites where id = tests.id('site_b')), 0, 'deleting an account deletes its websites');
select is((select count(*)::int from private.deleted_websites where id = tests.id('site_b')), 1, 'and reserves their ids');
select is(pg_temp.replayable((select site_b from topics)) + pg_temp.replayable((select conv_c from topics)), 0,
  'and removes their broadcasts');

-- ---------------------------------------------------------------- nobody reads the list of deleted ids
select tests.authenticate_as('taker');
select throws_ok($$ select * from private.deleted_websites $$, '42501', 'permission denied for table deleted_websites',
  'signed-in users cannot read the reserved ids');
select tests.authenticate_as('service_role');
select throws_ok($$ select * from private.deleted_websites $$, '42501', 'permission denied for table deleted_websites',
  'nor can the service role');
select tests.clear_authentication();

select * from finish();
rollback;
