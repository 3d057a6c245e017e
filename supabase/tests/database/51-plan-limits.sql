-- Plan limits enforced by the database: websites per account, team members per account, knowledge
-- sources per website and AI answers per month — with the exact error (PT402, HTTP 402 through
-- REST), for every writer (a signed-in user, a security definer function, the service role), and
-- without telling outsiders anything (they get RLS's error). Limits are set small for this test.
begin;
\ir _helpers.psql
select plan(43);

update public.plans set websites = 2, team_members = 3, knowledge_sources = 3, ai_answers_per_month = 5 where id = 'free';
update public.plans set websites = 3 where id = 'pro';

-- The error a statement raises, as "SQLSTATE | message | detail | hint".
create function tests.error_of(statement text)
  returns text
  language plpgsql
as $$
declare
  state text;
  msg text;
  det text;
  hnt text;
begin
  execute statement;
  return 'no error';
exception when others then
  get stacked diagnostics state = returned_sqlstate, msg = message_text, det = pg_exception_detail, hnt = pg_exception_hint;
  return state || ' | ' || msg || ' | ' || det || ' | ' || hnt;
end;
$$;
grant execute on function tests.error_of(text) to anon, authenticated, service_role;

select tests.create_user('owner_x');
select tests.create_user('agent_1');
select tests.create_user('agent_2');
select tests.create_user('agent_3');
select tests.create_user('stranger');
select tests.create_user('visitor_x', true);
insert into tests.ids values ('x1', tests.create_website('owner_x', 'X one'));
insert into tests.ids values ('x2', tests.create_website('owner_x', 'X two'));

-- ---------------------------------------------------------------- websites per account
select tests.authenticate_as('owner_x');
select is(tests.error_of($$ insert into public.websites (name) values ('X three') $$),
  'PT402 | Plan limit reached: the Free plan allows 2 websites per account. | websites: 2 used of 2 on the free plan. | Upgrade the plan on the Billing page, or delete a website first.',
  'a website beyond the plan is refused with a clear error (PT402: HTTP 402 through REST)');
select tests.authenticate_as('service_role');
select throws_ok($$ insert into public.websites (account_id, name) values (tests.uid('owner_x'), 'X three') $$,
  'PT402', 'Plan limit reached: the Free plan allows 2 websites per account.', 'the service role meets the limit too');
select tests.authenticate_as('visitor_x');
select throws_ok($$ insert into public.websites (name) values ('Visitor site') $$,
  '42501', 'new row violates row-level security policy for table "websites"', 'a visitor still gets RLS''s refusal');

select tests.clear_authentication();
select ok(private.apply_stripe_subscription(tests.uid('owner_x'), now(), 'cus_X', 'sub_X', 'pro', 'active', null, null, false),
  'the account subscribes to Pro');
select tests.authenticate_as('owner_x');
select lives_ok($$ insert into public.websites (name) values ('X three') $$, 'on Pro, a third website fits');
select throws_ok($$ insert into public.websites (name) values ('X four') $$,
  'PT402', 'Plan limit reached: the Pro plan allows 3 websites per account.', 'and Pro''s own limit holds');
select tests.clear_authentication();
select ok(private.apply_stripe_subscription(tests.uid('owner_x'), now() + interval '1 minute', 'cus_X', 'sub_X', 'pro',
  'canceled', null, null, false), 'the subscription is canceled');
select is((select count(*)::int from public.websites where account_id = tests.uid('owner_x')), 3,
  'after a downgrade the existing websites stay');
select tests.authenticate_as('owner_x');
select throws_ok($$ insert into public.websites (name) values ('X four') $$,
  'PT402', 'Plan limit reached: the Free plan allows 2 websites per account.', 'but no new one can be added');
select lives_ok($$ delete from public.websites where name = 'X three' $$, 'the owner deletes one');
select lives_ok($$ update public.websites set name = 'X two renamed' where id = tests.id('x2') $$,
  'editing a website at the limit is fine');

-- ---------------------------------------------------------------- team members per account
select lives_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x1'), tests.uid('agent_1')) $$,
  'the owner adds a first agent (2 of 3 places)');
