// Sessions and refresh tokens as Supabase Auth keeps them (internal/models/refresh_token.go,
// sessions.go, amr.go; internal/tokens/service.go): one auth.sessions row per sign-in, its `amr`
// claims, and a chain of 12-character refresh tokens in auth.refresh_tokens where each use
// revokes the token and issues a child whose `parent` is the used one.
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { AmrEntry } from './access-tokens.ts';
import type { Db } from './db.ts';
import { badRequest } from './errors.ts';
import { NIL_UUID } from './users.ts';

/** The authentication methods GoTrue records (models.AuthenticationMethod); "otp" for e-mailed links. */
export type AuthMethod = 'password' | 'anonymous' | 'otp';

export interface SessionRow {
  id: string;
  user_id: string;
  created_at: string;
  not_after: string | null;
  aal: string | null;
}

interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  parent: string | null;
  session_id: string | null;
  updated_at: string;
}

/** crypto.SecureAlphanumeric(12): 12 lower-case base32 characters. */
export function newRefreshToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(12);
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return out;
}

/** What GoTrue records about the device (GrantParams.FillGrantParams). */
export function clientOf(req: IncomingMessage): { userAgent: string | null; ip: string | null } {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const ip = first && isIP(first) ? first : req.socket.remoteAddress && isIP(req.socket.remoteAddress) ? req.socket.remoteAddress : null;
  const ua = req.headers['user-agent'];
  return { userAgent: typeof ua === 'string' && ua ? ua : null, ip };
}

/**
 * IssueRefreshToken: a new session with its first refresh token and amr claim; the user's
 * last_sign_in_at becomes now. Returns the session id and refresh token.
 */
export async function startSession(
  tx: pg.PoolClient, userId: string, method: AuthMethod, client: { userAgent: string | null; ip: string | null },
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  await tx.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
      values ($1, $2, now(), now(), 'aal1', $3, $4)`,
    [sessionId, userId, client.userAgent, client.ip],
  );
  const refreshToken = await insertRefreshToken(tx, userId, sessionId, null);
  await tx.query('update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1', [userId]);
  await tx.query(
    `insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
      values (gen_random_uuid(), $1, now(), now(), $2)
      on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey do update set updated_at = now()`,
    [sessionId, method],
  );
  return { sessionId, refreshToken };
}

async function insertRefreshToken(tx: pg.PoolClient, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = newRefreshToken();
  await tx.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
      values ($1, $2, $3, false, now(), now(), $4, $5)`,
    [NIL_UUID, token, userId, parent, sessionId],
  );
  return token;
}

export async function findSession(db: Db, id: string): Promise<SessionRow | null> {
  const { rows } = await db.query<SessionRow>('select id, user_id, created_at, not_after, aal from auth.sessions where id = $1', [id]);
  return rows[0] ?? null;
}

/** Session.CalculateAALAndAMR: the session's claims, most recent first. */
export async function sessionAmr(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const { rows } = await db.query<{ method: string; timestamp: string }>(
    `select authentication_method as method, floor(extract(epoch from updated_at))::bigint as timestamp
       from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
    [sessionId],
  );
  return rows.map((r) => ({ method: r.method, timestamp: Number(r.timestamp) }));
}

export interface RotationPolicy { rotationEnabled: boolean; reuseIntervalSeconds: number }

export type RefreshOutcome =
  | { ok: true; userId: string; sessionId: string; refreshToken: string }
  | { ok: false; error: Error };

/**
 * RefreshTokenGrant for GoTrue's refresh tokens, inside `tx`. The session row and then the token
 * row are locked, so concurrent refreshes of one token run one after the other (the later one
 * sees the token revoked and, being the parent of the active token, gets that one back).
 * A refused reuse still commits the revocation of the family, hence an outcome, not a throw.
 */
export async function rotateRefreshToken(
  tx: pg.PoolClient, token: string, policy: RotationPolicy, client: { userAgent: string | null; ip: string | null },
  isUserBanned: (userId: string) => Promise<boolean | null>,
): Promise<RefreshOutcome> {
  const notFound = () => badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  // GoTrue looks tokens of exactly 12 characters up in refresh_tokens; any other length is a
  // signed v2 token it cannot parse, which ends the same way.
  if (token.length !== 12) throw notFound();
  const first = await tx.query<RefreshTokenRow>('select session_id from auth.refresh_tokens where token = $1', [token]);
  if (!first.rows.length) throw notFound();
  const sessionId = first.rows[0].session_id;
  let session: SessionRow | undefined;
  if (sessionId) {
    ({ rows: [session] } = await tx.query<SessionRow>(
      'select id, user_id, created_at, not_after, aal from auth.sessions where id = $1 for update', [sessionId],
    ));
  }
  const { rows: [row] } = await tx.query<RefreshTokenRow>(
    `select id, token, user_id, revoked, parent, session_id, updated_at from auth.refresh_tokens where token = $1 for update`,
    [token],
  );
  if (!row) throw notFound();
  const banned = await isUserBanned(row.user_id);
  if (banned === null) throw notFound();
  if (banned) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
  if (!session) {
    await tx.query('delete from auth.refresh_tokens where id = $1', [row.id]);
    return { ok: false, error: badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found') };
  }
  if (session.not_after && Date.parse(session.not_after) < Date.now()) {
    throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
  }

  let issued: string | undefined;
  if (row.revoked) {
    const { rows: [active] } = await tx.query<RefreshTokenRow>(
      'select token, parent from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1',
      [session.id],
    );
    if (active && active.parent === row.token) {
      // The client lost the answer of its last refresh: give it the token it should have stored.
      issued = active.token;
    } else {
      const { rows: [{ expired }] } = await tx.query<{ expired: boolean }>(
        `select now() > $1::timestamptz + make_interval(secs => $2) as expired`, [row.updated_at, policy.reuseIntervalSeconds],
      );
      if (expired) {
        if (policy.rotationEnabled) {
          // RevokeTokenFamily: every token of the session, so a stolen token chain dies with it.
          await tx.query(
            'update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false',
            [session.id],
          );
        }
        return { ok: false, error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
      }
    }
  }
  if (!issued) {
    // GrantRefreshTokenSwap: revoke (touching updated_at, from which the reuse interval counts)
    // and issue a child in the same session.
    await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [row.id]);
    issued = await insertRefreshToken(tx, row.user_id, session.id, row.token);
  }
  await tx.query(
    `update auth.sessions set refreshed_at = timezone('UTC', now()), user_agent = $2, ip = $3 where id = $1`,
    [session.id, client.userAgent, client.ip],
  );
  return { ok: true, userId: row.user_id, sessionId: session.id, refreshToken: issued };
}

export type LogoutScope = 'global' | 'local' | 'others';

/** models.Logout / LogoutSession / LogoutAllExceptMe: sessions go, their refresh tokens with them. */
export async function logout(db: Db, userId: string, sessionId: string | null, scope: LogoutScope): Promise<void> {
  if (sessionId && scope === 'local') {
    await db.query('delete from auth.sessions where id = $1', [sessionId]);
  } else if (sessionId && scope === 'others') {
    await db.query('delete from auth.sessions where id <> $1 and user_id = $2', [sessionId, userId]);
  } else {
    await db.query('delete from auth.sessions where user_id = $1', [userId]);
  }
}
