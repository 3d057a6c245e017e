-- Websites, their teams and their identity secrets: who gets in and who is kept out.
begin;
\ir _helpers.psql
select plan(61);

select tests.create_user('owner_a');
select tests.create_user('owner_b');
select tests.create_user('agent_a');
select tests.create_user('outsider');
select tests.create_user('visitor_a', true);

-- ---------------------------------------------------------------- creating websites
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ insert into public.websites (name, allowed_domains) values ('Site A', '{" Example.COM ", example.com, 127.0.0.1}') returning id $$,
  'a signed-in user creates a website and gets it back (insert ... returning, as PostgREST does)'
);
select tests.authenticate_as('owner_b');
insert into public.websites (name) values ('Site B');
select tests.clear_authentication();
-- The ids the tests refer to, readable whatever role a test runs as.
create temporary table ids as
  select (select id from public.websites where name = 'Site A') as site_a,
         (select id from public.websites where name = 'Site B') as site_b;
grant select on ids to authenticated, anon, service_role;

select is((select account_id from public.websites where id = (select site_a from ids)), tests.uid('owner_a'),
  'the creator is the website''s account');
select results_eq(
  $$ select user_id, role from public.website_members where website_id = (select site_a from ids) $$,
  $$ values (tests.uid('owner_a'), 'owner'::text) $$,
  'the creator becomes the website''s owner'
);
select is((select allowed_domains from public.websites where id = (select site_a from ids)), '{example.com,127.0.0.1}'::text[],
  'allowed domains are stored trimmed, lower-case and without duplicates');
select matches((select identity_secret from public.website_secrets where website_id = (select site_a from ids)), '^[0-9a-f]{64}$',
  'a new website gets a random 256-bit identity secret');

select tests.authenticate_as('owner_a');
select throws_ok(
  $$ insert into public.websites (name, allowed_domains) values ('Bad', '{https://example.com/}') $$,
  '23514', null, 'an allowed domain must be a hostname, not a URL'
);
select throws_ok(
  $$ insert into public.websites (name, language) values ('Bad', 'klingon') $$,
  '23514', null, 'the language must be a built-in text search configuration'
);
select throws_ok(
  $$ insert into public.websites (name, launcher_position) values ('Bad', 'top') $$,
  '23514', null, 'the launcher is on the right or the left'
);
select throws_ok(
  $$ insert into public.websites (name, account_id) values ('Spoofed', gen_random_uuid()) $$,
  '42501', 'permission denied for table websites',
  'nobody chooses the account of a new website: it is always the creator'
);

select tests.authenticate_as('visitor_a');
select throws_ok(
  $$ insert into public.websites (name) values ('Visitor site') $$,
  '42501', 'new row violates row-level security policy for table "websites"',
  'an anonymous user (a visitor) cannot create a website'
);
select tests.authenticate_as('anon');
select throws_ok(
  $$ insert into public.websites (name) values ('Anon site') $$,
  '42501', 'permission denied for table websites',
  'anon cannot create a website'
);

-- ---------------------------------------------------------------- reading websites
select tests.authenticate_as('owner_a');
select results_eq($$ select name from public.websites order by name $$, $$ values ('Site A'::text) $$,
  'owner A reads their website and not owner B''s');
select tests.authenticate_as('owner_b');
select results_eq($$ select name from public.websites order by name $$, $$ values ('Site B'::text) $$,
  'owner B reads their website and not owner A''s');
select tests.authenticate_as('outsider');
select is_empty($$ select * from public.websites $$, 'a user without websites reads none');
select tests.authenticate_as('visitor_a');
select is_empty($$ select * from public.websites $$, 'a visitor cannot list websites');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.websites $$, '42501', 'permission denied for table websites',
  'anon cannot read websites at all');
select tests.authenticate_as('service_role');
select ok((select count(*) from public.websites where id in ((select site_a from ids), (select site_b from ids))) = 2,
  'the service role (widget-init) reads every website');

-- ---------------------------------------------------------------- the team
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ insert into public.website_members (website_id, user_id, role) values ((select site_a from ids), tests.uid('agent_a'), 'agent') $$,
  'an owner adds an agent'
);
select throws_ok(
  $$ insert into public.website_members (website_id, user_id) values ((select site_a from ids), tests.uid('visitor_a')) $$,
  '23514', 'Anonymous users cannot be members of a website',
  'an owner cannot make a visitor (anonymous user) a member'
);

