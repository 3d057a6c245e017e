/**
 * -------------------------------------------------------
 * Section - Plan limits, enforced by the database
 * -------------------------------------------------------
 * The browser is never trusted with a limit: creating a website, adding a team member or adding a
 * knowledge source beyond the account's plan fails here, whoever writes (REST as the user, an Edge
 * Function, the service role). The error is SQLSTATE PT402, which PostgREST answers with HTTP 402
 * and the message, detail and hint below; the Edge Functions answer 402 `plan_limit_reached`.
 * Each check and the insert it guards are serialised per account (or per website) by a
 * transaction-scoped advisory lock, so concurrent inserts cannot both take the last free place.
 * AI answers are counted per calendar month by private.increment_usage (atomic, same lock idea);
 * private.consume_ai_answer applies the plan's quota to one answer.
 *
 * BEFORE triggers run before RLS checks the new row, so each trigger first lets through a
 * signed-in user whom the table's policies will refuse anyway: an outsider gets RLS's error, and a
 * plan limit never tells them anything about someone else's account. Security definer functions
 * and the service role (which RLS does not check) always meet the limit.
 */

/**
 * Raises the plan-limit error: what is limited, the plan's name and limit, and what to do.
 */
create or replace function private.raise_plan_limit(plan public.plans, limited text, plan_limit integer, used bigint)
  returns void
  language plpgsql
  set search_path = ''
as $$
declare
  what text := case limited
    when 'websites' then case when plan_limit = 1 then '1 website per account' else plan_limit || ' websites per account' end
    when 'team_members' then case when plan_limit = 1 then '1 team member per account (the account holder)'
      else plan_limit || ' team members per account (the account holder included)' end
    when 'knowledge_sources' then case when plan_limit = 1 then '1 knowledge source per website'
      else plan_limit || ' knowledge sources per website' end
  end;
  remedy text := case limited
    when 'websites' then 'delete a website'
    when 'team_members' then 'remove a team member'
    when 'knowledge_sources' then 'delete a knowledge source'
  end;
begin
  raise exception 'Plan limit reached: the % plan allows %.', plan.name, what
    using errcode = 'PT402',
      detail = pg_catalog.format('%s: %s used of %s on the %s plan.', limited, used, plan_limit, plan.id),
      hint = pg_catalog.format('Upgrade the plan on the Billing page, or %s first.', remedy);
end;
$$;
comment on function private.raise_plan_limit(public.plans, text, integer, bigint) is
  'Raises SQLSTATE PT402 (HTTP 402) saying which plan limit was reached and what to do.';

/**
 * Serialises plan checks of one key (an account, or a website) until the transaction ends.
 */
create or replace function private.lock_plan_check(scope text, key uuid)
  returns void
  language sql
  volatile
  set search_path = ''
as $$
  select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('emily.plan:' || scope || ':' || key::text, 0))
$$;
comment on function private.lock_plan_check(text, uuid) is
  'Transaction-scoped advisory lock that serialises plan-limit checks of one account or website.';

/**
 * Websites per account (an account's own websites, whatever the writer may read: security definer).
 */
create or replace function private.check_website_limit(account uuid, new_website_id uuid)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  plan public.plans;
  owned bigint;
begin
  perform private.lock_plan_check('account', account);
  plan := private.account_plan(account);
  if plan.websites is null then
    return;
  end if;
  select pg_catalog.count(*) into owned from public.websites w where w.account_id = account and w.id <> new_website_id;
  if owned >= plan.websites then
    perform private.raise_plan_limit(plan, 'websites', plan.websites, owned);
  end if;
end;
$$;
comment on function private.check_website_limit(uuid, uuid) is
  'Raises PT402 when the account already has as many websites as its plan allows.';

/**
 * Team members per account: the distinct people on the teams of all of the account's websites,
 * the account holder always counted as one (and always fitting). Adding someone who is already on
 * one of those teams takes no new place.
 */
create or replace function private.check_team_member_limit(target_website_id uuid, member uuid)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  account uuid;
  plan public.plans;
  seats bigint;
begin
  select w.account_id into account from public.websites w where w.id = target_website_id;
  if account is null or member = account then
    return;
  end if;
  perform private.lock_plan_check('account', account);
  plan := private.account_plan(account);
  if plan.team_members is null or exists (
    select 1 from public.website_members m join public.websites w on w.id = m.website_id
    where w.account_id = account and m.user_id = member
  ) then
    return;
  end if;
  select 1 + pg_catalog.count(distinct m.user_id) into seats
  from public.website_members m join public.websites w on w.id = m.website_id
  where w.account_id = account and m.user_id <> account;
  if seats >= plan.team_members then
    perform private.raise_plan_limit(plan, 'team_members', plan.team_members, seats);
  end if;
end;
$$;
comment on function private.check_team_member_limit(uuid, uuid) is
  'Raises PT402 when adding this person would take the website''s account past its plan''s team size.';

/**
 * Knowledge sources per website.
 */
create or replace function private.check_knowledge_source_limit(target_website_id uuid, new_source_id uuid)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  account uuid;
  plan public.plans;
  existing bigint;
begin
  select w.account_id into account from public.websites w where w.id = target_website_id;
  if account is null then
    return;
  end if;
  perform private.lock_plan_check('website', target_website_id);
  plan := private.account_plan(account);
  if plan.knowledge_sources is null then
    return;
  end if;
  select pg_catalog.count(*) into existing from public.knowledge_sources k
  where k.website_id = target_website_id and k.id <> new_source_id;
  if existing >= plan.knowledge_sources then
    perform private.raise_plan_limit(plan, 'knowledge_sources', plan.knowledge_sources, existing);
  end if;
