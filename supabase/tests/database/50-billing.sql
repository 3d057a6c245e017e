-- Billing: the plan catalogue, subscriptions and Stripe's tables — who reads what, which plan
-- applies, and how Stripe events are applied (once, in order, never undoing a newer state).
begin;
\ir _helpers.psql
select plan(58);
select tests.create_chat_fixture();

-- ---------------------------------------------------------------- the plan catalogue
select results_eq(
  $$ select id from public.plans order by position $$,
  $$ values ('free'::text), ('pro'), ('business') $$,
  'the catalogue has a free plan and paid plans, cheapest first');
select ok((select bool_and(websites is not null and ai_answers_per_month is not null and team_members is not null
  and knowledge_sources is not null) from public.plans), 'every plan has a limit for each of the four things');
select ok((select p.websites < q.websites and p.ai_answers_per_month < q.ai_answers_per_month
  and p.team_members < q.team_members and p.knowledge_sources < q.knowledge_sources
  from public.plans p, public.plans q where p.id = 'free' and q.id = 'pro'), 'a paid plan allows more than the free plan');

select tests.authenticate_as('anon');
select is((select count(*)::int from public.plans), 3, 'anon reads the catalogue (pricing pages)');
select throws_ok($$ update public.plans set websites = 1000 $$, '42501', 'permission denied for table plans',
  'anon cannot change a plan');
select tests.authenticate_as('visitor_a');
select is((select count(*)::int from public.plans), 3, 'a visitor reads the catalogue');
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.plans), 3, 'a signed-in user reads the catalogue');
select throws_ok($$ update public.plans set websites = 1000 where id = 'free' $$, '42501', 'permission denied for table plans',
  'a signed-in user cannot raise a limit');
select throws_ok($$ insert into public.plans (id, name, position) values ('mine', 'Mine', 9) $$, '42501',
  'permission denied for table plans', 'nor add a plan');
select throws_ok($$ delete from public.plans $$, '42501', 'permission denied for table plans', 'nor delete plans');

-- ---------------------------------------------------------------- which plan applies
select tests.clear_authentication();
select is(private.effective_plan_id(tests.uid('owner_a')), 'free', 'an account without a subscription is on the free plan');
select is((private.account_plan(tests.uid('owner_a'))).name, 'Free', 'and gets the free plan''s limits');

select ok(private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-01 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'active', 'price_pro', '2026-02-01 10:00:00+00', false), 'a subscription state is applied');
select is(private.effective_plan_id(tests.uid('owner_a')), 'pro', 'an active subscription''s plan applies');
select ok(private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-02 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'past_due', null, null, false), 'a newer state is applied');
select is(private.effective_plan_id(tests.uid('owner_a')), 'pro', 'past_due keeps the plan while Stripe retries');
select results_eq(
  $$ select stripe_price_id, current_period_end from public.subscriptions where account_id = tests.uid('owner_a') $$,
  $$ values ('price_pro'::text, '2026-02-01 10:00:00+00'::timestamptz) $$,
  'a state without price or period end keeps those of the same subscription');
select ok(private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-03 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'unpaid', null, null, false), 'unpaid is applied');
select is(private.effective_plan_id(tests.uid('owner_a')), 'free', 'an unpaid subscription falls back to the free plan');

-- ---------------------------------------------------------------- ordering of subscription events
select ok(not private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-02 12:00:00+00', 'cus_A', 'sub_A1', 'business',
  'active', 'price_business', null, false), 'an older event is not applied');
select results_eq(
  $$ select plan_id, status, state_event_at from public.subscriptions where account_id = tests.uid('owner_a') $$,
  $$ values ('pro'::text, 'unpaid'::text, '2026-01-03 10:00:00+00'::timestamptz) $$,
  'an older updated never overwrites a newer state');