select is((public.add_website_member(tests.id('x1'), 'agent_2@test.emily.local')).role, 'agent',
  'and a second by e-mail (3 of 3: the account holder counts)');
select is(tests.error_of($$ insert into public.website_members (website_id, user_id) values (tests.id('x1'), tests.uid('agent_3')) $$),
  'PT402 | Plan limit reached: the Free plan allows 3 team members per account (the account holder included). | team_members: 3 used of 3 on the free plan. | Upgrade the plan on the Billing page, or remove a team member first.',
  'a fourth person is refused with a clear error');
select throws_ok($$ select public.add_website_member(tests.id('x1'), 'agent_3@test.emily.local') $$,
  'PT402', 'Plan limit reached: the Free plan allows 3 team members per account (the account holder included).',
  'also when added by e-mail');
select throws_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x2'), tests.uid('agent_3')) $$,
  'PT402', 'Plan limit reached: the Free plan allows 3 team members per account (the account holder included).',
  'and on another website of the same account: the limit is per account');
select lives_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x2'), tests.uid('agent_1')) $$,
  'someone already on the account''s teams joins another of its websites without taking a place');
select lives_ok($$ select public.add_website_member(tests.id('x1'), 'agent_2@test.emily.local', 'owner') $$,
  'changing a member''s role at the limit is fine');
select tests.authenticate_as('agent_1');
select throws_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x2'), tests.uid('agent_3')) $$,
  '42501', 'new row violates row-level security policy for table "website_members"',
  'an agent who may not add members gets RLS''s refusal, not the plan''s');
select tests.authenticate_as('stranger');
select throws_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x1'), tests.uid('stranger')) $$,
  '42501', 'new row violates row-level security policy for table "website_members"',
  'so does a stranger: the limit tells outsiders nothing');
select tests.authenticate_as('service_role');
select throws_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x1'), tests.uid('agent_3')) $$,
  'PT402', 'Plan limit reached: the Free plan allows 3 team members per account (the account holder included).',
  'the service role meets the limit too');
select tests.authenticate_as('owner_x');
select lives_ok($$ delete from public.website_members where user_id = tests.uid('agent_1') $$, 'a member is removed everywhere');
select lives_ok($$ insert into public.website_members (website_id, user_id) values (tests.id('x1'), tests.uid('agent_3')) $$,
  'which frees a place');

-- ---------------------------------------------------------------- knowledge sources per website
select tests.authenticate_as('agent_3');
select lives_ok($$ insert into public.knowledge_sources (website_id, kind, title) select tests.id('x1'), 'text', 'S' || n from generate_series(1, 3) n $$,
  'a member adds sources up to the limit');
select is(tests.error_of($$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('x1'), 'text', 'S4') $$),
  'PT402 | Plan limit reached: the Free plan allows 3 knowledge sources per website. | knowledge_sources: 3 used of 3 on the free plan. | Upgrade the plan on the Billing page, or delete a knowledge source first.',
  'one more is refused with a clear error');
select tests.authenticate_as('owner_x');
select lives_ok($$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('x2'), 'text', 'Other site') $$,
  'the limit is per website');
select lives_ok($$ update public.knowledge_sources set title = 'S1 renamed' where title = 'S1' $$, 'editing a source at the limit is fine');
select tests.authenticate_as('stranger');
select throws_ok($$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('x1'), 'text', 'Spam') $$,
  '42501', 'new row violates row-level security policy for table "knowledge_sources"', 'a stranger gets RLS''s refusal');
select tests.authenticate_as('service_role');
select throws_ok($$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('x1'), 'text', 'S4') $$,
  'PT402', 'Plan limit reached: the Free plan allows 3 knowledge sources per website.', 'the service role meets the limit too');
