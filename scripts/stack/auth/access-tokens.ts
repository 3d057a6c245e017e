// Access tokens: minted with Supabase Auth's claims (internal/tokens/service.go, same key order),
// and bearer tokens parsed with GoTrue's answers for each way a token can be wrong.
import type { IncomingMessage } from 'node:http';
import { signJwt, verifyJwt, type Claims } from '../jwt.ts';
import { AuthError, forbidden } from './errors.ts';
import type { User } from './users.ts';

export interface AmrEntry { method: string; timestamp: number }

export interface MintedToken { token: string; expiresAt: number; expiresIn: number }

export function mintAccessToken(opts: {
  user: User; sessionId: string; amr: AmrEntry[]; aal?: string; issuer: string; expirySeconds: number; secret: string;
}): MintedToken {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + opts.expirySeconds;
  const { user } = opts;
  const claims: Claims = {
    iss: opts.issuer,
    sub: user.id,
    aud: user.aud ?? '',
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? '',
    aal: opts.aal ?? 'aal1',
    amr: [...opts.amr].sort((a, b) => b.timestamp - a.timestamp),
    session_id: opts.sessionId,
    is_anonymous: user.is_anonymous,
  };
  return { token: signJwt(claims, opts.secret), expiresAt: exp, expiresIn: exp - iat };
}

/** The access token of `Authorization: Bearer …` (GoTrue's `(?i)^bearer (\S+$)`), or a 401. */
export function requireBearer(req: IncomingMessage): string {
  const raw = req.headers.authorization;
  const m = typeof raw === 'string' ? /^bearer (\S+)$/i.exec(raw) : null;
  if (!m) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  return m[1];
}

const STRING_CLAIMS = ['sub', 'session_id', 'role', 'email', 'phone', 'iss'];

/**
 * Checks signature, algorithm, expiry and claim types as GoTrue's parseJWTClaims does (golang-jwt
 * v5 into AccessTokenClaims). Every failure is 403 `bad_jwt` with golang-jwt's wording.
 */
export function parseAccessToken(token: string, secret: string): Claims {
  const bad = (why: string) => forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${why}`);
  const check = verifyJwt(token, secret);
  if (!check.ok) {
    switch (check.reason) {
      case 'malformed':
        throw bad(token.split('.').length !== 3
          ? 'token is malformed: token contains an invalid number of segments'
          : 'token is malformed: could not JSON decode token');
      case 'unsupported_alg':
        throw bad(`token signature is invalid: ${check.message}`);
      case 'bad_signature':
        throw bad('token signature is invalid: signature is invalid');
      case 'expired':
        throw bad(typeof verifyJwtExp(token) === 'number'
          ? 'token has invalid claims: token is expired'
          : 'token is malformed: could not JSON decode claim');
    }
  }
  const claims = check.claims;
  const wrongType = STRING_CLAIMS.some((k) => claims[k] !== undefined && claims[k] !== null && typeof claims[k] !== 'string')
    || (claims.is_anonymous !== undefined && claims.is_anonymous !== null && typeof claims.is_anonymous !== 'boolean')
    || (claims.aud !== undefined && claims.aud !== null && typeof claims.aud !== 'string'
      && !(Array.isArray(claims.aud) && claims.aud.every((a) => typeof a === 'string')));
  if (wrongType) throw bad('token is malformed: could not JSON decode claim');
  if (typeof claims.nbf === 'number' && claims.nbf > Date.now() / 1000) throw bad('token has invalid claims: token is not valid yet');
  return claims;
}

function verifyJwtExp(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).exp;
  } catch {
    return undefined;
  }
}

/** The `aud` claim's first audience ("" when none), as GoTrue's claims.GetAudience()[0]. */
export function firstAudience(claims: Claims): string {
  const aud = claims.aud;
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && typeof aud[0] === 'string') return aud[0];
  return '';
}
