-- Knowledge source changes reach the website's private topic (migration
-- 20261126150000_knowledge_source_broadcasts): added, state changes, deleted; never the content,
-- never once per passage; also when a member writes through REST (role authenticated).
begin;
\ir _helpers.psql
select plan(15);
select tests.create_chat_fixture();

create temporary table topics as select 'website:' || tests.id('site_a') as site_a;
grant select on topics to anon, authenticated, service_role;
delete from realtime.messages;

-- ---------------------------------------------------------------- added by an agent through REST
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ insert into public.knowledge_sources (id, website_id, kind, title, content)
     values ('00000000-0000-4000-8000-0000000000c1', tests.id('site_a'), 'text', 'Workshop', repeat('Opening hours and prices. ', 40000)) $$,
  'an agent adds a one-megabyte knowledge source');
select tests.clear_authentication();
select is((select count(*)::int from tests.broadcasts((select site_a from topics), 'knowledge_source')), 1,
  'the new source is broadcast to website:ID as "knowledge_source" (security definer: not dropped by RLS)');
select is((select payload ->> 'id' from tests.broadcasts((select site_a from topics), 'knowledge_source')),
  '00000000-0000-4000-8000-0000000000c1', 'with the source''s id');
select is((select payload ->> 'status' || ' ' || (payload ->> 'progress') from tests.broadcasts((select site_a from topics), 'knowledge_source')),
  'pending 0', 'with its status and progress');
select ok((select not (payload ? 'content') from tests.broadcasts((select site_a from topics), 'knowledge_source')),
  'without its content');
select cmp_ok((select octet_length(payload::text) from tests.broadcasts((select site_a from topics), 'knowledge_source')), '<', 2000,
  'so the broadcast stays small whatever the source''s size');

-- ---------------------------------------------------------------- ingestion
delete from realtime.messages;
update public.knowledge_sources set status = 'processing', progress = 0.5 where id = '00000000-0000-4000-8000-0000000000c1';
select is((select payload ->> 'status' || ' ' || (payload ->> 'progress') from tests.broadcasts((select site_a from topics), 'knowledge_source')),
  'processing 0.5', 'progress is broadcast as it changes');
delete from realtime.messages;
insert into public.knowledge_chunks (source_id, position, content)
select '00000000-0000-4000-8000-0000000000c1', g, 'Passage ' || g from generate_series(0, 49) g;
select is((select count(*)::int from realtime.messages), 0,
  'fifty passages written (fifty counter updates) broadcast nothing');
update public.knowledge_sources set status = 'ready', progress = 1, indexed_at = now() where id = '00000000-0000-4000-8000-0000000000c1';
select is((select (payload ->> 'chunk_count')::int from tests.broadcasts((select site_a from topics), 'knowledge_source')), 50,
  'the update that ends ingestion carries the final passage count');
delete from realtime.messages;
update public.knowledge_sources set metadata = '{"x": 1}' where id = '00000000-0000-4000-8000-0000000000c1';
select is((select count(*)::int from realtime.messages), 0, 'a change the list does not show broadcasts nothing');

-- ---------------------------------------------------------------- deleted
delete from realtime.messages;
select tests.authenticate_as('owner_a');
delete from public.knowledge_sources where id = '00000000-0000-4000-8000-0000000000c1';
select tests.clear_authentication();
select is((select payload from tests.broadcasts((select site_a from topics), 'knowledge_source_deleted')),
  jsonb_build_object('id', '00000000-0000-4000-8000-0000000000c1', 'website_id', tests.id('site_a')),
  'a deleted source is broadcast as "knowledge_source_deleted" {id, website_id}');
select is((select count(*)::int from tests.broadcasts((select site_a from topics), 'knowledge_source')), 0,
  'its cascading passage deletes broadcast nothing else');
select ok((select bool_and(private and extension = 'broadcast') from realtime.messages), 'every broadcast is private');

-- ---------------------------------------------------------------- who hears it
select ok(tests.can_read_topic('agent_a', (select site_a from topics)), 'the website''s agent can listen');
select ok(not tests.can_read_topic('owner_b', (select site_a from topics)), 'another website''s owner cannot');

select * from finish();
rollback;
