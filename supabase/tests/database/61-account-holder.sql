-- Security fix M4: the account that pays for a website (websites.account_id, "the account holder")
-- stays one of its owners, and only the account holder deletes the website. Before the fix a
-- co-owner could remove the account holder from the team (who kept paying but could no longer
-- manage the site), and any owner could delete the website.
begin;
\ir _helpers.psql
select plan(32);
select tests.create_chat_fixture();
select tests.create_user('co_owner');
insert into public.website_members (website_id, user_id, role) values (tests.id('site_a'), tests.uid('co_owner'), 'owner');

create function pg_temp.role_of(member text) returns text language sql as $$
  select role from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid(member)
$$;

-- ---------------------------------------------------------------- a co-owner cannot remove or demote the account holder
select tests.authenticate_as('co_owner');
select throws_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'the repro: a co-owner cannot remove the account holder from the team'
);
select throws_ok(
  $$ update public.website_members set role = 'agent' where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'a co-owner cannot demote the account holder to agent'
);
select throws_ok(
  $$ select public.add_website_member(tests.id('site_a'), 'owner_a@test.emily.local', 'agent') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'nor through add_website_member (which changes the role of an existing member)'
);
select tests.clear_authentication();
select is(pg_temp.role_of('owner_a'), 'owner', 'the account holder is still an owner');

-- ---------------------------------------------------------------- only the account holder deletes the website
select tests.authenticate_as('co_owner');
select throws_ok(
  $$ delete from public.websites where id = tests.id('site_a') $$,
  '42501', 'Only the account holder can delete a website',
  'a co-owner cannot delete the website'
);
select tests.authenticate_as('agent_a');
select lives_ok($$ delete from public.websites where id = tests.id('site_a') $$, 'an agent''s delete finds no row (RLS, as before)');
select tests.authenticate_as('owner_b');
select lives_ok($$ delete from public.websites where id = tests.id('site_a') $$, 'another website''s owner finds no row either');
select tests.clear_authentication();
select is((select count(*)::int from public.websites where id = tests.id('site_a')), 1, 'the website is still there');

-- ---------------------------------------------------------------- the account holder cannot leave or step down either
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'the account holder cannot leave the team, even with another owner on it'
);
select throws_ok(
  $$ update public.website_members set role = 'agent' where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'nor step down to agent'
);
select lives_ok(
  $$ update public.website_members set role = 'owner' where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  'an update that keeps the account holder an owner is fine'
);

-- ---------------------------------------------------------------- not even the service role or the database owner
select tests.authenticate_as('service_role');
select throws_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'the service role cannot remove the account holder'
);
select tests.clear_authentication();
select throws_ok(
  $$ update public.website_members set role = 'agent' where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'nor the database owner demote them'
);

-- ---------------------------------------------------------------- everything else about the team works as before
select tests.authenticate_as('co_owner');
select lives_ok(
  $$ update public.website_members set role = 'owner' where website_id = tests.id('site_a') and user_id = tests.uid('agent_a') $$,
  'a co-owner still promotes an agent'
);
select lives_ok(
  $$ update public.website_members set role = 'agent' where website_id = tests.id('site_a') and user_id = tests.uid('agent_a') $$,
  'and demotes an owner who is not the account holder'
);
select lives_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('agent_a') $$,
  'and removes a member'
);
select lives_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('co_owner') $$,
  'a co-owner may leave (the account holder remains an owner)'
);
select tests.authenticate_as('owner_a');
select is((public.add_website_member(tests.id('site_a'), 'co_owner@test.emily.local', 'owner')).role, 'owner',
  'the account holder adds owners as before');
select lives_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('co_owner') $$,
  'and removes them'
);
select tests.clear_authentication();
select results_eq(
  $$ select user_id, role from public.website_members where website_id = tests.id('site_a') $$,
  $$ values (tests.uid('owner_a'), 'owner'::text) $$,
  'the team is down to the account holder'
);

-- ---------------------------------------------------------------- after a transfer of the account, the old holder is an ordinary owner
insert into public.website_members (website_id, user_id, role) values (tests.id('site_a'), tests.uid('co_owner'), 'owner');
select tests.authenticate_as('service_role');
update public.websites set account_id = tests.uid('co_owner') where id = tests.id('site_a');
select tests.authenticate_as('co_owner');
select lives_ok(
  $$ update public.website_members set role = 'agent' where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  'once the website is paid by another account, its new holder may demote the former one'
);
select tests.authenticate_as('owner_a');
select lives_ok($$ delete from public.websites where id = tests.id('site_a') $$,
  'the former holder, now an agent, finds no website row to delete');
select tests.authenticate_as('co_owner');
select lives_ok(
  $$ update public.website_members set role = 'owner' where website_id = tests.id('site_a') and user_id = tests.uid('owner_a') $$,
  'the new holder makes the former one an owner again'
);
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ delete from public.websites where id = tests.id('site_a') $$,
  '42501', 'Only the account holder can delete a website',
  'who, as an ordinary owner, cannot delete the website'
);
select throws_ok(
  $$ delete from public.website_members where website_id = tests.id('site_a') and user_id = tests.uid('co_owner') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'nor remove the new account holder, who is protected in turn'
);
select tests.clear_authentication();
select is((select count(*)::int from public.websites where id = tests.id('site_a')), 1, 'the website is still there');

select tests.authenticate_as('co_owner');
-- ---------------------------------------------------------------- the account holder deletes the website
select lives_ok($$ delete from public.websites where id = tests.id('site_a') $$, 'the account holder deletes the website');
select tests.clear_authentication();
select is((select count(*)::int from public.websites where id = tests.id('site_a')), 0, 'the website is gone');
select is((select count(*)::int from public.website_members where website_id = tests.id('site_a')), 0,
  'with its team (the account-holder rule does not block the cascade)');

-- ---------------------------------------------------------------- deleting accounts still cascades
select lives_ok($$ delete from auth.users where id = tests.uid('owner_b') $$,
  'deleting the account holder''s user account deletes their websites and memberships');
select is((select count(*)::int from public.websites where id = tests.id('site_b')), 0, 'their website is gone');
select tests.authenticate_as('owner_a');
insert into public.websites (name) values ('Site C');
select tests.clear_authentication();
insert into public.website_members (website_id, user_id, role)
select w.id, tests.uid('outsider'), 'owner' from public.websites w where w.name = 'Site C';
select lives_ok($$ delete from auth.users where id = tests.uid('outsider') $$,
  'deleting a co-owner''s user account removes their memberships');

select * from finish();
rollback;
