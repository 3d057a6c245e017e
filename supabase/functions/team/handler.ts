// team (owner JWT): owners invite people to their website's team.
//   POST /team  {website_id, email, role?: 'agent' | 'owner' (default agent)}
//     → 201 {member: {user_id, email, role, created_at}}
// Nobody's account is made here with a password someone else chose. A new address is invited
// with Supabase Auth's invite (auth.admin.inviteUserByEmail, service role, server-side only): an
// account without a password, not confirmed, and an e-mail whose link signs the person in on the
// backoffice, which then asks them to choose a password. An account that is already confirmed is
// added as it is (its owner signs in as usual). The answer is the same either way, so it tells the
// caller nothing about whether the address had an account; inviting someone still waiting sends
// them a new link. Listing and removing members and changing roles go through REST (RLS).
import { authenticate, type Caller } from '../_shared/auth.ts';
import { sql } from '../_shared/db.ts';
import { ApiError, json, readJson, requireMethod, subPath } from '../_shared/http.ts';
import { limitCaller } from '../_shared/rate-limit.ts';
import { serviceClient } from '../_shared/supabase.ts';
import { forbidden, type Invite, invitationRedirect, parseInvite } from './invite.ts';

const FUNCTION = 'team';
/** Invitations per owner per website per minute. */
const INVITE_RATE_LIMIT = 30;

interface Account {
  id: string;
  email: string;
  /** The address is confirmed: the account is in use (not an invitation still waiting). */
  confirmed: boolean;
}

interface MemberRow {
  user_id: string;
  role: string;
  created_at: string;
}

export async function team(req: Request): Promise<Response> {
  const path = subPath(req, FUNCTION);
  if (path.length !== 0) throw new ApiError(404, 'not_found', `No route /${FUNCTION}/${path.join('/')}.`);
  requireMethod(req, ['POST']);
  const caller = await authenticate(req);
  const invite = parseInvite(await readJson(req));
  await requireOwner(caller, invite.websiteId);
  const redirectTo = invitationRedirect(Deno.env.get('EMILY_BACKOFFICE_URL')?.trim(), req.headers.get('origin'));
  return json(201, { member: await addMember(invite, redirectTo) });
}

async function requireOwner(caller: Caller, websiteId: string): Promise<void> {
  if (caller.isAnonymous) throw forbidden();
  const [me] = await sql()<{ role: string }[]>`
    select role from public.website_members where website_id = ${websiteId} and user_id = ${caller.userId}`;
  if (me?.role !== 'owner') throw forbidden();
  await limitCaller(FUNCTION, websiteId, caller.userId, INVITE_RATE_LIMIT);
}

async function findAccount(email: string): Promise<Account | undefined> {
  const [row] = await sql()<{ id: string; email: string; is_anonymous: boolean; confirmed: boolean }[]>`
    select id, email, is_anonymous, email_confirmed_at is not null as confirmed from auth.users
    where lower(email) = ${email} and deleted_at is null
    order by created_at limit 1`;
  return row && !row.is_anonymous ? { id: row.id, email: row.email, confirmed: row.confirmed } : undefined;
}

async function membership(websiteId: string, userId: string): Promise<MemberRow | undefined> {
  const [row] = await sql()<MemberRow[]>`
    select user_id, role, created_at from public.website_members where website_id = ${websiteId} and user_id = ${userId}`;
  return row;
}

/**
 * Supabase Auth's invitation: creates the account (or, for one still waiting, sends a new link).
 * Undefined when the address belongs to a confirmed account (Auth's 422 email_exists).
 */
async function sendInvitation(email: string, redirectTo: string | undefined): Promise<Account | undefined> {
  const unavailable = () => new ApiError(503, 'auth_unavailable', 'Could not send the invitation right now; try again.', { 'Retry-After': '1' });
  let result;
  try {
    result = await serviceClient().auth.admin.inviteUserByEmail(email, redirectTo ? { redirectTo } : {});
  } catch {
    throw unavailable();
  }
  const { data, error } = result;
  if (!error && data.user) return { id: data.user.id, email: data.user.email ?? email, confirmed: !!data.user.email_confirmed_at };
  const code = (error as { code?: string } | null)?.code;
  if (code === 'email_exists' || code === 'user_already_exists') return undefined;
  const status = error?.status ?? 0;
  if (status === 429) {
    throw new ApiError(429, 'rate_limited', 'Too many invitation e-mails were sent recently; try again later.', { 'Retry-After': '60' });
  }
  if (status >= 400 && status < 500) {
    throw new ApiError(400, 'invalid_request', `Supabase Auth refused the invitation: ${error?.message ?? 'invalid e-mail address'}.`);
  }
  throw unavailable();
}

function alreadyMember(email: string, role: string): ApiError {
  return new ApiError(409, 'already_member', `${email} is already on this website's team (${role}).`);
}

async function addMember(invite: Invite, redirectTo: string | undefined) {
  let account = await findAccount(invite.email);
  const current = account && await membership(invite.websiteId, account.id);
  if (account && current) {
    if (account.confirmed) throw alreadyMember(account.email, current.role);
    // Invited here before and still waiting (the link may have expired): a new link.
    await sendInvitation(invite.email, redirectTo);
    return { user_id: current.user_id, email: account.email, role: current.role, created_at: current.created_at };
  }
  // The plan's team size first (the same check as the insert's trigger), so no e-mail goes out
  // for a seat the account does not have.
  await sql()`select private.check_team_member_limit(${invite.websiteId}::uuid, ${account?.id ?? crypto.randomUUID()}::uuid)`;

  let createdHere = false;
  if (!account?.confirmed) {
    const invited = await sendInvitation(invite.email, redirectTo);
    if (invited) {
      createdHere = !account;
      account = invited;
    } else {
      // Confirmed between our look-up and the invitation: add the account as it is.
      account = await findAccount(invite.email);
    }
    if (!account) throw new ApiError(409, 'account_conflict', 'That e-mail address cannot be invited right now; try again.');
  }
  let row: MemberRow | undefined;
  try {
    [row] = await sql()<MemberRow[]>`
      insert into public.website_members (website_id, user_id, role)
      values (${invite.websiteId}, ${account.id}, ${invite.role})
      on conflict (website_id, user_id) do nothing
      returning user_id, role, created_at`;
  } catch (err) {
    // Refused (the last seat went to a concurrent invitation): an account made just for this
    // invitation goes too, so its link leads nowhere.
    if (createdHere) await serviceClient().auth.admin.deleteUser(account.id).catch(() => {});
    throw err;
  }
  if (!row) {
    const now = await membership(invite.websiteId, account.id);
    throw alreadyMember(account.email, now?.role ?? invite.role);
  }
  return { user_id: row.user_id, email: account.email, role: row.role, created_at: row.created_at };
}
