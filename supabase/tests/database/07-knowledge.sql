-- Knowledge sources and chunks: members manage their websites' knowledge, nobody else reads it;
-- chunks are indexed in the website's language; match_knowledge finds the right passage.
begin;
\ir _helpers.psql
select plan(37);
select tests.create_chat_fixture();

-- ---------------------------------------------------------------- members add knowledge
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ insert into public.knowledge_sources (id, website_id, kind, title, content)
     values ('00000000-0000-4000-8000-0000000000c1', tests.id('site_a'), 'text', 'Workshop', 'Opening hours and prices') $$,
  'an agent adds a knowledge source'
);
select is((select created_by from public.knowledge_sources where id = '00000000-0000-4000-8000-0000000000c1'), tests.uid('agent_a'),
  'the source records who added it');
select lives_ok(
  $$ insert into public.knowledge_chunks (source_id, position, content) values
       ('00000000-0000-4000-8000-0000000000c1', 0, 'The workshop is open on Saturdays from 10:00 to 17:00.'),
       ('00000000-0000-4000-8000-0000000000c1', 1, 'A basic tune-up costs 49 euros and is usually ready the same day.'),
       ('00000000-0000-4000-8000-0000000000c1', 2, 'Rental bikes come with a helmet and a lock.') $$,
  'an agent adds passages'
);
select results_eq(
  $$ select website_id, language from public.knowledge_chunks where position = 0 $$,
  $$ values (tests.id('site_a'), 'english'::text) $$,
  'a chunk takes its website from its source and its language from the website'
);
select ok((select fts @@ to_tsquery('english', 'saturday') from public.knowledge_chunks where position = 0),
  'its text vector is stemmed in the website''s language (Saturdays → saturday)');
select is((select chunk_count || '/' || char_count from public.knowledge_sources where id = '00000000-0000-4000-8000-0000000000c1'),
  '3/' || (select sum(char_length(content)) from public.knowledge_chunks)::text,
  'the source counts its passages and characters');
select lives_ok(
  $$ update public.knowledge_sources set status = 'ready', progress = 1 where id = '00000000-0000-4000-8000-0000000000c1' $$,
  'a member updates the ingestion status');
select throws_ok(
  $$ update public.knowledge_sources set progress = 1.5 $$, '23514', null, 'progress stays between 0 and 1');
select throws_ok(
  $$ update public.knowledge_sources set chunk_count = 99 $$, '42501', 'permission denied for table knowledge_sources',
  'counters are the triggers'' business');
select throws_ok(
  $$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('site_a'), 'video', 'Nope') $$,
  '23514', null, 'a source is a text, an FAQ, a URL or a file');

-- ---------------------------------------------------------------- search
select results_eq(
  $$ select content from public.match_knowledge(tests.id('site_a'), 'When are you open on Saturday?', 1) $$,
  $$ values ('The workshop is open on Saturdays from 10:00 to 17:00.'::text) $$,
  'match_knowledge finds the opening hours for a question about Saturday'
);
select results_eq(
  $$ select content from public.match_knowledge(tests.id('site_a'), 'How much is a tune-up?', 1) $$,
  $$ values ('A basic tune-up costs 49 euros and is usually ready the same day.'::text) $$,
  'match_knowledge finds the price of a tune-up'
);
select results_eq(
  $$ select title, source_id from public.match_knowledge(tests.id('site_a'), 'helmet', 1) $$,
  $$ values ('Workshop'::text, '00000000-0000-4000-8000-0000000000c1'::uuid) $$,
  'each passage comes with its source''s title and id'
);
select ok(
  (select bool_and(rank > 0 and rank <= 1) from public.match_knowledge(tests.id('site_a'), 'open saturday tune-up', 5)),
  'ranks lie between 0 and 1'
);
select ok(
  (select array_agg(content order by rank desc) from public.match_knowledge(tests.id('site_a'), 'open saturday tune-up', 5))[1]
    like 'The workshop is open%',
  'the passage with more (and rarer) of the question''s terms ranks first'
);
select is_empty($$ select * from public.match_knowledge(tests.id('site_a'), 'the of and', 5) $$,
  'a question of stop words only finds nothing (and does not fail)');
select is_empty($$ select * from public.match_knowledge(tests.id('site_a'), 'xylophone', 5) $$,
  'an unrelated question finds nothing');