end;
$$;
comment on function private.check_knowledge_source_limit(uuid, uuid) is
  'Raises PT402 when the website already has as many knowledge sources as its account''s plan allows.';

-- The triggers run as the writer (not security definer), so that they can tell an API user, whom
-- RLS checks after them, from the service role or a security definer function (which RLS does not
-- check and which must always meet the limit). Each mirrors its table's insert policy.

/**
 * Trigger on websites: the account's website limit.
 */
create or replace function private.enforce_website_limit()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.account_id = old.account_id then
    return new;
  end if;
  if current_user in ('anon', 'authenticated')
     and (new.account_id is distinct from (select auth.uid()) or private.is_anonymous_session()) then
    return new;
  end if;
  perform private.check_website_limit(new.account_id, new.id);
  return new;
end;
$$;
comment on function private.enforce_website_limit() is
  'Trigger: refuses a website beyond the account''s plan (PT402).';

create trigger enforce_website_limit
  before insert or update of account_id on public.websites
  for each row execute function private.enforce_website_limit();

/**
 * Trigger on website_members: the account's team size.
 */
create or replace function private.enforce_team_member_limit()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.user_id = old.user_id and new.website_id = old.website_id then
    return new;
  end if;
  if current_user in ('anon', 'authenticated') and not private.is_website_member(new.website_id, 'owner') then
    return new;
  end if;
  perform private.check_team_member_limit(new.website_id, new.user_id);
  return new;
end;
$$;
comment on function private.enforce_team_member_limit() is
  'Trigger: refuses a new team member beyond the account''s plan (PT402); the account holder always fits.';

create trigger enforce_team_member_limit
  before insert or update of website_id, user_id on public.website_members
  for each row execute function private.enforce_team_member_limit();

/**
 * Trigger on knowledge_sources: the website's source limit.
 */
create or replace function private.enforce_knowledge_source_limit()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.website_id = old.website_id then
    return new;
  end if;
  if current_user in ('anon', 'authenticated') and not private.is_website_member(new.website_id) then
    return new;
  end if;
  perform private.check_knowledge_source_limit(new.website_id, new.id);
  return new;
end;
$$;
comment on function private.enforce_knowledge_source_limit() is
  'Trigger: refuses a knowledge source beyond the plan of the website''s account (PT402).';

create trigger enforce_knowledge_source_limit
  before insert or update of website_id on public.knowledge_sources
  for each row execute function private.enforce_knowledge_source_limit();

/**
 * Counts one AI answer for a visitor message against the plan's monthly quota of the website's
 * account (atomically: see private.increment_usage). Over the quota, nothing is counted as an
 * answer; the refusal is counted (`ai_answers_skipped`, shown on the billing page), the visitor's
 * message records why the AI did not answer (metadata.ai = {status: 'skipped', reason: 'quota'},
 * shown in the inbox) and its conversation waits for a person (needs_human).
 */
create or replace function private.consume_ai_answer(
  target_website_id uuid,
  target_message_id uuid,
  out allowed boolean,
  out used bigint,
  out quota integer,
  out plan_id text
)
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  account uuid;
  plan public.plans;
  conversation uuid;
begin
  select w.account_id into account from public.websites w where w.id = target_website_id;
  if account is null then
    raise exception 'Unknown website %', target_website_id using errcode = 'no_data_found';
  end if;
  plan := private.account_plan(account);
  quota := plan.ai_answers_per_month;
  plan_id := plan.id;
  select u.allowed, u.used into allowed, used
  from private.increment_usage(target_website_id, 'ai_answers', 1, quota) u;
  if allowed then
    return;
  end if;
  perform private.increment_usage(target_website_id, 'ai_answers_skipped', 1, null);
  update public.messages m
  set metadata = m.metadata || pg_catalog.jsonb_build_object('ai', pg_catalog.jsonb_build_object(
        'status', 'skipped', 'reason', 'quota', 'plan', plan.id, 'quota', quota))
  where m.id = target_message_id and m.website_id = target_website_id
  returning m.conversation_id into conversation;
  update public.conversations c set needs_human = true where c.id = conversation and not c.needs_human;
end;
$$;
comment on function private.consume_ai_answer(uuid, uuid) is
  'widget-messages: counts one AI answer against the plan''s monthly quota; over it, marks the message skipped (reason quota) and flags the conversation for a person.';

revoke all on function
  private.raise_plan_limit(public.plans, text, integer, bigint),
  private.lock_plan_check(text, uuid),
  private.check_website_limit(uuid, uuid),
  private.check_team_member_limit(uuid, uuid),
  private.check_knowledge_source_limit(uuid, uuid),
  private.enforce_website_limit(),
  private.enforce_team_member_limit(),
  private.enforce_knowledge_source_limit(),
  private.consume_ai_answer(uuid, uuid)
from public, anon, authenticated, service_role;

-- The triggers run as the writer: signed-in users (REST) and the service role reach the checks.
grant execute on function
  private.check_website_limit(uuid, uuid),
  private.check_team_member_limit(uuid, uuid),
  private.check_knowledge_source_limit(uuid, uuid)
to authenticated, service_role;
