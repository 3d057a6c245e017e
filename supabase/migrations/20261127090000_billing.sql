/**
 * -------------------------------------------------------
 * Section - Billing: plans, subscriptions and Stripe's side of them
 * -------------------------------------------------------
 * An account is a user (auth.users.id) who pays: the user who created a website is its account
 * (websites.account_id), and every website, team seat and AI answer of those websites counts
 * against that account's plan. The plan catalogue lives here, in one table, because the database
 * itself enforces its limits (next migration); the Stripe price of each paid plan is configured in
 * the Edge Functions' environment (STRIPE_PRICE_<PLAN ID>), not here.
 *
 * Stripe tells us what happened through webhooks (the `stripe-webhook` Edge Function, service
 * connection): each event id is stored once, and a subscription's state is only ever replaced by
 * the state of a newer event, so replays and out-of-order deliveries change nothing.
 * An account without a subscription row, or whose subscription is not live, is on the free plan.
 */

/**
 * The plan catalogue: what each plan allows. A null limit means unlimited (a self-hosted
 * installation can lift the free plan's limits with one UPDATE). Limits apply to new things only:
 * after a downgrade, what already exists stays, but nothing more can be added.
 */
create table public.plans (
  id text primary key check (id ~ '^[a-z][a-z0-9_]{0,31}$'),
  name text not null check (pg_catalog.char_length(name) between 1 and 40),
  -- Display order on the billing page, cheapest first.
  position smallint not null unique,
  -- Shown on the billing page; what Stripe charges is the configured price's amount.
  monthly_price_cents integer not null default 0 check (monthly_price_cents >= 0),
  currency text not null default 'usd' check (currency ~ '^[a-z]{3}$'),
  -- Websites the account may own.
  websites integer check (websites >= 0),
  -- AI answers per calendar month (UTC) over all of the account's websites.
  ai_answers_per_month integer check (ai_answers_per_month >= 0),
  -- People on the account's teams (owners and agents of its websites), the account holder included.
  team_members integer check (team_members >= 1),
  -- Knowledge sources per website.
  knowledge_sources integer check (knowledge_sources >= 0),
  created_at timestamptz not null default now()
);
comment on table public.plans is
  'The plan catalogue (free and paid plans) with their limits; null = unlimited. Readable by everyone.';
comment on column public.plans.team_members is
  'People on the account''s teams (distinct owners and agents of its websites), the account holder included.';
comment on column public.plans.knowledge_sources is
  'Knowledge sources per website.';

insert into public.plans (id, name, position, monthly_price_cents, currency, websites, ai_answers_per_month, team_members, knowledge_sources)
values
  ('free', 'Free', 0, 0, 'usd', 3, 100, 5, 50),
  ('pro', 'Pro', 1, 2900, 'usd', 10, 2000, 15, 500),
  ('business', 'Business', 2, 9900, 'usd', 50, 10000, 50, 2000);

/**
 * One row per account that has ever had a Stripe subscription: the state of its latest one, as the
 * webhooks reported it. Written only by the stripe-webhook function (through the functions below);
 * the account reads its own row.
 */