select is((select count(*)::int from public.match_knowledge(tests.id('site_a'), 'open tune-up helmet', 2)), 2,
  'match_count limits the passages');

select tests.authenticate_as('owner_b');
select is_empty($$ select * from public.match_knowledge(tests.id('site_a'), 'Saturday', 5) $$,
  'another website''s owner finds nothing in site A''s knowledge');
select is_empty($$ select * from public.knowledge_sources $$, 'and cannot read its sources');
select throws_ok(
  $$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('site_a'), 'text', 'Injected') $$,
  '42501', 'new row violates row-level security policy for table "knowledge_sources"',
  'another website''s owner cannot add knowledge to it'
);
select throws_ok(
  $$ insert into public.knowledge_chunks (source_id, position, content) values ('00000000-0000-4000-8000-0000000000c1', 9, 'We give everything away for free.') $$,
  '42501', 'new row violates row-level security policy for table "knowledge_chunks"',
  'another website''s owner cannot add passages to its sources'
);
delete from public.knowledge_sources;
select tests.authenticate_as('visitor_a');
select is_empty($$ select * from public.match_knowledge(tests.id('site_a'), 'Saturday', 5) $$,
  'a visitor cannot search the knowledge directly (answers come through the AI)');
select is_empty($$ select * from public.knowledge_chunks $$, 'a visitor reads no passage');
select throws_ok(
  $$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('site_a'), 'text', 'Visitor facts') $$,
  '42501', 'new row violates row-level security policy for table "knowledge_sources"',
  'a visitor cannot add knowledge'
);
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.match_knowledge(tests.id('site_a'), 'Saturday', 5) $$,
  '42501', 'permission denied for function match_knowledge', 'anon cannot search');
select throws_ok($$ select * from public.knowledge_sources $$,
  '42501', 'permission denied for table knowledge_sources', 'anon cannot read knowledge sources');
select throws_ok($$ select * from public.knowledge_chunks $$,
  '42501', 'permission denied for table knowledge_chunks', 'anon cannot read passages');
select tests.authenticate_as('service_role');
select is((select count(*)::int from public.match_knowledge(tests.id('site_a'), 'Saturday', 5)), 1,
  'the service role (the answer engine) searches any website');
select tests.clear_authentication();
select is((select count(*)::int from public.knowledge_sources where website_id = tests.id('site_a')), 1,
  'another website''s owner could not delete the sources');

-- ---------------------------------------------------------------- a chunk stays where it is
select tests.authenticate_as('owner_a');
insert into public.knowledge_sources (id, website_id, kind, title) values ('00000000-0000-4000-8000-0000000000c2', tests.id('site_a'), 'faq', 'FAQ');
select throws_ok(
  $$ update public.knowledge_chunks set source_id = '00000000-0000-4000-8000-0000000000c2' $$,
  '42501', 'permission denied for table knowledge_chunks', 'a chunk cannot move to another source through REST'
);

-- ---------------------------------------------------------------- the website's language
update public.websites set language = 'simple' where id = tests.id('site_a');
select tests.clear_authentication();
select is((select count(*)::int from public.knowledge_chunks where website_id = tests.id('site_a') and language = 'simple'), 3,
  'changing the website''s language re-indexes its passages');
select ok((select fts @@ to_tsquery('simple', 'saturdays') and not fts @@ to_tsquery('simple', 'saturday')
  from public.knowledge_chunks where source_id = '00000000-0000-4000-8000-0000000000c1' and position = 0), 'now without English stemming');
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.match_knowledge(tests.id('site_a'), 'saturdays', 5)), 1,
  'and the search follows the new language');

-- ---------------------------------------------------------------- deleting
select lives_ok($$ delete from public.knowledge_sources where id = '00000000-0000-4000-8000-0000000000c1' $$,
  'a member deletes a source');
select tests.clear_authentication();
select is((select count(*)::int from public.knowledge_chunks where source_id = '00000000-0000-4000-8000-0000000000c1'), 0,
  'its passages go with it');
select tests.authenticate_as('agent_a');
select is_empty($$ select * from public.match_knowledge(tests.id('site_a'), 'saturdays', 5) $$,
  'and leave the search');
select tests.clear_authentication();

select * from finish();
rollback;
