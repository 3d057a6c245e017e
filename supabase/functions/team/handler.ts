// team (owner JWT): owners invite people to their website's team.
//   POST /team  {website_id, email, role?: 'agent' | 'owner' (default agent), password?}
//     → 201 {member: {user_id, email, role, created_at}, account: 'created' | 'existing', password?}
// The invitee's account is found by e-mail or created at once with Supabase Auth's admin API
// (service role, server-side only) with a confirmed address: locally there is no mail server, so
// the owner hands over the initial password, either the one they chose or one generated here and
// returned once (`password`, only when generated). An existing account keeps its own password.
// Listing and removing members and changing roles go through REST, where RLS lets owners only.
import { authenticate, type Caller } from '../_shared/auth.ts';
import { sql } from '../_shared/db.ts';
import { ApiError, json, readJson, requireMethod, subPath } from '../_shared/http.ts';
import { limitCaller } from '../_shared/rate-limit.ts';
import { serviceClient } from '../_shared/supabase.ts';
import { forbidden, generatePassword, type Invite, parseInvite } from './invite.ts';

const FUNCTION = 'team';
/** Invitations per owner per website per minute. */
const INVITE_RATE_LIMIT = 30;

interface Account {
  id: string;
  email: string;
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
  return json(201, await addMember(invite));
}

async function requireOwner(caller: Caller, websiteId: string): Promise<void> {
  if (caller.isAnonymous) throw forbidden();
  const [me] = await sql()<{ role: string }[]>`
    select role from public.website_members where website_id = ${websiteId} and user_id = ${caller.userId}`;
  if (me?.role !== 'owner') throw forbidden();
  await limitCaller(FUNCTION, websiteId, caller.userId, INVITE_RATE_LIMIT);
}

async function findAccount(email: string): Promise<Account | undefined> {
  const [row] = await sql()<(Account & { is_anonymous: boolean })[]>`
    select id, email, is_anonymous from auth.users
    where lower(email) = ${email} and deleted_at is null
    order by created_at limit 1`;
  return row && !row.is_anonymous ? { id: row.id, email: row.email } : undefined;
}

/** Creates the account (confirmed) or, when someone created it meanwhile, returns undefined. */
async function createAccount(email: string, password: string): Promise<Account | undefined> {
  let result;
  try {
    result = await serviceClient().auth.admin.createUser({ email, password, email_confirm: true });
  } catch {
    throw new ApiError(503, 'auth_unavailable', 'Could not reach Supabase Auth to create the account; try again.', { 'Retry-After': '1' });
  }
  const { data, error } = result;
  if (!error && data.user) return { id: data.user.id, email: data.user.email ?? email };
  const code = (error as { code?: string } | null)?.code;
  if (code === 'email_exists' || code === 'user_already_exists') return undefined;
  const status = error?.status ?? 0;
  if (status >= 400 && status < 500) {
    throw new ApiError(400, 'invalid_request', `Supabase Auth refused the account: ${error?.message ?? 'invalid e-mail or password'}.`);
  }
  throw new ApiError(503, 'auth_unavailable', 'Could not create the account right now; try again.', { 'Retry-After': '1' });
}

async function addMember(invite: Invite) {
  let account = await findAccount(invite.email);
  let generated: string | undefined;
  let created = false;
  if (!account) {
    const password = invite.password ?? (generated = generatePassword());
    account = await createAccount(invite.email, password);
    if (account) created = true;
    else account = await findAccount(invite.email);
    if (!account) throw new ApiError(409, 'account_conflict', 'That e-mail address cannot be invited; try again.');
  }
  const [row] = await sql()<MemberRow[]>`
    insert into public.website_members (website_id, user_id, role)
    values (${invite.websiteId}, ${account.id}, ${invite.role})
    on conflict (website_id, user_id) do nothing
    returning user_id, role, created_at`;
  if (!row) {
    const [current] = await sql()<{ role: string }[]>`
      select role from public.website_members where website_id = ${invite.websiteId} and user_id = ${account.id}`;
    throw new ApiError(409, 'already_member', `${account.email} is already on this website's team${current ? ` (${current.role})` : ''}.`);
  }
  return {
    member: { user_id: row.user_id, email: account.email, role: row.role, created_at: row.created_at },
    account: created ? 'created' : 'existing',
    ...(created && generated ? { password: generated } : {}),
  };
}