create table public.subscriptions (
  account_id uuid primary key references auth.users (id) on delete cascade,
  -- The plan subscribed to; it applies while the status is live (see private.effective_plan_id).
  plan_id text not null references public.plans (id),
  status text not null check (status in (
    'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused')),
  stripe_customer_id text check (stripe_customer_id ~ '^cus_[A-Za-z0-9_]{1,250}$'),
  stripe_subscription_id text check (stripe_subscription_id ~ '^sub_[A-Za-z0-9_]{1,250}$'),
  stripe_price_id text check (pg_catalog.char_length(stripe_price_id) between 1 and 255),
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  -- The last invoice of the subscription failed to be paid (and none was paid since).
  payment_failed boolean not null default false,
  -- `created` of the Stripe event the subscription state / the payment flag came from: an event
  -- older than these never overwrites them.
  state_event_at timestamptz,
  payment_event_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.subscriptions is
  'Per account: its Stripe subscription''s plan, status, period and payment state. Written by the stripe-webhook function; the account reads its own.';
comment on column public.subscriptions.state_event_at is
  'created time of the Stripe event the plan/status came from; older events are ignored (out-of-order delivery).';

create index subscriptions_plan_id_idx on public.subscriptions (plan_id);
create index subscriptions_stripe_subscription_id_idx on public.subscriptions (stripe_subscription_id);

create trigger set_updated_at
  before update on public.subscriptions
  for each row execute function private.set_updated_at();

/**
 * The Stripe customer of each account, created once (by the billing function, before the first
 * Checkout) and reused for every Checkout and Customer Portal session. Webhook events name the
 * customer; this is how they find their account.
 */
create table private.billing_customers (
  account_id uuid primary key references auth.users (id) on delete cascade,
  stripe_customer_id text not null unique check (stripe_customer_id ~ '^cus_[A-Za-z0-9_]{1,250}$'),
  created_at timestamptz not null default now()
);
comment on table private.billing_customers is
  'The Stripe customer of each account (one, created once and reused); maps webhook events to accounts.';

/**
 * Every Stripe event received, stored once by id: a replayed or duplicated delivery finds its id
 * here and changes nothing. `outcome` says what the event did (applied, stale, ignored, ...).
 */
create table private.stripe_events (
  id text primary key check (id ~ '^evt_[A-Za-z0-9_]{1,250}$'),
  type text not null check (pg_catalog.char_length(type) between 1 and 100),
  -- The event's `created` time at Stripe (orders events about the same subscription).
  created timestamptz not null,
  livemode boolean not null default false,
  account_id uuid references auth.users (id) on delete set null,
  outcome text not null default 'received' check (pg_catalog.char_length(outcome) between 1 and 40),
  received_at timestamptz not null default now()
);
comment on table private.stripe_events is
  'Stripe webhook events by id, each processed once (replays are no-ops), with what each one did.';

create index stripe_events_account_idx on private.stripe_events (account_id, created) where account_id is not null;

alter table private.billing_customers enable row level security;
alter table private.stripe_events enable row level security;
revoke all on private.billing_customers, private.stripe_events from public, anon, authenticated, service_role;

/**
 * -------------------------------------------------------
 * Section - Which plan an account is on
 * -------------------------------------------------------
 */

/**
 * The statuses in which a subscription's plan applies. past_due keeps the plan while Stripe
 * retries the payment (the billing page shows the failed payment); unpaid, canceled, incomplete
 * and paused fall back to the free plan.
 */
create or replace function private.is_live_subscription_status(subscription_status text)
  returns boolean
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select subscription_status in ('active', 'trialing', 'past_due')
$$;
comment on function private.is_live_subscription_status(text) is
  'True for subscription statuses whose plan applies (active, trialing, past_due).';

/**
 * The id of the plan that applies to an account now: its subscription's plan while live, else free.
 */
create or replace function private.effective_plan_id(account uuid)
  returns text
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce((
    select s.plan_id from public.subscriptions s
    where s.account_id = account and private.is_live_subscription_status(s.status)
  ), 'free')
$$;
comment on function private.effective_plan_id(uuid) is
  'The plan id that applies to the account now: its live subscription''s plan, else ''free''.';

/**
 * The plan row (with its limits) that applies to an account now.
 */
create or replace function private.account_plan(account uuid)
  returns public.plans
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  plan public.plans;
begin
  select p.* into plan from public.plans p where p.id = private.effective_plan_id(account);
  if not found then
    raise exception 'The plan catalogue has no ''free'' plan' using errcode = 'no_data_found';
  end if;
  return plan;
end;
$$;
comment on function private.account_plan(uuid) is
  'The plan (with limits) that applies to the account now.';

/**
 * Whether a user is a billing account: they own a website (created one) or have billing history.
 * Agents who only work on other people's websites are not.
 */
create or replace function private.is_billing_account(account uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (select 1 from public.websites w where w.account_id = account)
    or exists (select 1 from public.subscriptions s where s.account_id = account)
    or exists (select 1 from private.billing_customers c where c.account_id = account)
$$;
comment on function private.is_billing_account(uuid) is
  'True when the user owns (created) a website or has a subscription or Stripe customer.';

/**
 * What the billing page shows: the plan that applies, the subscription, and usage against every
 * limit (websites, team members, AI answers this month, knowledge sources per website).
 */
create or replace function private.billing_overview(account uuid)
  returns jsonb
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  plan public.plans := private.account_plan(account);
  sub public.subscriptions;
  period date := (pg_catalog.date_trunc('month', pg_catalog.now() at time zone 'utc'))::date;
  website_count integer;
  seat_count integer;
  answers bigint;
  skipped bigint;
  sources jsonb;
begin
  select s.* into sub from public.subscriptions s where s.account_id = account;
  select pg_catalog.count(*)::integer into website_count from public.websites w where w.account_id = account;
  select 1 + pg_catalog.count(distinct m.user_id)::integer into seat_count
  from public.website_members m join public.websites w on w.id = m.website_id
  where w.account_id = account and m.user_id <> account;
  select coalesce(pg_catalog.sum(u.count) filter (where u.metric = 'ai_answers'), 0)::bigint,
         coalesce(pg_catalog.sum(u.count) filter (where u.metric = 'ai_answers_skipped'), 0)::bigint
    into answers, skipped
  from public.usage_counters u
  where u.account_id = account and u.period_start = period and u.metric in ('ai_answers', 'ai_answers_skipped');
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'website_id', w.id, 'name', w.name,
      'used', (select pg_catalog.count(*) from public.knowledge_sources k where k.website_id = w.id))
    order by w.created_at, w.id), '[]'::jsonb)
    into sources
  from public.websites w where w.account_id = account;

  return pg_catalog.jsonb_build_object(
    'account_id', account,
    'plan', pg_catalog.jsonb_build_object(
      'id', plan.id, 'name', plan.name, 'monthly_price_cents', plan.monthly_price_cents, 'currency', plan.currency),
    'subscription', case when sub.account_id is null then null else pg_catalog.jsonb_build_object(
      'plan_id', sub.plan_id, 'status', sub.status, 'current_period_end', sub.current_period_end,
      'cancel_at_period_end', sub.cancel_at_period_end, 'payment_failed', sub.payment_failed) end,
    -- A failed payment matters while the subscription is still there to be paid for.
    'payment_failed', coalesce(sub.status not in ('canceled', 'incomplete_expired')
      and (sub.payment_failed or sub.status in ('past_due', 'unpaid')), false),
    'period_start', period,
    'usage', pg_catalog.jsonb_build_object(
      'websites', pg_catalog.jsonb_build_object('used', website_count, 'limit', plan.websites),
      'team_members', pg_catalog.jsonb_build_object('used', greatest(seat_count, 1), 'limit', plan.team_members),
      'ai_answers', pg_catalog.jsonb_build_object('used', answers, 'limit', plan.ai_answers_per_month, 'skipped', skipped),
      'knowledge_sources', pg_catalog.jsonb_build_object('limit', plan.knowledge_sources, 'websites', sources)),
    -- The AI stops answering (messages wait for a person) once the month's quota is used up.
    'ai_paused', plan.ai_answers_per_month is not null and answers >= plan.ai_answers_per_month
  );
