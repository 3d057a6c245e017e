/**
 * -------------------------------------------------------
 * Section - The account holder stays an owner (security fix M4)
 * -------------------------------------------------------
 * The account that created a website pays for it (websites.account_id, "the account holder").
 * Until now any owner could remove or demote any other owner, so a co-owner the holder had added
 * could throw the holder out of the team: the holder went on paying but could no longer manage
 * the website. Any owner could also delete the website. Now:
 *   - the account holder's membership can be neither removed nor demoted, by anyone (the holder
 *     included: the holder cannot leave while the website is on their account; handing the
 *     account over is not something the API offers);
 *   - only the account holder can delete the website; other owners get an error, agents and
 *     strangers still find no row (RLS, unchanged).
 * Deleting the website or the user account itself still cascades through both rules.
 */

/**
 * Refuses to remove the account holder from a website's team or to make them anything but an
 * owner, whoever asks. Cascades pass: when the website or the user is being deleted, neither is
 * found any more. Security definer: it reads auth.users, which API roles cannot.
 */
create or replace function private.protect_account_holder()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.role = 'owner' and new.user_id = old.user_id and new.website_id = old.website_id then
    return new;
  end if;
  if not exists (select 1 from public.websites w where w.id = old.website_id and w.account_id = old.user_id)
     or not exists (select 1 from auth.users u where u.id = old.user_id) then
    return coalesce(new, old);
  end if;
  raise exception 'The account holder of a website stays one of its owners'
    using errcode = 'check_violation',
          hint = 'The account that pays for the website cannot leave its team or stop being an owner.';
end;
$$;
comment on function private.protect_account_holder() is
  'Trigger: refuses to remove or demote the website''s account holder (cascading deletes excepted).';

-- Named to run after keep_last_owner (triggers of one event run in name order): a last owner
-- who tries to leave hears that rule first, as before.
create trigger protect_account_holder
  before update or delete on public.website_members
  for each row execute function private.protect_account_holder();

/**
 * Only the account holder may delete a website. RLS lets owners reach the row (so that another
 * owner gets this explicit error rather than a silent "0 rows"); the check applies to API users
 * (the service role, Edge Functions and cascades from a deleted user account are not API users).
 * Not security definer: it must see the caller's role.
 */
create or replace function private.only_account_holder_deletes_website()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated') and old.account_id is distinct from (select auth.uid()) then
    raise exception 'Only the account holder can delete a website'
      using errcode = 'insufficient_privilege',
            hint = 'The account that pays for the website deletes it; other owners can leave its team.';
  end if;
  return old;
end;
$$;
comment on function private.only_account_holder_deletes_website() is
  'Trigger: refuses an API user''s delete of a website unless they are its account holder.';

create trigger only_account_holder_deletes_website
  before delete on public.websites
  for each row execute function private.only_account_holder_deletes_website();

revoke all on function
  private.protect_account_holder(),
  private.only_account_holder_deletes_website()
from public, anon, authenticated, service_role;

-- Websites whose account holder was already removed or demoted (by a co-owner, or by leaving when
-- that was still allowed) get the holder back as owner, so that every website meets the rule.
-- The account holder always fits the plan's team size (private.check_team_member_limit).
insert into public.website_members (website_id, user_id, role)
select w.id, w.account_id, 'owner'
from public.websites w
join auth.users u on u.id = w.account_id and not u.is_anonymous
on conflict (website_id, user_id) do update set role = 'owner'
where public.website_members.role <> 'owner';
