/**
 * -------------------------------------------------------
 * Section - Usage counting and rate limiting
 * -------------------------------------------------------
 * Plan limits (billing, a later migration) and abuse protection both need counters that hold under
 * concurrent requests. Both are single SQL calls for the Edge Functions (service role) and are
 * atomic: 20 callers racing at a limit never get more than the limit between them.
 * An "account" is the user who created a website (websites.account_id); Stripe billing tables
 * will reference the same auth.users id.
 */

/**
 * Monthly usage per account, broken down by website (e.g. metric 'ai_answers'). The account's
 * total for a month is the sum of its rows. No foreign key to websites: the month's count must
 * survive a deleted website, or deleting one would reset a quota.
 */
create table public.usage_counters (
  account_id uuid not null references auth.users (id) on delete cascade,
  website_id uuid not null,
  metric text not null check (metric ~ '^[a-z][a-z0-9_]{0,62}$'),
  -- First day of the calendar month (UTC).
  period_start date not null,
  count bigint not null default 0 check (count >= 0),
  updated_at timestamptz not null default now(),
  primary key (account_id, metric, period_start, website_id)
);
comment on table public.usage_counters is
  'Monthly usage (e.g. ai_answers) per account and website; written by private.increment_usage only.';

create index usage_counters_website_idx on public.usage_counters (website_id, metric, period_start);

/**
 * Fixed-window rate limits keyed by any text (e.g. 'widget-messages:<website>:<visitor>'). One row
 * per key, reused from window to window; not reachable through the API at all.
 */
create table private.rate_limits (
  key text primary key check (pg_catalog.char_length(key) between 1 and 200),
  window_start timestamptz not null,
  count integer not null,
  expires_at timestamptz not null
);
comment on table private.rate_limits is
  'Fixed-window request counters per key for private.check_rate_limit; stale rows are pruned as it runs.';

create index rate_limits_expires_at_idx on private.rate_limits (expires_at);
alter table private.rate_limits enable row level security;
revoke all on private.rate_limits from public, anon, authenticated, service_role;

/**
 * Adds `amount` to a website's account usage for this month, unless that would take the account
 * over `quota` (null = no quota). Returns whether it was counted and the account's monthly total.
 * Callers of one account/metric/month are serialised by a transaction-scoped advisory lock, so the
 * check and the increment are one atomic step (the lock is held until the caller's transaction
 * ends: call it in a short transaction, as PostgREST does). Requires READ COMMITTED (the default).
 */
create or replace function private.increment_usage(
  target_website_id uuid,
  usage_metric text,
  amount integer,
  quota bigint,
  out allowed boolean,
  out used bigint
)
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  account uuid;
  period date := (pg_catalog.date_trunc('month', pg_catalog.now() at time zone 'utc'))::date;
begin
  if amount is null or amount < 0 then
    raise exception 'amount must be zero or more' using errcode = 'invalid_parameter_value';
  end if;
  select w.account_id into account from public.websites w where w.id = target_website_id;
  if account is null then
    raise exception 'Unknown website %', target_website_id using errcode = 'no_data_found';
  end if;

  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
    'emily.usage:' || account::text || ':' || usage_metric || ':' || period::text, 0));

  select coalesce(pg_catalog.sum(u.count), 0)::bigint into used
  from public.usage_counters u
  where u.account_id = account and u.metric = usage_metric and u.period_start = period;

  if quota is not null and used + amount > quota then
    allowed := false;
    return;
  end if;

  insert into public.usage_counters as u (account_id, website_id, metric, period_start, count)
  values (account, target_website_id, usage_metric, period, amount)
  on conflict (account_id, metric, period_start, website_id)
  do update set count = u.count + excluded.count, updated_at = pg_catalog.now();

  allowed := true;
  used := used + amount;
end;
$$;
comment on function private.increment_usage(uuid, text, integer, bigint) is
  'Atomically counts usage for the website''s account this month unless over quota; returns (allowed, used).';

/**
 * Counts one request for `key` in the current fixed window of length `window_length` and says
 * whether it is within `max_requests`. The upsert takes the key's row lock, so concurrent callers
 * are counted one after another and exactly `max_requests` of them are allowed per window.
 * retry_after_seconds is the time until the window ends (0 when allowed). About one call in a
 * hundred also deletes up to 500 expired keys.
 */
create or replace function private.check_rate_limit(
  rate_key text,
  max_requests integer,
  window_length interval,
  out allowed boolean,
  out remaining integer,
  out retry_after_seconds integer
)
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  now_ts timestamptz := pg_catalog.clock_timestamp();
  current_window timestamptz;
  current_count integer;