end;
$$;
comment on function private.billing_overview(uuid) is
  'The billing page''s data: plan, subscription, payment-failed flag and usage against each limit.';

/**
 * -------------------------------------------------------
 * Section - Applying Stripe events (stripe-webhook, service connection)
 * -------------------------------------------------------
 * Ordering rules, so that a late or repeated delivery never undoes a newer state:
 *   - a subscription state replaces the stored one only if its event is not older (Stripe's
 *     `created`, in seconds; on a tie the later delivery wins);
 *   - a canceled (or expired) subscription stays so: an older `updated` of the same subscription
 *     arriving after its `deleted` cannot bring it back;
 *   - a state of another subscription than the stored one replaces it only if that one is live or
 *     the stored one is not (the final events of an old subscription cannot end a new one);
 *   - the payment flag has its own event time (invoice events) and follows the same rule.
 */

/**
 * Records the Stripe customer of an account unless it already has one; returns the account's
 * customer id (the existing one when there was one).
 */
create or replace function private.link_stripe_customer(account uuid, customer_id text)
  returns text
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  linked text;
begin
  insert into private.billing_customers as c (account_id, stripe_customer_id)
  values (account, customer_id)
  on conflict (account_id) do nothing;
  select c.stripe_customer_id into linked from private.billing_customers c where c.account_id = account;
  return linked;
end;
$$;
comment on function private.link_stripe_customer(uuid, text) is
  'Stores the account''s Stripe customer once (first one wins); returns the account''s customer id.';

/**
 * Applies a subscription state reported by a Stripe event (checkout.session.completed,
 * customer.subscription.created/updated/deleted) if the ordering rules above allow it. Null price
 * or period end keep the stored ones for the same subscription. Returns true when applied.
 */
