-- The seed: the demo owner can sign in, owns the demo website, and the demo knowledge base answers
-- the questions the demo is about.
begin;
\ir _helpers.psql
select plan(16);

select is((select count(*)::int from auth.users where email = 'owner@demo.emily.local' and not is_anonymous), 1,
  'the demo owner exists');
select ok((select encrypted_password = extensions.crypt('emily-demo-owner', encrypted_password)
  from auth.users where email = 'owner@demo.emily.local'), 'its password is emily-demo-owner (bcrypt)');
select ok((select encrypted_password like '$2%$10$%' from auth.users where email = 'owner@demo.emily.local'),
  'hashed with bcrypt, cost 10');
select ok((select email_confirmed_at is not null and aud = 'authenticated' and role = 'authenticated'
  and raw_app_meta_data = '{"provider":"email","providers":["email"]}'::jsonb
  from auth.users where email = 'owner@demo.emily.local'), 'confirmed, with GoTrue''s audience, role and app metadata');
select results_eq(
  $$ select i.provider, i.provider_id, i.identity_data ->> 'email', (i.identity_data ->> 'email_verified')::boolean
     from auth.identities i join auth.users u on u.id = i.user_id where u.email = 'owner@demo.emily.local' $$,
  $$ select 'email'::text, id::text, 'owner@demo.emily.local'::text, true from auth.users where email = 'owner@demo.emily.local' $$,
  'with its e-mail identity'
);

select results_eq(
  $$ select name, allowed_domains, ai_enabled, language from public.websites where id = '00000000-0000-4000-8000-00000000d3e0' $$,
  $$ values ('Northside Cycles'::text, '{127.0.0.1,localhost}'::text[], true, 'english'::text) $$,
  'the demo website has the fixed id, local origins and AI on'
);
select results_eq(
  $$ select u.email::text, m.role from public.website_members m join auth.users u on u.id = m.user_id
     where m.website_id = '00000000-0000-4000-8000-00000000d3e0' $$,
  $$ values ('owner@demo.emily.local'::text, 'owner'::text) $$,
  'the demo owner owns it'
);
select is((select count(*)::int from public.website_secrets where website_id = '00000000-0000-4000-8000-00000000d3e0'), 1,
  'it has an identity secret');
select ok((select count(*) between 6 and 10 and bool_and(status = 'ready' and chunk_count > 0)
  from public.knowledge_sources where website_id = '00000000-0000-4000-8000-00000000d3e0'),
  'its knowledge base has 6 to 10 ready sources, each with passages');
select set_eq($$ select distinct kind from public.knowledge_sources where website_id = '00000000-0000-4000-8000-00000000d3e0' $$,
  array['text', 'faq'], 'text and FAQ sources');

-- The demo owner asks through the backoffice's "try a question" panel (RLS applies).
insert into tests.users select 'demo_owner', id, false, email from auth.users where email = 'owner@demo.emily.local';
select tests.authenticate_as('demo_owner');
select ok((select bool_or(content like '%Saturday from 10:00 to 17:00%')
  from (select content from public.match_knowledge('00000000-0000-4000-8000-00000000d3e0', 'When are you open on Saturday?', 3)) top),
  '"When are you open on Saturday?" finds the opening hours in the top 3');
select ok((select content like '%tune-up costs €49%'
  from public.match_knowledge('00000000-0000-4000-8000-00000000d3e0', 'How much is a tune-up?', 1)),
  '"How much is a tune-up?" finds the price first');
select ok((select content like '%€18 per day or €75 per week%'
  from public.match_knowledge('00000000-0000-4000-8000-00000000d3e0', 'How much does it cost to rent a bike for a week?', 1)),
  'a rental question finds the rental prices first');
select ok((select content like '%returned within 30 days%'
  from public.match_knowledge('00000000-0000-4000-8000-00000000d3e0', 'Can I return an item?', 1)),
  'a returns question finds the returns policy first');
select ok((select bool_or(content like '%+353 1 555 0142%')
  from (select content from public.match_knowledge('00000000-0000-4000-8000-00000000d3e0', 'What is your phone number?', 3)) top),
  'the phone number is found');
select ok((select content like '%14 Canal Street%'
  from public.match_knowledge('00000000-0000-4000-8000-00000000d3e0', 'What is your address?', 1)),
  'the address is found');
select tests.clear_authentication();

select * from finish();
rollback;
