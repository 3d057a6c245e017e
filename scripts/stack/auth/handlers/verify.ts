// /verify (internal/api/verify.go): what an e-mailed link or code leads to. The local stack issues
// confirmation tokens (invitations) and recovery tokens (password recovery), so the types that use
// them are served: invite, signup and email; recovery and magiclink (which GoTrue checks against
// the recovery token too). E-mail-change tokens are never issued here, so such links are always
// "invalid or expired", as they would be on GoTrue with no token stored.
//
//   GET  /verify?token=HASH&type=invite&redirect_to=URL   the link in the message (no apikey needed,
//        as Supabase's gateway leaves this route open): 303 to redirect_to with the session in the
//        fragment (implicit flow), or GoTrue's error fragment.
//   POST /verify {type, token_hash} or {type, email, token}   supabase-js verifyOtp: the session.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http.ts';
import type { AuthContext } from '../context.ts';
import { hashPassword, randomPassword, validateEmail, validatePhone } from '../credentials.ts';
import { transaction, type Db } from '../db.ts';
import { AuthError, badRequest, forbidden, orInternalError, unprocessable } from '../errors.ts';
import { tokenHash } from '../otp.ts';
import { readParams } from '../params.ts';
import { enforceRateLimit } from '../rate-limit.ts';
import { referrerUrl } from '../redirect-urls.ts';
import { clientOf, logout, startSession } from '../sessions.ts';
import { tokenResponse, type TokenResponse } from '../token-response.ts';
import { confirmEmail, findUserByToken, hasPassword, isBanned, type TokenColumn } from '../users.ts';

/** GoTrue's Verify limiter: [auth.rate_limit] token_verifications per 5 minutes, bursts of 30. */
const VERIFY_BURST = 30;