create or replace function private.apply_stripe_subscription(
  account uuid,
  event_created timestamptz,
  customer_id text,
  subscription_id text,
  new_plan_id text,
  new_status text,
  price_id text,
  period_end timestamptz,
  cancels_at_period_end boolean
)
  returns boolean
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  applied boolean;
begin
  if account is null or event_created is null or subscription_id is null or new_plan_id is null or new_status is null then
    raise exception 'account, event time, subscription, plan and status are required'
      using errcode = 'null_value_not_allowed';
  end if;
  insert into public.subscriptions as s (account_id, plan_id, status, stripe_customer_id, stripe_subscription_id,
    stripe_price_id, current_period_end, cancel_at_period_end, state_event_at)
  values (account, new_plan_id, new_status, customer_id, subscription_id, price_id, period_end,
    coalesce(cancels_at_period_end, false), event_created)
  on conflict (account_id) do update set
    plan_id = excluded.plan_id,
    status = excluded.status,
    stripe_customer_id = coalesce(excluded.stripe_customer_id, s.stripe_customer_id),
    stripe_subscription_id = excluded.stripe_subscription_id,
    stripe_price_id = coalesce(excluded.stripe_price_id,
      case when s.stripe_subscription_id = excluded.stripe_subscription_id then s.stripe_price_id end),
    current_period_end = coalesce(excluded.current_period_end,
      case when s.stripe_subscription_id = excluded.stripe_subscription_id then s.current_period_end end),
    cancel_at_period_end = excluded.cancel_at_period_end,
    -- A new subscription starts without the old one's failed payment.
    payment_failed = case when s.stripe_subscription_id = excluded.stripe_subscription_id then s.payment_failed else false end,
    state_event_at = excluded.state_event_at
  where (s.state_event_at is null or excluded.state_event_at >= s.state_event_at)
    and not (s.stripe_subscription_id = excluded.stripe_subscription_id
      and s.status in ('canceled', 'incomplete_expired')
      and excluded.status not in ('canceled', 'incomplete_expired'))
    and (s.stripe_subscription_id is null
      or s.stripe_subscription_id = excluded.stripe_subscription_id
      or private.is_live_subscription_status(excluded.status)
      or not private.is_live_subscription_status(s.status))
  returning true into applied;
  return coalesce(applied, false);
end;
$$;
comment on function private.apply_stripe_subscription(uuid, timestamptz, text, text, text, text, text, timestamptz, boolean) is
  'stripe-webhook: stores a subscription state unless an equal-or-newer event already set one (see the ordering rules); true when applied.';

/**
 * Applies an invoice outcome (invoice.paid → payment ok, invoice.payment_failed → failed) to the
 * account's subscription, unless a newer invoice event already did, or the invoice belongs to
 * another subscription than the stored one. An invoice that arrives before any subscription event
 * creates the row (free plan, incomplete) so that its outcome is not lost. Returns true when applied.
 */
create or replace function private.apply_stripe_invoice(
  account uuid,
  event_created timestamptz,
  customer_id text,
  subscription_id text,
  failed boolean
)
  returns boolean
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  applied boolean;
begin
  if account is null or event_created is null or failed is null then
    raise exception 'account, event time and outcome are required' using errcode = 'null_value_not_allowed';
  end if;
  insert into public.subscriptions as s (account_id, plan_id, status, stripe_customer_id, stripe_subscription_id,
    payment_failed, payment_event_at)
  values (account, 'free', 'incomplete', customer_id, subscription_id, failed, event_created)
  on conflict (account_id) do update set
    payment_failed = excluded.payment_failed,
    payment_event_at = excluded.payment_event_at,
    stripe_customer_id = coalesce(s.stripe_customer_id, excluded.stripe_customer_id),
    stripe_subscription_id = coalesce(s.stripe_subscription_id, excluded.stripe_subscription_id)
  where (s.payment_event_at is null or excluded.payment_event_at >= s.payment_event_at)
    and (excluded.stripe_subscription_id is null or s.stripe_subscription_id is null
      or s.stripe_subscription_id = excluded.stripe_subscription_id)
  returning true into applied;
  return coalesce(applied, false);
end;
$$;
comment on function private.apply_stripe_invoice(uuid, timestamptz, text, text, boolean) is
  'stripe-webhook: sets or clears the payment-failed flag unless a newer invoice event did; true when applied.';

/**
 * -------------------------------------------------------
 * Section - Privileges and RLS
 * -------------------------------------------------------
 * The catalogue is public; a subscription is read by its account only; nothing here is written
 * through the API (the webhook writes through its service connection).
 */
revoke all on public.plans, public.subscriptions from anon, authenticated;
grant select on public.plans to anon, authenticated;
grant select on public.subscriptions to authenticated;

alter table public.plans enable row level security;
alter table public.subscriptions enable row level security;

create policy "Everyone can read the plan catalogue"
  on public.plans for select to anon, authenticated
  using (true);

create policy "Accounts can read their own subscription"
  on public.subscriptions for select to authenticated
  using (account_id = (select auth.uid()));

revoke all on function
  private.is_live_subscription_status(text),
  private.effective_plan_id(uuid),
  private.account_plan(uuid),
  private.is_billing_account(uuid),
  private.billing_overview(uuid),
  private.link_stripe_customer(uuid, text),
  private.apply_stripe_subscription(uuid, timestamptz, text, text, text, text, text, timestamptz, boolean),
  private.apply_stripe_invoice(uuid, timestamptz, text, text, boolean)
from public, anon, authenticated, service_role;
