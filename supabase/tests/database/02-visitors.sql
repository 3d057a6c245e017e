-- Visitors: each sees their own row; members see their websites' visitors; only the service role
-- (the Edge Functions) writes.
begin;
\ir _helpers.psql
select plan(15);
select tests.create_chat_fixture();

select tests.clear_authentication();
select is((select count(*)::int from public.visitors where website_id = tests.id('site_a')), 2,
  'creating a conversation created its visitor row');

select tests.authenticate_as('service_role');
select lives_ok(
  $$ update public.visitors set locale = 'en-GB', last_page_url = 'https://a.example/pricing',
       external_id = 'user-42', name = 'Ann', email = 'ann@example.com', identified_at = now()
     where website_id = tests.id('site_a') and user_id = tests.uid('visitor_a') $$,
  'the service role records a verified identity'
);
select throws_ok(
  $$ update public.visitors set locale = 'not a locale!' where user_id = tests.uid('visitor_a') $$,
  '23514', null, 'a locale must look like a language tag'
);

select tests.authenticate_as('visitor_a');
select results_eq(
  $$ select website_id, external_id, locale from public.visitors $$,
  $$ values (tests.id('site_a'), 'user-42'::text, 'en-GB'::text) $$,
  'a visitor reads their own visitor row'
);
select throws_ok(
  $$ update public.visitors set external_id = 'admin' where user_id = tests.uid('visitor_a') $$,
  '42501', 'permission denied for table visitors',
  'a visitor cannot claim an identity by writing their row'
);
select throws_ok(
  $$ insert into public.visitors (website_id, user_id) values (tests.id('site_b'), tests.uid('visitor_a')) $$,
  '42501', 'permission denied for table visitors',
  'a visitor cannot add visitor rows'
);
select tests.authenticate_as('visitor_b');
select results_eq($$ select user_id from public.visitors $$, $$ values (tests.uid('visitor_b')) $$,
  'visitor B sees only themselves, not visitor A');

select tests.authenticate_as('owner_a');
select results_eq(
  $$ select user_id from public.visitors order by external_id nulls last $$,
  $$ values (tests.uid('visitor_a')), (tests.uid('visitor_b')) $$,
  'an owner sees their website''s visitors and nobody else''s'
);
select throws_ok(
  $$ delete from public.visitors $$,
  '42501', 'permission denied for table visitors',
  'an owner cannot delete visitor rows directly'
);
select tests.authenticate_as('agent_a');
select is((select count(*)::int from public.visitors), 2, 'an agent sees their website''s visitors');
select tests.authenticate_as('owner_b');
select results_eq($$ select user_id from public.visitors $$, $$ values (tests.uid('visitor_c')) $$,
  'owner B sees only site B''s visitor');
select tests.authenticate_as('outsider');
select is_empty($$ select * from public.visitors $$, 'a user of neither website sees no visitor');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.visitors $$, '42501', 'permission denied for table visitors',
  'anon cannot read visitors');

select tests.clear_authentication();
delete from auth.users where id = tests.uid('visitor_b');
select is((select count(*)::int from public.visitors where user_id = tests.uid('visitor_b')), 0,
  'deleting an anonymous user deletes their visitor row');
select is((select count(*)::int from public.conversations where id = tests.id('conv_b')), 0,
  '... and their conversations');

select * from finish();
rollback;
