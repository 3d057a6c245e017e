// Who is calling: GoTrue's requireAuthentication (a user's access token whose user and session
// still exist) and requireAdminCredentials (a service_role token), with GoTrue's statuses.
import type { IncomingMessage } from 'node:http';
import type { Claims } from '../jwt.ts';
import { parseAccessToken, requireBearer } from './access-tokens.ts';
import type { AuthContext } from './context.ts';
import type { Db } from './db.ts';
import { badRequest, forbidden } from './errors.ts';
import { findSession, type SessionRow } from './sessions.ts';
import { findUserById, isBanned, NIL_UUID, type User } from './users.ts';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GoTrue's JWT.AdminRoles default. */
const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);

export interface Authenticated { claims: Claims; user: User; session: SessionRow | null }

/** maybeLoadUserOrSession: the token's user must exist, and so must its session when it names one. */
export async function loadUserAndSession(db: Db, claims: Claims): Promise<{ user: User; session: SessionRow | null }> {
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  if (!sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID_PATTERN.test(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(db, sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  let session: SessionRow | null = null;
  const sid = typeof claims.session_id === 'string' ? claims.session_id : '';
  if (sid && sid !== NIL_UUID) {
    if (!UUID_PATTERN.test(sid)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
    session = await findSession(db, sid);
    if (!session) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  return { user, session };
}

export async function authenticate(req: IncomingMessage, ctx: AuthContext): Promise<Authenticated> {
  const claims = parseAccessToken(requireBearer(req), ctx.stack.config.jwtSecret);
  const { user, session } = await loadUserAndSession(ctx.pool, claims);
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  return { claims, user, session };
}

/** requireAdminCredentials + requireAdmin: a valid token whose role is an admin role. */
export async function requireAdmin(req: IncomingMessage, ctx: AuthContext): Promise<Claims> {
  const claims = parseAccessToken(requireBearer(req), ctx.stack.config.jwtSecret);
  const sid = typeof claims.session_id === 'string' ? claims.session_id : '';
  // A token of a signed-in user is only good while its session lasts (sessionless keys skip this).
  if (sid && sid !== NIL_UUID) await loadUserAndSession(ctx.pool, claims);
  if (typeof claims.role !== 'string' || !ADMIN_ROLES.has(claims.role)) throw forbidden('not_admin', 'User not allowed');
  return claims;
}

