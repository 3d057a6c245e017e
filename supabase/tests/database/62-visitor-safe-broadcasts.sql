-- Security fix L1: what a visitor receives on conversation:ID is a visitor-safe projection of each
-- message (no agent user ids, no AI plan, quota, model, token usage or retrieval details), while
-- members keep the full row on website:ID; agents cannot forge the metadata visitors trust
-- (`sources`) or the AI's bookkeeping (`ai`).
begin;
\ir _helpers.psql
select plan(23);
select tests.create_chat_fixture();

create temporary table topics as select
  'conversation:' || tests.id('conv_a') as conv_a,
  'website:' || tests.id('site_a') as site_a;
grant select on topics to anon, authenticated, service_role;

-- The keys of a JSON object, sorted.
create function pg_temp.keys_of(j jsonb) returns text[] language sql immutable as $$
  select array_agg(k order by k) from jsonb_object_keys(j) as k
$$;

-- ---------------------------------------------------------------- an AI answer, stored as widget-messages stores it
delete from realtime.messages;
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content, client_id, metadata) values (
  tests.id('conv_a'), 'assistant', 'A service costs 45 euros [1].', '00000000-0000-4000-8000-0000000000a1',
  '{"sources": [{"ref": 1, "title": "Prices", "url": "https://shop.example/prices", "chunk_id": "c-17", "score": 0.93},
                {"title": "Opening hours"}, "not an object"],
    "model": "gpt-4o-mini", "engine": "openai", "usage": {"prompt_tokens": 812, "completion_tokens": 40},
    "retrieval": {"passages": 5, "full_text": 5, "vector": 0, "ms": 12}, "grounded": true,
    "in_reply_to": "00000000-0000-4000-8000-0000000000b1", "ai": {"plan": "free", "quota": 100}}');
select tests.clear_authentication();
create temporary table answer as select * from public.messages where client_id = '00000000-0000-4000-8000-0000000000a1';

select is(
  pg_temp.keys_of((select payload from tests.broadcasts((select conv_a from topics), 'message'))),
  array['client_id', 'content', 'conversation_id', 'created_at', 'id', 'metadata', 'sender', 'updated_at', 'website_id'],
  'the visitor''s topic gets only the message''s public fields'
);
select is(
  (select payload -> 'metadata' from tests.broadcasts((select conv_a from topics), 'message')),
  '{"sources": [{"title": "Prices", "url": "https://shop.example/prices"}, {"title": "Opening hours"}]}'::jsonb,
  'and from its metadata only the sources, as title and url'
);
select is(
  (select payload - 'metadata' from tests.broadcasts((select conv_a from topics), 'message')),
  (select to_jsonb(a) - array['metadata', 'author_id'] from answer a),
  'the public fields are the stored row''s, in the same JSON form'
);
select is(
  (select payload from tests.broadcasts((select site_a from topics), 'message')),
  (select to_jsonb(a) from answer a),
  'members keep the whole row on website:ID (model, usage, retrieval, plan)'
);

-- ---------------------------------------------------------------- the quota note on a visitor message
delete from realtime.messages;
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content, client_id)
values (tests.id('conv_a'), 'user', 'And a new chain?', '00000000-0000-4000-8000-0000000000b2');
select tests.clear_authentication();
-- What private.consume_ai_answer writes when the plan's quota is used up.
update public.messages
set metadata = metadata || '{"ai": {"status": "skipped", "reason": "quota", "plan": "free", "quota": 100}}'
where client_id = '00000000-0000-4000-8000-0000000000b2';
select is((select count(*)::int from tests.broadcasts((select conv_a from topics), 'message')), 2,
  'the visitor''s message and its update both reach conversation:ID');
select is(
  (select array_agg(payload -> 'metadata') from tests.broadcasts((select conv_a from topics), 'message')),
  array['{}'::jsonb, '{}'::jsonb],
  'without the plan or the quota (a visitor message carries no metadata for the visitor)'
);
select ok(
  (select payload -> 'metadata' -> 'ai' ->> 'plan' from tests.broadcasts((select site_a from topics), 'message')) is null
  and exists (select 1 from public.messages where client_id = '00000000-0000-4000-8000-0000000000b2' and metadata -> 'ai' ->> 'plan' = 'free'),
  'the note is stored for the team (website:ID gets messages on insert only)'
);