select tests.authenticate_as('agent_a');
select results_eq($$ select name from public.websites $$, $$ values ('Site A'::text) $$,
  'an agent reads the website they work on');
select results_eq(
  $$ select count(*)::int from public.website_members where website_id = (select site_a from ids) $$,
  $$ values (2) $$,
  'an agent sees their team'
);
select throws_ok(
  $$ insert into public.website_members (website_id, user_id) values ((select site_a from ids), tests.uid('outsider')) $$,
  '42501', 'new row violates row-level security policy for table "website_members"',
  'an agent cannot add members'
);
update public.website_members set role = 'owner' where user_id = tests.uid('agent_a');
select is((select role from public.website_members where user_id = tests.uid('agent_a')), 'agent',
  'an agent cannot promote themselves to owner');
update public.websites set name = 'Renamed by agent' where id = (select site_a from ids);
delete from public.websites where id = (select site_a from ids);
select tests.authenticate_as('owner_b');
select throws_ok(
  $$ insert into public.website_members (website_id, user_id, role) values ((select site_a from ids), tests.uid('owner_b'), 'owner') $$,
  '42501', 'new row violates row-level security policy for table "website_members"',
  'the owner of another website cannot join this one'
);
select is_empty($$ select * from public.website_members where website_id = (select site_a from ids) $$,
  'the owner of another website cannot see this team');
update public.websites set name = 'Renamed by owner B' where id = (select site_a from ids);
delete from public.websites where id = (select site_a from ids);
select tests.authenticate_as('visitor_a');
select is_empty($$ select * from public.website_members $$, 'a visitor sees no team');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.website_members $$, '42501', 'permission denied for table website_members',
  'anon cannot read teams');

select tests.clear_authentication();
select is((select name from public.websites where id = (select site_a from ids)), 'Site A',
  'neither an agent nor another website''s owner can rename or delete a website');

-- ---------------------------------------------------------------- settings are owners' business
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ update public.websites set name = 'Site A2', primary_color = '#112233', ai_enabled = false where id = (select site_a from ids) $$,
  'an owner changes the settings'
);
select throws_ok(
  $$ update public.websites set account_id = tests.uid('owner_b') where id = (select site_a from ids) $$,
  '42501', 'permission denied for table websites',
  'an owner cannot hand the website''s account to someone else through REST'
);
select tests.clear_authentication();
select is((select name || ' ' || primary_color || ' ' || ai_enabled from public.websites where id = (select site_a from ids)),
  'Site A2 #112233 false', 'the owner''s changes are stored');

-- ---------------------------------------------------------------- identity secrets
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.website_secrets), 1, 'an owner reads their website''s identity secret');
select throws_ok(
  $$ update public.website_secrets set identity_secret = 'weak' $$,
  '42501', 'permission denied for table website_secrets',
  'nobody sets a secret by hand'
);
create temporary table old_secret as select identity_secret from public.website_secrets;
create temporary table new_secret as select public.rotate_identity_secret((select site_a from ids)) as identity_secret;
select ok(
  (select identity_secret from new_secret) <> (select identity_secret from old_secret)
  and (select identity_secret from new_secret) = (select identity_secret from public.website_secrets),
  'an owner rotates the secret and gets the new one'
);
select tests.authenticate_as('agent_a');
select is_empty($$ select * from public.website_secrets $$, 'an agent cannot read the identity secret');
select throws_ok($$ select public.rotate_identity_secret((select site_a from ids)) $$,
  '42501', 'Only the website''s owners can rotate its identity secret', 'an agent cannot rotate it');
select tests.authenticate_as('owner_b');
select is_empty($$ select * from public.website_secrets where website_id = (select site_a from ids) $$,
  'another website''s owner cannot read it');
select throws_ok($$ select public.rotate_identity_secret((select site_a from ids)) $$,
  '42501', 'Only the website''s owners can rotate its identity secret', 'another website''s owner cannot rotate it');
select tests.authenticate_as('visitor_a');
select is_empty($$ select * from public.website_secrets $$, 'a visitor can never read a secret');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.website_secrets $$, '42501', 'permission denied for table website_secrets',
  'anon cannot read secrets');
