// POST /token?grant_type=password|refresh_token (internal/api/token.go, internal/tokens/service.go).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http.ts';
import type { AuthContext } from '../context.ts';
import { passwordMatches, weakPasswordHint } from '../credentials.ts';
import { transaction } from '../db.ts';
import { badRequest, OAuthError, orInternalError, unprocessable } from '../errors.ts';
import { readParams } from '../params.ts';
import { clientOf, rotateRefreshToken, startSession } from '../sessions.ts';
import { tokenResponse } from '../token-response.ts';
import { findUserByEmail, hasPassword, isBanned } from '../users.ts';

const INVALID_LOGIN = 'Invalid login credentials';

export async function token(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, query: URLSearchParams): Promise<void> {
  switch (query.get('grant_type')) {
    case 'password':
      return passwordGrant(req, res, ctx);
    case 'refresh_token':
      return refreshTokenGrant(req, res, ctx);
    default:
      // Sic: GoTrue answers an unknown grant with code invalid_credentials and this message.
      throw badRequest('invalid_credentials', 'unsupported_grant_type');
  }
}

async function passwordGrant(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'PasswordGrantParams', {
    email: 'string', phone: 'string', password: 'string',
  });
  if (params.email && params.phone) {
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
  }
  if (params.phone) throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
  if (!params.email) throw badRequest('validation_failed', 'missing email or phone');

  const user = await orInternalError('Database error querying schema', () => findUserByEmail(ctx.pool, params.email));
  if (!user || !hasPassword(user)) throw badRequest('invalid_credentials', INVALID_LOGIN);
  if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
  if (!(await passwordMatches(params.password, user.encrypted_password))) throw badRequest('invalid_credentials', INVALID_LOGIN);
  if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');

  // A correct password that no longer meets the rules still signs in, with a hint to change it.
  const weak = weakPasswordHint(params.password, ctx.settings().minimumPasswordLength);
  const body = await orInternalError('Database error granting user', () => transaction(ctx.pool, async (tx) => {
    const { sessionId, refreshToken } = await startSession(tx, user.id, 'password', clientOf(req));
    return tokenResponse(tx, ctx, user.id, sessionId, refreshToken);
  }));
  sendJson(res, 200, weak ? { ...body, weak_password: weak } : body);
}

async function refreshTokenGrant(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'RefreshTokenGrantParams', { refresh_token: 'string' });
  if (!params.refresh_token) throw new OAuthError('invalid_request', 'refresh_token required');
  const settings = ctx.settings();
  const policy = { rotationEnabled: settings.enableRefreshTokenRotation, reuseIntervalSeconds: settings.refreshTokenReuseInterval };
  const outcome = await orInternalError('Database error refreshing the session', () => transaction(ctx.pool, async (tx) => {
    const rotated = await rotateRefreshToken(tx, params.refresh_token, policy, clientOf(req), async (userId) => {
      const { rows } = await tx.query<{ banned_until: string | null }>(
        'select banned_until from auth.users where id::text = $1', [userId],
      );
      return rows.length ? isBanned(rows[0]) : null;
    });
    if (!rotated.ok) return rotated;
    return { ok: true as const, body: await tokenResponse(tx, ctx, rotated.userId, rotated.sessionId, rotated.refreshToken) };
  }));
  // A refused reuse commits the family's revocation first, then answers with the error.
  if (!outcome.ok) throw outcome.error;
  sendJson(res, 200, outcome.body);
}
