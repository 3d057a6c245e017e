/**
 * -------------------------------------------------------
 * Section - Websites, their teams and their secrets
 * -------------------------------------------------------
 * A website is what a site owner embeds the widget on. Its settings are edited by its owners in the
 * backoffice; the public subset reaches visitors only through the `widget-init` Edge Function
 * (service role): the table itself is never readable by anon or by visitors.
 *
 * The account that pays for a website is the user who created it (`account_id`); billing and usage
 * are counted per account. Who works on a website is `website_members` (owners and agents).
 */

/**
 * One row per website with the widget's settings.
 * Public (returned by widget-init): id, name, primary_color, widget_style, welcome_message,
 * input_placeholder, offline_message, launcher_position, language, ai_enabled.
 * Server-side only: allowed_domains (checked against the Origin), ai_instructions (prompt),
 * account_id, domain, timestamps.
 */
create table public.websites (
  id uuid primary key default gen_random_uuid(),
  -- The account (a non-anonymous user) that created the website and pays for it.
  account_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null check (pg_catalog.char_length(pg_catalog.btrim(name)) between 1 and 100),
  -- The site's main domain, shown in the backoffice (not used for access checks).
  domain text check (pg_catalog.char_length(domain) <= 253),
  primary_color text not null default '#2563eb' check (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
  -- A style name the widget understands ('bubble' by default); lower-case words and dashes.
  widget_style text not null default 'bubble' check (widget_style ~ '^[a-z][a-z0-9-]{0,31}$'),
  welcome_message text not null default 'Hi! How can we help you today?'
    check (pg_catalog.char_length(welcome_message) <= 500),
  input_placeholder text not null default 'Type your message…'
    check (pg_catalog.char_length(input_placeholder) <= 120),
  offline_message text not null default 'We are away right now. Leave a message and we will get back to you.'
    check (pg_catalog.char_length(offline_message) <= 500),
  -- Hostnames whose pages may use the widget (e.g. example.com, 127.0.0.1); empty = any origin.
  allowed_domains text[] not null default '{}' check (private.are_valid_hostnames(allowed_domains)),
  launcher_position text not null default 'right' check (launcher_position in ('right', 'left')),
  ai_enabled boolean not null default true,
  -- The assistant's persona and rules, added to the system prompt; never sent to browsers.
  ai_instructions text not null default '' check (pg_catalog.char_length(ai_instructions) <= 8000),
  -- Text search configuration of the knowledge base ('english', 'german', 'simple', ...).
  language text not null default 'english' check (private.is_search_language(language)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.websites is
  'A website that embeds the widget, with its widget and AI settings. Readable by its members only.';
comment on column public.websites.account_id is
  'The account (creator) that owns and pays for the website; usage is counted against it.';
comment on column public.websites.allowed_domains is
  'Hostnames allowed to use the widget (Origin check in Edge Functions); empty means any origin.';
comment on column public.websites.ai_instructions is
  'The assistant''s persona and rules (system prompt); member-only, never returned by widget-init.';
comment on column public.websites.language is
  'Name of the built-in text search configuration used to index and search the knowledge base.';

create index websites_account_id_idx on public.websites (account_id);

/**
 * Who works on a website: owners manage settings, members and secrets; agents answer visitors.
 */
create table public.website_members (
  website_id uuid not null references public.websites (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'agent' check (role in ('owner', 'agent')),
  created_at timestamptz not null default now(),
  primary key (website_id, user_id)
);
comment on table public.website_members is
  'Members of a website''s team: owners (settings, team, secrets) and agents (inbox).';

-- "Which websites am I a member of" is asked by nearly every policy.
create index website_members_user_id_idx on public.website_members (user_id, website_id) include (role);

/**
 * The identity-verification secret of a website: the widget's `identify` call carries
 * HMAC-SHA256(userId, secret), checked by an Edge Function. Kept apart from `websites` so that a
 * plain `select *` by an agent can never return it; only owners read it.
 */
create table public.website_secrets (
  website_id uuid primary key references public.websites (id) on delete cascade,
  identity_secret text not null default pg_catalog.encode(extensions.gen_random_bytes(32), 'hex'),
  rotated_at timestamptz not null default now()
);
comment on table public.website_secrets is
  'Identity-verification (HMAC) secret per website; owners read it, private.rotate_identity_secret renews it.';

/**
 * -------------------------------------------------------
 * Section - Membership helpers used by RLS policies
 * -------------------------------------------------------
 * Security definer so that policies on website_members itself can ask without recursing into its
 * own RLS, and so that each check is one index lookup.
 */

/**
 * The websites the signed-in user is a member of (optionally with one role). Policies use it as
 * `website_id in (select private.member_website_ids())`: a hashed sub-plan computed once per query
 * and probed per row. Deliberately not `website_id = any (array(...))`: the planner would treat
 * that as an index condition with a guessed selectivity, and for an inbox query (one website,
 * newest first, limit 50) prefer reading every conversation of the website and sorting them over
 * walking the inbox index and stopping after 50 rows (measured: 6 ms instead of 0.3 ms at 1,000
 * conversations per website, growing with the website).
 */
create or replace function private.member_website_ids(required_role text default null)
  returns setof uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select m.website_id
  from public.website_members m
  where m.user_id = (select auth.uid())
    and (required_role is null or m.role = required_role)
$$;
comment on function private.member_website_ids(text) is
  'Ids of the websites the current user is a member of (with the given role when not null).';

/**
 * Whether the signed-in user is a member of a website (with the given role when not null).
 */
create or replace function private.is_website_member(target_website_id uuid, required_role text default null)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1
    from public.website_members m
    where m.website_id = target_website_id
      and m.user_id = (select auth.uid())
      and (required_role is null or m.role = required_role)
  )
$$;
comment on function private.is_website_member(uuid, text) is
  'True when the current user is a member of the website (with the given role when not null).';

/**
 * -------------------------------------------------------
 * Section - Triggers
 * -------------------------------------------------------
 */

/**
 * Owners type allowed domains by hand: store them trimmed, lower-case and without duplicates, so
 * the check constraint and the Origin comparison see one canonical form.
 */
create or replace function private.normalize_website()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new.allowed_domains := coalesce((
    select pg_catalog.array_agg(d order by first_position)
    from (
      select pg_catalog.lower(pg_catalog.btrim(h)) as d, pg_catalog.min(o) as first_position
      from pg_catalog.unnest(new.allowed_domains) with ordinality as t(h, o)
      where pg_catalog.btrim(h) <> ''
      group by 1
    ) as normalized
  ), '{}');
  new.name := pg_catalog.btrim(new.name);
  return new;
end;
$$;
comment on function private.normalize_website() is
  'Trigger: trims the name and stores allowed_domains trimmed, lower-case and deduplicated.';

create trigger normalize_website
  before insert or update on public.websites
  for each row execute function private.normalize_website();

create trigger set_updated_at
  before update on public.websites
  for each row execute function private.set_updated_at();

/**
 * A new website starts with its creator as owner and with a fresh identity secret. Security
 * definer: the creator cannot insert members or secrets directly (only owners can, and the
 * website has no owner yet).
 */
create or replace function private.initialize_website()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  insert into public.website_members (website_id, user_id, role)
  values (new.id, new.account_id, 'owner');
  insert into public.website_secrets (website_id) values (new.id);
  return null;
end;
$$;
comment on function private.initialize_website() is
  'Trigger: makes the creating account the website''s first owner and creates its identity secret.';

create trigger initialize_website
  after insert on public.websites
  for each row execute function private.initialize_website();

/**
 * Visitors are anonymous users; they must never join a team (an owner could otherwise paste a
 * visitor's id). Checked against auth.users, not only the caller's JWT.
 */
create or replace function private.check_member_is_not_anonymous()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if exists (select 1 from auth.users u where u.id = new.user_id and u.is_anonymous) then
    raise exception 'Anonymous users cannot be members of a website'
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
comment on function private.check_member_is_not_anonymous() is
  'Trigger: refuses to make an anonymous user (a widget visitor) a website member.';

create trigger check_member_is_not_anonymous
  before insert or update of user_id on public.website_members
  for each row execute function private.check_member_is_not_anonymous();

/**
 * A website must keep at least one owner: removing or demoting the last one is refused, unless
 * the website itself (or the user's account) is being deleted, which cascades here.
 */
create or replace function private.keep_last_owner()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner' and new.website_id = old.website_id) then
    return coalesce(new, old);
  end if;
  -- Lock the website so that two owners removing each other at once cannot both succeed.
  perform from public.websites w where w.id = old.website_id for no key update;
  if not found or not exists (select 1 from auth.users u where u.id = old.user_id) then
    return coalesce(new, old);
  end if;
  if not exists (
    select 1 from public.website_members m
    where m.website_id = old.website_id and m.role = 'owner' and m.user_id <> old.user_id
  ) then
    raise exception 'A website must keep at least one owner'
      using errcode = 'check_violation', hint = 'Make another member an owner first.';
  end if;
  return coalesce(new, old);
end;
$$;
comment on function private.keep_last_owner() is
  'Trigger: refuses to remove or demote the last owner of a website (cascading deletes excepted).';

create trigger keep_last_owner
  before update or delete on public.website_members
  for each row execute function private.keep_last_owner();

/**
 * -------------------------------------------------------
 * Section - Functions owners call (through thin public wrappers)
 * -------------------------------------------------------
 */

/**
 * Replaces a website's identity secret (e.g. after a leak). Owners only.
 */
create or replace function private.rotate_identity_secret(target_website_id uuid)
  returns text
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  new_secret text;
begin
  if not private.is_website_member(target_website_id, 'owner') then
    raise exception 'Only the website''s owners can rotate its identity secret'
      using errcode = 'insufficient_privilege';
  end if;
  update public.website_secrets s
  set identity_secret = pg_catalog.encode(extensions.gen_random_bytes(32), 'hex'),
      rotated_at = pg_catalog.now()
  where s.website_id = target_website_id
  returning s.identity_secret into new_secret;
  return new_secret;
end;
$$;
comment on function private.rotate_identity_secret(uuid) is
  'Owners only: replaces the website''s identity-verification secret and returns the new one.';

/**
 * Adds (or changes the role of) a team member by e-mail: owners cannot read auth.users, so the
 * lookup happens here. Only non-anonymous users with that e-mail qualify.
 */
create or replace function private.add_website_member(target_website_id uuid, member_email text, member_role text)
  returns public.website_members
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  member_id uuid;
  result public.website_members;
begin
  if not private.is_website_member(target_website_id, 'owner') then
    raise exception 'Only the website''s owners can manage its team'
      using errcode = 'insufficient_privilege';
  end if;
  if member_role is null or member_role not in ('owner', 'agent') then
    raise exception 'A member''s role is owner or agent' using errcode = 'check_violation';
  end if;
  select u.id into member_id
  from auth.users u
  where pg_catalog.lower(u.email) = pg_catalog.lower(pg_catalog.btrim(member_email))
    and not u.is_anonymous
    and u.deleted_at is null;
  if member_id is null then
    raise exception 'No account with that e-mail address' using errcode = 'no_data_found';
  end if;
  insert into public.website_members as m (website_id, user_id, role)
  values (target_website_id, member_id, member_role)
  on conflict (website_id, user_id) do update set role = excluded.role
  returning m.* into result;
  return result;
end;
$$;
comment on function private.add_website_member(uuid, text, text) is
  'Owners only: adds the account with this e-mail to the team (or changes its role).';

/**
 * The team of a website with e-mail addresses (members cannot read auth.users themselves).
 */
create or replace function private.website_team(target_website_id uuid)
  returns table (user_id uuid, email text, role text, created_at timestamptz)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  if not private.is_website_member(target_website_id) then
    raise exception 'Only the website''s members can see its team'
      using errcode = 'insufficient_privilege';
  end if;
  return query
    select m.user_id, u.email::text, m.role, m.created_at
    from public.website_members m
    join auth.users u on u.id = m.user_id
    where m.website_id = target_website_id
    order by m.role desc, m.created_at;
end;
$$;
comment on function private.website_team(uuid) is
  'Members only: the website''s team with each member''s e-mail and role.';

-- The REST API only reaches `public`; these wrappers run as the caller (security invoker) and
-- hand over to the private functions above, which check the caller's role themselves.

/**
 * REST: POST /rest/v1/rpc/rotate_identity_secret {site_id}. Returns the new secret.
 */
create or replace function public.rotate_identity_secret(site_id uuid)
  returns text
  language sql
  volatile
  set search_path = ''
as $$
  select private.rotate_identity_secret(site_id)
$$;
comment on function public.rotate_identity_secret(uuid) is
  'Owners: replace the website''s identity-verification secret; returns the new secret.';

/**
 * REST: POST /rest/v1/rpc/add_website_member {site_id, member_email, member_role}.
 */
create or replace function public.add_website_member(site_id uuid, member_email text, member_role text default 'agent')
  returns public.website_members
  language sql
  volatile
  set search_path = ''
as $$
  select private.add_website_member(site_id, member_email, member_role)
$$;
comment on function public.add_website_member(uuid, text, text) is
  'Owners: add the account with this e-mail to the website''s team as owner or agent.';

/**
 * REST: POST /rest/v1/rpc/website_team {site_id}.
 */
create or replace function public.website_team(site_id uuid)
  returns table (user_id uuid, email text, role text, created_at timestamptz)
  language sql
  stable
  set search_path = ''
as $$
  select t.user_id, t.email, t.role, t.created_at from private.website_team(site_id) t
$$;
comment on function public.website_team(uuid) is
  'Members: the website''s team with e-mail addresses and roles.';

/**
 * -------------------------------------------------------
 * Section - Privileges and RLS
 * -------------------------------------------------------
 * anon gets nothing. Column lists keep clients away from the account, ids and timestamps; RLS
 * decides which rows.
 */
revoke all on public.websites, public.website_members, public.website_secrets from anon, authenticated;

grant select, delete on public.websites to authenticated;
grant insert (id, name, domain, primary_color, widget_style, welcome_message, input_placeholder,
  offline_message, allowed_domains, launcher_position, ai_enabled, ai_instructions, language)
  on public.websites to authenticated;
grant update (name, domain, primary_color, widget_style, welcome_message, input_placeholder,
  offline_message, allowed_domains, launcher_position, ai_enabled, ai_instructions, language)
  on public.websites to authenticated;

grant select, delete on public.website_members to authenticated;
grant insert (website_id, user_id, role) on public.website_members to authenticated;
grant update (role) on public.website_members to authenticated;

grant select on public.website_secrets to authenticated;

alter table public.websites enable row level security;
alter table public.website_members enable row level security;
alter table public.website_secrets enable row level security;

-- The account branch lets `insert ... returning` succeed: the creator's membership is written by
-- an AFTER trigger, later than the RETURNING row is checked against this policy.
create policy "Members can read their websites"
  on public.websites for select to authenticated
  using (
    id in (select private.member_website_ids())
    or account_id = (select auth.uid())
  );

create policy "Signed-in users can create websites for their own account"
  on public.websites for insert to authenticated
  with check (
    account_id = (select auth.uid())
    and not (select private.is_anonymous_session())
  );

create policy "Owners can update their websites"
  on public.websites for update to authenticated
  using (private.is_website_member(id, 'owner'))
  with check (private.is_website_member(id, 'owner'));

create policy "Owners can delete their websites"
  on public.websites for delete to authenticated
  using (private.is_website_member(id, 'owner'));

create policy "Members can see their websites' teams"
  on public.website_members for select to authenticated
  using (website_id in (select private.member_website_ids()));

create policy "Owners can add members to their websites"
  on public.website_members for insert to authenticated
  with check (private.is_website_member(website_id, 'owner'));

create policy "Owners can change the roles of their websites' members"
  on public.website_members for update to authenticated
  using (private.is_website_member(website_id, 'owner'))
  with check (private.is_website_member(website_id, 'owner'));

create policy "Owners can remove members and members can leave"
  on public.website_members for delete to authenticated
  using (private.is_website_member(website_id, 'owner') or user_id = (select auth.uid()));

create policy "Owners can read their websites' identity secrets"
  on public.website_secrets for select to authenticated
  using (private.is_website_member(website_id, 'owner'));

revoke all on function
  private.member_website_ids(text),
  private.is_website_member(uuid, text),
  private.normalize_website(),
  private.initialize_website(),
  private.check_member_is_not_anonymous(),
  private.keep_last_owner(),
  private.rotate_identity_secret(uuid),
  private.add_website_member(uuid, text, text),
  private.website_team(uuid),
  public.rotate_identity_secret(uuid),
  public.add_website_member(uuid, text, text),
  public.website_team(uuid)
from public, anon, authenticated, service_role;

grant execute on function
  private.member_website_ids(text),
  private.is_website_member(uuid, text),
  private.rotate_identity_secret(uuid),
  private.add_website_member(uuid, text, text),
  private.website_team(uuid),
  public.rotate_identity_secret(uuid),
  public.add_website_member(uuid, text, text),
  public.website_team(uuid)
to authenticated;

grant execute on function
  private.member_website_ids(text),
  private.is_website_member(uuid, text)
to service_role;