select tests.authenticate_as('owner_x');
select lives_ok($$ delete from public.knowledge_sources where title = 'S2' $$, 'deleting a source frees a place');
select lives_ok($$ insert into public.knowledge_sources (website_id, kind, title) values (tests.id('x1'), 'text', 'S4') $$, 'for a new one');

-- ---------------------------------------------------------------- AI answers per month
select tests.clear_authentication();
select tests.create_chat_fixture();
select tests.authenticate_as('service_role');
with m as (
  insert into public.messages (conversation_id, sender, content, client_id)
  values (tests.id('conv_a'), 'user', 'Are you open on Sunday?', gen_random_uuid()) returning id
) insert into tests.ids select 'msg_a', id from m;
select tests.clear_authentication();
create temporary table answers (n integer, allowed boolean, used bigint, quota integer, plan_id text);
do $$
begin
  for i in 1..6 loop
    insert into answers select i, r.* from private.consume_ai_answer(tests.id('site_a'), tests.id('msg_a')) r;
  end loop;
end;
$$;
select results_eq($$ select allowed, used, quota, plan_id from answers order by n $$,
  $$ values (true, 1::bigint, 5, 'free'::text), (true, 2::bigint, 5, 'free'::text), (true, 3::bigint, 5, 'free'::text),
            (true, 4::bigint, 5, 'free'::text), (true, 5::bigint, 5, 'free'::text), (false, 5::bigint, 5, 'free'::text) $$,
  'five answers fit a quota of five; the sixth does not and is not counted');
select is((select metadata -> 'ai' from public.messages where id = tests.id('msg_a')),
  '{"status": "skipped", "reason": "quota", "plan": "free", "quota": 5}'::jsonb,
  'the message records that the AI skipped it because of the quota (the inbox shows why)');
select is((select needs_human from public.conversations where id = tests.id('conv_a')), true,
  'its conversation waits for a person');
select results_eq(
  $$ select metric, count from public.usage_counters where account_id = tests.uid('owner_a') order by metric $$,
  $$ values ('ai_answers'::text, 5::bigint), ('ai_answers_skipped', 1::bigint) $$,
  'usage holds the quota exactly, and the skipped answer is counted apart');
select throws_ok($$ select private.consume_ai_answer(gen_random_uuid(), gen_random_uuid()) $$, 'P0002', null,
  'an unknown website is refused');
select tests.authenticate_as('owner_a');
select throws_ok($$ select private.consume_ai_answer(tests.id('site_a'), tests.id('msg_a')) $$, '42501',
  'permission denied for function consume_ai_answer', 'no API role counts AI answers');

-- ---------------------------------------------------------------- the billing overview
select tests.clear_authentication();
select is(private.billing_overview(tests.uid('owner_a')) -> 'usage' -> 'ai_answers', '{"used": 5, "limit": 5, "skipped": 1}'::jsonb,
  'the overview shows AI answers used, the quota and the skipped ones');
select is((private.billing_overview(tests.uid('owner_a')) ->> 'ai_paused')::boolean, true, 'and that the AI is paused for the month');
select is(private.billing_overview(tests.uid('owner_x')) -> 'usage' -> 'websites', '{"used": 2, "limit": 2}'::jsonb,
  'websites used against the limit');
select is(private.billing_overview(tests.uid('owner_x')) -> 'usage' -> 'team_members', '{"used": 3, "limit": 3}'::jsonb,
  'team members (the account holder included) against the limit');
select is(
  (select jsonb_agg(w -> 'used' order by w ->> 'name') from jsonb_array_elements(private.billing_overview(tests.uid('owner_x')) -> 'usage' -> 'knowledge_sources' -> 'websites') w),
  '[3, 1]'::jsonb, 'knowledge sources per website');
select results_eq(
  $$ select o -> 'plan' ->> 'id', o -> 'subscription' ->> 'status', (o ->> 'payment_failed')::boolean
     from (select private.billing_overview(tests.uid('owner_x')) as o) s $$,
  $$ values ('free'::text, 'canceled'::text, false) $$,
  'after cancellation: the free plan, the canceled subscription, no payment banner');

select * from finish();
rollback;