begin
  if rate_key is null or pg_catalog.char_length(rate_key) not between 1 and 200 then
    raise exception 'rate limit key must be 1 to 200 characters' using errcode = 'invalid_parameter_value';
  end if;
  if max_requests is null or max_requests < 1 then
    raise exception 'max_requests must be at least 1' using errcode = 'invalid_parameter_value';
  end if;
  if window_length is null or window_length < interval '1 second' or window_length > interval '31 days'
     or pg_catalog.date_part('month', window_length) <> 0 or pg_catalog.date_part('year', window_length) <> 0 then
    raise exception 'window must be between 1 second and 31 days, in days or smaller units'
      using errcode = 'invalid_parameter_value';
  end if;

  current_window := pg_catalog.date_bin(window_length, now_ts, timestamptz '2000-01-01 00:00:00+00');

  -- A caller that computed an older window than the row's (it raced a boundary) counts against the
  -- newer window: never resets a count that is already running.
  insert into private.rate_limits as r (key, window_start, count, expires_at)
  values (rate_key, current_window, 1, current_window + window_length)
  on conflict (key) do update set
    count = case when excluded.window_start > r.window_start then 1 else r.count + 1 end,
    window_start = greatest(r.window_start, excluded.window_start),
    expires_at = greatest(r.expires_at, excluded.expires_at)
  returning r.count, r.window_start into current_count, current_window;

  allowed := current_count <= max_requests;
  remaining := greatest(max_requests - current_count, 0);
  retry_after_seconds := case
    when allowed then 0
    else greatest(1, pg_catalog.ceil(pg_catalog.date_part('epoch', current_window + window_length - now_ts))::integer)
  end;

  if pg_catalog.random() < 0.01 then
    delete from private.rate_limits r
    where r.key in (
      select s.key from private.rate_limits s
      where s.expires_at < now_ts
      limit 500
      for update skip locked
    );
  end if;
end;
$$;
comment on function private.check_rate_limit(text, integer, interval) is
  'Fixed-window rate limiter: counts a request for the key; returns (allowed, remaining, retry_after_seconds).';

/**
 * REST (service role only): POST /rest/v1/rpc/increment_usage
 * {site_id, usage_metric?, amount?, quota?} → {allowed, used}.
 */
create or replace function public.increment_usage(
  site_id uuid,
  usage_metric text default 'ai_answers',
  amount integer default 1,
  quota bigint default null,
  out allowed boolean,
  out used bigint
)
  language sql
  volatile
  set search_path = ''
as $$
  select r.allowed, r.used from private.increment_usage(site_id, usage_metric, amount, quota) r
$$;
comment on function public.increment_usage(uuid, text, integer, bigint) is
  'Service role: count usage for the website''s account this month unless over quota; returns {allowed, used}.';

/**
 * REST (service role only): POST /rest/v1/rpc/check_rate_limit
 * {rate_key, max_requests, window_seconds} → {allowed, remaining, retry_after_seconds}.
 */
create or replace function public.check_rate_limit(
  rate_key text,
  max_requests integer,
  window_seconds integer,
  out allowed boolean,
  out remaining integer,
  out retry_after_seconds integer
)
  language sql
  volatile
  set search_path = ''
as $$
  select r.allowed, r.remaining, r.retry_after_seconds
  from private.check_rate_limit(rate_key, max_requests, pg_catalog.make_interval(secs => window_seconds)) r
$$;
comment on function public.check_rate_limit(text, integer, integer) is
  'Service role: count a request against a fixed-window limit; returns {allowed, remaining, retry_after_seconds}.';

/**
 * -------------------------------------------------------
 * Section - Privileges and RLS
 * -------------------------------------------------------
 * Usage is read by the paying account and by the website's owners; only the function writes it.
 */
revoke all on public.usage_counters from anon, authenticated;
grant select on public.usage_counters to authenticated;

alter table public.usage_counters enable row level security;

create policy "Accounts can read their own usage"
  on public.usage_counters for select to authenticated
  using (account_id = (select auth.uid()));

create policy "Owners can read their websites' usage"
  on public.usage_counters for select to authenticated
  using (website_id in (select private.member_website_ids('owner')));

revoke all on function
  private.increment_usage(uuid, text, integer, bigint),
  private.check_rate_limit(text, integer, interval),
  public.increment_usage(uuid, text, integer, bigint),
  public.check_rate_limit(text, integer, integer)
from public, anon, authenticated, service_role;

grant execute on function
  private.increment_usage(uuid, text, integer, bigint),
  private.check_rate_limit(text, integer, interval),
  public.increment_usage(uuid, text, integer, bigint),
  public.check_rate_limit(text, integer, integer)
to service_role;
