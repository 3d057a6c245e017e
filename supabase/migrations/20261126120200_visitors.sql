/**
 * -------------------------------------------------------
 * Section - Visitors
 * -------------------------------------------------------
 * A visitor is a Supabase anonymous user chatting through the widget of one website. The row holds
 * what the backoffice shows about them (locale, first/last seen, last page) and, once the widget's
 * `identify` call is verified by an Edge Function, who they are on the site (external id, name,
 * e-mail). Written only by the service role (Edge Functions); read by the visitor and the
 * website's members.
 */

/**
 * One row per (website, anonymous user).
 */
create table public.visitors (
  website_id uuid not null references public.websites (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- BCP 47 language tag reported by the widget (e.g. en, en-GB, pt-BR).
  locale text check (locale ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$'),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  last_page_url text check (pg_catalog.char_length(last_page_url) <= 2048),
  user_agent text check (pg_catalog.char_length(user_agent) <= 512),
  -- Set only after the identify HMAC was verified server-side; never from unverified input.
  external_id text check (pg_catalog.char_length(external_id) between 1 and 255),
  name text check (pg_catalog.char_length(name) <= 200),
  email text check (pg_catalog.char_length(email) <= 320),
  identified_at timestamptz,
  primary key (website_id, user_id)
);
comment on table public.visitors is
  'A widget visitor (anonymous user) of one website: locale, activity and verified identity. Service role writes.';
comment on column public.visitors.external_id is
  'The site''s own user id, stored only after identify''s HMAC (website_secrets) was verified.';

-- A visitor's own rows, and the cascade when an anonymous user is deleted.
create index visitors_user_id_idx on public.visitors (user_id);
-- Finding every visitor row of one identified person on a website (several devices).
create index visitors_external_id_idx on public.visitors (website_id, external_id) where external_id is not null;

/**
 * -------------------------------------------------------
 * Section - Privileges and RLS
 * -------------------------------------------------------
 * Clients only read: the Edge Functions (service role) write visitor rows.
 */
revoke all on public.visitors from anon, authenticated;
grant select on public.visitors to authenticated;

alter table public.visitors enable row level security;

create policy "Visitors can read their own visitor rows"
  on public.visitors for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Members can read their websites' visitors"
  on public.visitors for select to authenticated
  using (website_id in (select private.member_website_ids()));
