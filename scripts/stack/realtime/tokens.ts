// Access-token checks with Supabase Realtime's outcomes and wording (ChannelsAuthorization,
// JwtVerification): the reason strings reach clients in join errors and system messages.
import { verifyJwt, type Claims } from '../jwt.ts';

export type TokenCheck =
  | { ok: true; claims: Claims; exp: number }
  | { ok: false; kind: 'expired' | 'missing_claims' | 'malformed' | 'signature' | 'signer'; code: string; message: string };

/** Supabase URI-decodes the token and strips whitespace before verifying it. */
function cleanToken(token: string): string {
  let decoded = token;
  try { decoded = decodeURIComponent(token); } catch { /* keep as is */ }
  return decoded.replace(/\s/g, '');
}

export function checkToken(token: unknown, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): TokenCheck {
  if (typeof token !== 'string' || token === '') {
    return { ok: false, kind: 'malformed', code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
  }
  const result = verifyJwt(cleanToken(token), secret, nowSeconds);
  if (!result.ok) {
    switch (result.reason) {
      case 'expired': {
        const exp = peekExp(cleanToken(token));
        return { ok: false, kind: 'expired', code: 'InvalidJWTToken', message: `Token has expired ${nowSeconds - Math.floor(exp ?? nowSeconds)} seconds ago` };
      }
      case 'bad_signature':
        return { ok: false, kind: 'signature', code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
      case 'unsupported_alg':
        return { ok: false, kind: 'signer', code: 'JwtSignerError', message: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration' };
      default:
        return { ok: false, kind: 'malformed', code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
    }
  }
  const { claims } = result;
  if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    return { ok: false, kind: 'missing_claims', code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' };
  }
  return { ok: true, claims, exp: Math.round(claims.exp) };
}

function peekExp(token: string): number | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

/** The token a join (or HTTP call) acts with: `sb_` keys are not JWTs and fall back to the socket's key. */
export function pickAccessToken(candidate: unknown, fallback: string): string {
  if (typeof candidate === 'string' && !candidate.startsWith('sb_')) return candidate;
  return fallback;
}
