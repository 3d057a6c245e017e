// The answer of every grant (AccessTokenResponse): access and refresh token, lifetimes and user.
import { mintAccessToken } from './access-tokens.ts';
import { issuer, type AuthContext } from './context.ts';
import type { Db } from './db.ts';
import { unexpectedFailure } from './errors.ts';
import { sessionAmr } from './sessions.ts';
import { findUserById, userJson } from './users.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
  weak_password?: { message: string; reasons: string[] };
}

export async function tokenResponse(
  db: Db, ctx: AuthContext, userId: string, sessionId: string, refreshToken: string,
): Promise<TokenResponse> {
  const user = await findUserById(db, userId);
  if (!user) throw unexpectedFailure();
  const minted = mintAccessToken({
    user,
    sessionId,
    amr: await sessionAmr(db, sessionId),
    issuer: issuer(ctx),
    expirySeconds: ctx.settings().jwtExpiry,
    secret: ctx.stack.config.jwtSecret,
  });
  return {
    access_token: minted.token,
    token_type: 'bearer',
    expires_in: minted.expiresIn,
    expires_at: minted.expiresAt,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}