select ok(private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-03 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'active', null, null, true), 'an event of the same second is applied (the later delivery wins)');
select ok(private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-04 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'canceled', null, null, false), 'a deletion is applied');
select ok(not private.apply_stripe_subscription(tests.uid('owner_a'), '2026-01-05 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'active', null, null, false), 'a canceled subscription cannot come back, even from a later-stamped event');
select is(private.effective_plan_id(tests.uid('owner_a')), 'free', 'after cancellation the account is on the free plan');

select ok(private.apply_stripe_subscription(tests.uid('owner_a'), '2026-02-01 10:00:00+00', 'cus_A', 'sub_A2', 'business',
  'active', 'price_business', '2026-03-01 10:00:00+00', false), 'a new subscription replaces a canceled one');
select ok(not private.apply_stripe_subscription(tests.uid('owner_a'), '2026-02-02 10:00:00+00', 'cus_A', 'sub_A1', 'pro',
  'canceled', null, null, false), 'a late event of the old subscription cannot end the new live one');
select results_eq(
  $$ select plan_id, status, stripe_subscription_id, stripe_price_id from public.subscriptions where account_id = tests.uid('owner_a') $$,
  $$ values ('business'::text, 'active'::text, 'sub_A2'::text, 'price_business'::text) $$,
  'the account is on the new subscription''s plan');

select throws_ok($$ select private.apply_stripe_subscription(tests.uid('owner_a'), null, 'cus_A', 'sub_A2', 'pro', 'active', null, null, false) $$,
  '22004', 'account, event time, subscription, plan and status are required', 'an event without a time is refused');
select throws_ok($$ select private.apply_stripe_subscription(tests.uid('owner_a'), now(), 'cus_A', 'sub_A2', 'gold', 'active', null, null, false) $$,
  '23503', null, 'an unknown plan is refused');
select throws_ok($$ select private.apply_stripe_subscription(tests.uid('owner_a'), now(), 'cus_A', 'sub_A2', 'pro', 'happy', null, null, false) $$,
  '23514', null, 'an unknown status is refused');

-- ---------------------------------------------------------------- invoices: the payment-failed flag
select ok(private.apply_stripe_invoice(tests.uid('owner_a'), '2026-02-10 10:00:00+00', 'cus_A', 'sub_A2', true),
  'a failed payment is recorded');
select ok(not private.apply_stripe_invoice(tests.uid('owner_a'), '2026-02-09 10:00:00+00', 'cus_A', 'sub_A2', false),
  'an older paid invoice does not clear a newer failure');
select ok(not private.apply_stripe_invoice(tests.uid('owner_a'), '2026-02-11 10:00:00+00', 'cus_A', 'sub_A1', false),
  'an invoice of another subscription changes nothing');
select is((private.billing_overview(tests.uid('owner_a')) ->> 'payment_failed')::boolean, true,
  'the billing overview shows the failed payment');
select ok(private.apply_stripe_invoice(tests.uid('owner_a'), '2026-02-12 10:00:00+00', 'cus_A', 'sub_A2', false),
  'a newer paid invoice clears it');
select is((select payment_failed from public.subscriptions where account_id = tests.uid('owner_a')), false, 'the flag is cleared');

select ok(private.apply_stripe_invoice(tests.uid('owner_b'), '2026-03-01 10:00:00+00', 'cus_B', 'sub_B1', true),
  'an invoice before any subscription event is kept');
select results_eq(
  $$ select plan_id, status, payment_failed from public.subscriptions where account_id = tests.uid('owner_b') $$,
  $$ values ('free'::text, 'incomplete'::text, true) $$, 'on a free, incomplete row');
select ok(private.apply_stripe_subscription(tests.uid('owner_b'), '2026-02-28 10:00:00+00', 'cus_B', 'sub_B1', 'pro',
  'past_due', 'price_pro', null, false), 'the subscription event, though older than the invoice, then applies');
select results_eq(
  $$ select plan_id, status, payment_failed from public.subscriptions where account_id = tests.uid('owner_b') $$,
  $$ values ('pro'::text, 'past_due'::text, true) $$, 'and keeps the invoice''s payment flag');

-- ---------------------------------------------------------------- the Stripe customer of an account
select is(private.link_stripe_customer(tests.uid('owner_a'), 'cus_A'), 'cus_A', 'the first customer of an account is stored');
select is(private.link_stripe_customer(tests.uid('owner_a'), 'cus_other'), 'cus_A', 'and kept: an account has one customer');
select throws_ok($$ select private.link_stripe_customer(tests.uid('owner_b'), 'cus_A') $$, '23505', null,
  'a customer belongs to one account only');

-- ---------------------------------------------------------------- who reads subscriptions
select tests.authenticate_as('owner_a');
select results_eq($$ select account_id, plan_id from public.subscriptions $$,
  $$ values (tests.uid('owner_a'), 'business'::text) $$, 'an account reads its own subscription only');
select throws_ok($$ update public.subscriptions set plan_id = 'business', status = 'active' $$, '42501',
  'permission denied for table subscriptions', 'an account cannot change its subscription');
select throws_ok($$ insert into public.subscriptions (account_id, plan_id, status) values (auth.uid(), 'business', 'active') $$,
  '42501', 'permission denied for table subscriptions', 'nor give itself one');
select throws_ok($$ select * from private.billing_customers $$, '42501', 'permission denied for table billing_customers',
  'Stripe customers are out of reach');
select throws_ok($$ select * from private.stripe_events $$, '42501', 'permission denied for table stripe_events',
  'Stripe events are out of reach');
select throws_ok($$ select private.apply_stripe_subscription(auth.uid(), now(), null, 'sub_X', 'business', 'active', null, null, false) $$,
  '42501', 'permission denied for function apply_stripe_subscription', 'nobody applies Stripe events through the API');
select throws_ok($$ select private.billing_overview(tests.uid('owner_b')) $$,
  '42501', 'permission denied for function billing_overview', 'nor reads someone''s billing overview');
select tests.authenticate_as('agent_a');
select is_empty($$ select * from public.subscriptions $$, 'an agent of the account''s website does not read its subscription');
select tests.authenticate_as('outsider');
select is_empty($$ select * from public.subscriptions $$, 'another user reads no subscription');
select tests.authenticate_as('visitor_a');
select is_empty($$ select * from public.subscriptions $$, 'a visitor reads none');
select tests.authenticate_as('anon');
select throws_ok($$ select * from public.subscriptions $$, '42501', 'permission denied for table subscriptions',
  'anon cannot read subscriptions');
select throws_ok($$ select * from private.stripe_events $$, '42501', 'permission denied for schema private',
  'anon cannot even look into the private schema');
select tests.authenticate_as('service_role');
select is((select count(*)::int from public.subscriptions where account_id in (tests.uid('owner_a'), tests.uid('owner_b'))), 2,
  'the service role reads every subscription');

-- ---------------------------------------------------------------- billing accounts
select tests.clear_authentication();
select ok(private.is_billing_account(tests.uid('owner_a')) and not private.is_billing_account(tests.uid('agent_a'))
  and not private.is_billing_account(tests.uid('outsider')),
  'website creators are billing accounts; agents and users without websites are not');

select * from finish();
rollback;
