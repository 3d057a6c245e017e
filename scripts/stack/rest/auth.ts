// Who a request runs as: the JWT of `Authorization: Bearer …` (else the `apikey` JWT), checked the
// way PostgREST 13 checks it (Auth.hs: HS256 signature, exp/nbf/iat with 30 s of skew, aud shape),
// and its `role` claim (anon when absent). Failures are PostgREST's 401 answers.
import type { IncomingMessage } from 'node:http';
import { API_ROLES } from '../db.ts';
import { verifyJwt, type Claims } from '../jwt.ts';
import { jwtClaimsError, jwtDecodeError, PgrstError } from './errors.ts';

export interface AuthResult {
  claims: Claims;
  role: string;
  /** False for the anonymous role: PostgREST answers 42501 with 401 then, 403 otherwise. */
  authed: boolean;
}

const SKEW_SECONDS = 30;

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The token to check, or undefined for an anonymous request. */
function tokenOf(req: IncomingMessage): string | undefined {
  const authorization = headerValue(req, 'authorization');
  if (authorization !== undefined) {
    const m = /^bearer(?:\s+(.*)|\s*)$/is.exec(authorization.trim());
    // Opaque `sb_…` keys carry no role (hosted Supabase swaps them for JWTs at its gateway).
    if (m && !(m[1] ?? '').trim().startsWith('sb_')) return (m[1] ?? '').trim();
  }
  const apikey = headerValue(req, 'apikey');
  if (apikey && !apikey.startsWith('sb_')) return apikey;
  return undefined;
}

function checkTimeClaim(claims: Claims, name: 'exp' | 'nbf' | 'iat', now: number) {
  const value = claims[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw jwtClaimsError(`The JWT '${name}' claim must be a number`);
  if (name === 'exp' && now > value + SKEW_SECONDS) throw jwtClaimsError('JWT expired');
  if (name === 'nbf' && now < value - SKEW_SECONDS) throw jwtClaimsError('JWT not yet valid');
  if (name === 'iat' && now < value - SKEW_SECONDS) throw jwtClaimsError('JWT issued at future');
}

export function authenticate(req: IncomingMessage, secret: string, nowSeconds = Date.now() / 1000): AuthResult {
  const token = tokenOf(req);
  let claims: Claims = {};
  if (token !== undefined) {
    if (token === '') throw jwtDecodeError('Empty JWT is sent in Authorization header');
    const parts = token.split('.').length;
    if (parts !== 3) throw jwtDecodeError(`Expected 3 parts in JWT; got ${parts}`);
    // Signature and shape only here (no time given): the time claims follow PostgREST's rules below.
    const check = verifyJwt(token, secret, Number.NEGATIVE_INFINITY);
    if (!check.ok) {
      if (check.reason === 'unsupported_alg') throw jwtDecodeError('Wrong or unsupported encoding algorithm', check.message);
      if (check.reason === 'expired') throw jwtClaimsError("The JWT 'exp' claim must be a number");
      throw jwtDecodeError('JWT cryptographic operation failed');
    }
    claims = check.claims;
    checkTimeClaim(claims, 'exp', nowSeconds);
    checkTimeClaim(claims, 'nbf', nowSeconds);
    checkTimeClaim(claims, 'iat', nowSeconds);
    const aud = claims.aud;
    if (aud !== undefined && aud !== null && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
      throw jwtClaimsError("The JWT 'aud' claim must be a string or an array of strings");
    }
  }
  const roleClaim = claims.role;
  const role = roleClaim === undefined ? 'anon' : typeof roleClaim === 'string' ? roleClaim : JSON.stringify(roleClaim);
  if (!API_ROLES.has(role)) {
    // What Postgres answers to `set role` with an unknown role; PostgREST maps it to 401.
    throw new PgrstError(401, { code: '22023', details: null, hint: null, message: `role "${role}" does not exist` }, { 'WWW-Authenticate': 'Bearer' });
  }
  return { claims: { ...claims, role }, role, authed: role !== 'anon' };
}