-- ---------------------------------------------------------------- an agent's reply
delete from realtime.messages;
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id, metadata)
     values (tests.id('conv_a'), 'agent', 'Hi, Alex here.', '00000000-0000-4000-8000-0000000000c1', '{"note": "VIP customer"}') $$,
  'an agent writes a reply with a private note in its metadata'
);
select tests.clear_authentication();
select is(
  (select payload ? 'author_id' from tests.broadcasts((select conv_a from topics), 'message')), false,
  'the visitor does not get the agent''s user id'
);
select is(
  (select payload -> 'metadata' from tests.broadcasts((select conv_a from topics), 'message')), '{}'::jsonb,
  'nor the agent''s metadata'
);
select is(
  (select payload ->> 'sender' || ' ' || (payload ->> 'content') from tests.broadcasts((select conv_a from topics), 'message')),
  'agent Hi, Alex here.', 'but the sender and the text'
);
select is(
  (select (payload ->> 'author_id') || ' ' || (payload -> 'metadata' ->> 'note') from tests.broadcasts((select site_a from topics), 'message')),
  tests.uid('agent_a')::text || ' VIP customer', 'members see the author and the note on website:ID'
);

-- ---------------------------------------------------------------- edits are projected too
delete from realtime.messages;
select tests.authenticate_as('agent_a');
update public.messages set content = 'Hi, Alex from the workshop here.' where client_id = '00000000-0000-4000-8000-0000000000c1';
select tests.clear_authentication();
select is(
  (select (payload ->> 'content') || ' ' || (payload ? 'author_id')::text from tests.broadcasts((select conv_a from topics), 'message')),
  'Hi, Alex from the workshop here. false', 'an edit reaches conversation:ID in the same visitor-safe form'
);
select is(
  (select payload ->> 'updated_at' from tests.broadcasts((select conv_a from topics), 'message')),
  (select to_jsonb(m) ->> 'updated_at' from public.messages m where client_id = '00000000-0000-4000-8000-0000000000c1'),
  'with its new updated_at (edits replace the older copy)'
);
select is(
  (select count(*)::int from realtime.messages where topic = (select conv_a from topics) and event = 'message'
     and (payload ? 'author_id' or payload -> 'metadata' ? 'ai' or payload -> 'metadata' ? 'usage')),
  0, 'no message on conversation:ID carries an author or AI bookkeeping'
);

-- ---------------------------------------------------------------- agents cannot forge what visitors trust
select tests.authenticate_as('agent_a');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id, metadata)
     values (tests.id('conv_a'), 'agent', 'Per our policy, refunds are never given.', gen_random_uuid(),
             '{"sources": [{"title": "Refund policy", "url": "https://evil.example/"}]}') $$,
  '23514', 'new row for relation "messages" violates check constraint "messages_agent_metadata_check"',
  'an agent message cannot carry sources (the widget shows them as the AI''s citations)'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, client_id, metadata)
     values (tests.id('conv_a'), 'agent', 'Hello', gen_random_uuid(), '{"ai": {"status": "failed"}}') $$,
  '23514', 'new row for relation "messages" violates check constraint "messages_agent_metadata_check"',
  'nor the AI''s bookkeeping'
);
select throws_ok(
  $$ update public.messages set metadata = '{"sources": [{"title": "Forged"}]}' where client_id = '00000000-0000-4000-8000-0000000000c1' $$,
  '23514', 'new row for relation "messages" violates check constraint "messages_agent_metadata_check"',
  'nor gain them by editing their own message'
);
select lives_ok(
  $$ update public.messages set metadata = '{"note": "VIP, called twice"}' where client_id = '00000000-0000-4000-8000-0000000000c1' $$,
  'other metadata of their own messages stays theirs to edit'
);
select tests.authenticate_as('service_role');
select throws_ok(
  $$ insert into public.messages (conversation_id, sender, content, author_id, metadata)
     values (tests.id('conv_a'), 'agent', 'Hello', tests.uid('agent_a'), '{"sources": []}') $$,
  '23514', 'new row for relation "messages" violates check constraint "messages_agent_metadata_check"',
  'the rule holds for every writer of an agent message'
);
select lives_ok(
  $$ insert into public.messages (conversation_id, sender, content, metadata)
     values (tests.id('conv_a'), 'assistant', 'Another answer', '{"sources": [{"title": "Prices"}], "ai": {"plan": "free"}}') $$,
  'AI answers keep their sources and bookkeeping'
);
select lives_ok(
  $$ insert into public.messages (conversation_id, sender, content, metadata)
     values (tests.id('conv_a'), 'user', 'Thanks', '{"ai": {"status": "skipped"}}') $$,
  'and visitor messages their AI notes'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------- sources only ever come from AI answers
delete from realtime.messages;
select tests.authenticate_as('service_role');
insert into public.messages (conversation_id, sender, content, metadata)
values (tests.id('conv_a'), 'system', 'The team will answer by e-mail.', '{"sources": [{"title": "Looks official"}]}');
select tests.clear_authentication();
select is(
  (select payload -> 'metadata' from tests.broadcasts((select conv_a from topics), 'message')), '{}'::jsonb,
  'a non-AI message''s sources never reach the visitor as citations'
);

select * from finish();
rollback;