/** The token column each served type is checked against, and the column saying when it was sent. */
const TOKEN_OF_TYPE: Record<string, { column: TokenColumn; sentAt: 'confirmation_sent_at' | 'recovery_sent_at' }> = {
  signup: { column: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  invite: { column: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  email: { column: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  recovery: { column: 'recovery_token', sentAt: 'recovery_sent_at' },
  magiclink: { column: 'recovery_token', sentAt: 'recovery_sent_at' },
};
/** Types whose tokens live in columns this stack never fills (email_change_token_*). */
const NEVER_ISSUED_TYPES = new Set(['email_change']);

const linkInvalid = () => forbidden('otp_expired', 'Email link is invalid or has expired');
const codeInvalid = () => forbidden('otp_expired', 'Token has expired or is invalid');

/** GoTrue's oauthErrorMap: the `error` of an error redirect. */
const OAUTH_ERRORS: Record<number, string> = {
  400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 500: 'server_error', 503: 'temporarily_unavailable',
};

function limitVerifications(req: IncomingMessage, ctx: AuthContext): void {
  enforceRateLimit(ctx.limits.verify, req, VERIFY_BURST, ctx.settings().rateLimitTokenVerifications / 300);
}

export async function verifyGet(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, query: URLSearchParams): Promise<void> {
  limitVerifications(req, ctx);
  const type = query.get('type') ?? '';
  const token = query.get('token') ?? '';
  const redirectTo = referrerUrl(req, query, ctx.settings());
  if (!type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if (!token) throw badRequest('validation_failed', 'Verify requires a token or a token hash');

  let location: string;
  try {
    const { body, type: verified } = await verifyAndSignIn(req, ctx, type, { tokenHash: token });
    const fragment = new URLSearchParams([
      ['access_token', body.access_token], ['expires_at', String(body.expires_at)], ['expires_in', String(body.expires_in)],
      ['refresh_token', body.refresh_token], ['sb', ''], ['token_type', body.token_type], ['type', verified],
    ]);
    // AccessTokenResponse.AsRedirectURL: appended as is, so redirect_to should carry no fragment.
    location = `${redirectTo}#${fragment}`;
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    location = errorRedirect(redirectTo, err);
  }
  res.writeHead(303, { Location: location, 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<a href="${location.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}">See Other</a>.\n`);
}

/** prepErrorRedirectURL: the error in the fragment (replacing any), the query left as it was. */
function errorRedirect(redirectTo: string, err: AuthError): string {
  const fragment = new URLSearchParams();
  if (OAUTH_ERRORS[err.status]) fragment.set('error', OAUTH_ERRORS[err.status]);
  fragment.set('error_code', err.code);
  fragment.set('error_description', err.message);
  fragment.set('sb', '');
  const at = redirectTo.indexOf('#');
  return `${at < 0 ? redirectTo : redirectTo.slice(0, at)}#${fragment}`;
}

const VERIFY_PARAMS = {
  type: 'string', token: 'string', token_hash: 'string', email: 'string', phone: 'string', redirect_to: 'string',
} as const;

export async function verifyPost(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  limitVerifications(req, ctx);
  const p = await readParams(req, ctx.stack.config.maxBodyBytes, 'VerifyParams', VERIFY_PARAMS);
  if (!p.type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if ((!p.token && !p.token_hash) || (p.token && p.token_hash)) {
    throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  }
  let lookup: Lookup;
  if (p.token) {
    if (p.phone && !p.email) {
      // Phone codes need an SMS provider; none is ever sent locally.
      validatePhone(p.phone);
      throw codeInvalid();
    }
    if (!p.email || p.phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
    let email: string;
    try {
      email = validateEmail(p.email);
    } catch {
      throw unprocessable('validation_failed', 'Invalid email format');
    }
    lookup = { email, tokenHash: tokenHash(email, p.token) };
  } else {
    if (p.email || p.phone || p.redirect_to) throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
    lookup = { tokenHash: p.token_hash };
  }
  const { body } = await verifyAndSignIn(req, ctx, p.type, lookup);
  sendJson(res, 200, body);
}

/** The link's token hash alone (verifyTokenHash), or an address and its code (verifyUserAndToken). */
type Lookup = { tokenHash: string; email?: string };

/**
 * Finds the user the token belongs to, confirms the address (signupVerify) and opens a session
 * whose amr is "otp". Returns the session and the type as verified ("email" becomes "signup").
 */
async function verifyAndSignIn(req: IncomingMessage, ctx: AuthContext, type: string, lookup: Lookup): Promise<{ body: TokenResponse; type: string }> {
  const expiry = ctx.settings().emailOtpExpiry;
  const byCode = lookup.email !== undefined;
  const invalid = byCode ? codeInvalid : linkInvalid;
  const token = Object.hasOwn(TOKEN_OF_TYPE, type) ? TOKEN_OF_TYPE[type] : undefined;
  if (!byCode && !token && !NEVER_ISSUED_TYPES.has(type)) {
    throw badRequest('validation_failed', 'Invalid email verification type');
  }
  const user = token
    ? await orInternalError('Database error finding user', () => findUserByToken(ctx.pool, token.column, lookup.tokenHash, lookup.email))
    : null;
  if (!user || !token) throw invalid();
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  if (!(await sentWithin(ctx.pool, user.id, token.sentAt, expiry))) throw invalid();

  // An invited user gets an unguessable password, so they cannot sign in with one until they
  // choose their own (their app asks right after this sign-in). Hashing is done outside the
  // transaction (~0.1 s of CPU), as GoTrue does.
  const temporaryHash = !hasPassword(user) && user.invited_at ? await hashPassword(randomPassword()) : undefined;
  const body = await orInternalError('Database error updating user', () => transaction(ctx.pool, async (tx) => {
    // The token is used up here: of two concurrent uses of one link, the second finds nothing.
    const { rows: [locked] } = await tx.query<{ email: string | null; confirmed: boolean }>(
      `select email, email_confirmed_at is not null as confirmed from auth.users where id = $1 and ${token.column} = $2 for update`,
      [user.id, lookup.tokenHash],
    );
    if (!locked) throw invalid();
    // User.Recover: a recovery link works once.
    if (token.column === 'recovery_token') {
      await tx.query(`update auth.users set recovery_token = '', recovery_sent_at = null, updated_at = now() where id = $1`, [user.id]);
    }
    if (temporaryHash) {
      await tx.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [user.id, temporaryHash]);
      // UpdatePassword(tx, nil): a new password ends every session of the user.
      await logout(tx, user.id, null, 'global');
    }
    // recoverVerify confirms an address not confirmed yet (the link proves it), and leaves a confirmed one as it is.
    if (token.column === 'confirmation_token' || !locked.confirmed) await confirmEmail(tx, user.id);
    await tx.query(
      `update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
        where user_id = $1 and provider = 'email' and email = lower($2)`,
      [user.id, locked.email ?? ''],
    );
    const { sessionId, refreshToken } = await startSession(tx, user.id, 'otp', clientOf(req));
    return tokenResponse(tx, ctx, user.id, sessionId, refreshToken);
  }));
  return { body, type: type === 'email' ? 'signup' : type };
}

/** isOtpExpired: the link was sent less than `[auth.email] otp_expiry` seconds ago. */
async function sentWithin(db: Db, userId: string, sentAt: 'confirmation_sent_at' | 'recovery_sent_at', seconds: number): Promise<boolean> {
  const { rows: [row] } = await db.query<{ fresh: boolean }>(
    `select ${sentAt} is not null and now() <= ${sentAt} + make_interval(secs => $2) as fresh
       from auth.users where id = $1`,
    [userId, seconds],
  );
  return !!row?.fresh;
}