select tests.authenticate_as('service_role');
select is((select count(*)::int from public.website_secrets where website_id = (select site_a from ids)), 1,
  'the service role (identify) reads the secret');

-- ---------------------------------------------------------------- team by e-mail
select tests.authenticate_as('owner_a');
select is((public.add_website_member((select site_a from ids), 'OUTSIDER@test.emily.local')).role, 'agent',
  'an owner adds a member by e-mail (case-insensitive), as agent by default');
select throws_ok($$ select public.add_website_member((select site_a from ids), 'nobody@test.emily.local') $$,
  'P0002', 'No account with that e-mail address', 'an unknown e-mail is refused');
select throws_ok($$ select public.add_website_member((select site_a from ids), 'x@test.emily.local', 'admin') $$,
  '23514', 'A member''s role is owner or agent', 'an unknown role is refused');
select tests.authenticate_as('agent_a');
select results_eq(
  $$ select email, role from public.website_team((select site_a from ids)) order by email $$,
  $$ values ('agent_a@test.emily.local'::text, 'agent'::text), ('outsider@test.emily.local', 'agent'),
            ('owner_a@test.emily.local', 'owner') $$,
  'members see their team with e-mail addresses'
);
select throws_ok($$ select public.add_website_member((select site_a from ids), 'owner_b@test.emily.local') $$,
  '42501', 'Only the website''s owners can manage its team', 'an agent cannot add members by e-mail');
select tests.authenticate_as('owner_b');
select throws_ok($$ select * from public.website_team((select site_a from ids)) $$,
  '42501', 'Only the website''s members can see its team', 'another website''s owner cannot list the team');

-- ---------------------------------------------------------------- leaving, removing, the last owner
select tests.authenticate_as('outsider');
select lives_ok($$ delete from public.website_members where user_id = tests.uid('outsider') $$, 'a member can leave');
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.website_members where website_id = (select site_a from ids)), 2,
  'after leaving, the member is gone');
select throws_ok(
  $$ delete from public.website_members where user_id = tests.uid('owner_a') and website_id = (select site_a from ids) $$,
  '23514', 'A website must keep at least one owner', 'the last owner cannot leave'
);
select throws_ok(
  $$ update public.website_members set role = 'agent' where user_id = tests.uid('owner_a') $$,
  '23514', 'A website must keep at least one owner', 'the last owner cannot step down'
);
select lives_ok(
  $$ update public.website_members set role = 'owner' where user_id = tests.uid('agent_a') $$,
  'an owner promotes an agent'
);
select tests.authenticate_as('agent_a');
select lives_ok(
  $$ update public.website_members set role = 'agent' where user_id = tests.uid('agent_a') $$,
  'with another owner, an owner may step down'
);
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ delete from public.website_members where user_id = tests.uid('agent_a') $$,
  'an owner removes a member'
);
insert into public.website_members (website_id, user_id, role) values ((select site_a from ids), tests.uid('agent_a'), 'owner');
select tests.authenticate_as('agent_a');
select throws_ok(
  $$ delete from public.website_members where user_id = tests.uid('owner_a') $$,
  '23514', 'The account holder of a website stays one of its owners',
  'a co-owner cannot remove the account holder (see 61-account-holder.sql)'
);

-- ---------------------------------------------------------------- deleting a website
select throws_ok(
  $$ delete from public.websites where id = (select site_a from ids) $$,
  '42501', 'Only the account holder can delete a website',
  'a co-owner cannot delete the website'
);
select tests.clear_authentication();
select is((select count(*)::int from public.websites where id = (select site_a from ids)), 1,
  'so it is still there');
select tests.authenticate_as('owner_a');
select lives_ok($$ delete from public.websites where id = (select site_a from ids) $$, 'its account holder deletes the website');
select tests.clear_authentication();
select is((select count(*)::int from public.websites where id = (select site_a from ids)), 0, 'the website is gone');
select is((select count(*)::int from public.website_members where website_id = (select site_a from ids)), 0,
  'its team went with it (the last-owner rule does not block the cascade)');
select is((select count(*)::int from public.website_secrets where website_id = (select site_a from ids)), 0,
  'its secret went with it');

select * from finish();
rollback;
