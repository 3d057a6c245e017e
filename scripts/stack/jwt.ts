// HS256 JSON Web Tokens, as Supabase Auth signs them and as every API part checks them.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Claims = Record<string, unknown> & { role?: string; sub?: string; exp?: number };

export function signJwt(claims: Claims, secret: string): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export type JwtCheck =
  | { ok: true; claims: Claims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'unsupported_alg'; message: string };

/** Verifies signature and expiry. Never throws: every failure is a value the caller maps to a 401. */
export function verifyJwt(token: string | undefined | null, secret: string, nowSeconds = Date.now() / 1000): JwtCheck {
  if (!token || typeof token !== 'string') return { ok: false, reason: 'malformed', message: 'missing token' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    return { ok: false, reason: 'malformed', message: 'token is malformed' };
  }
  let header: { alg?: string };
  let claims: Claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed', message: 'token is malformed' };
  }
  if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object' || Array.isArray(claims)) {
    return { ok: false, reason: 'malformed', message: 'token is malformed' };
  }
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported_alg', message: `signing method ${String(header.alg)} is invalid` };
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature', message: 'signature is invalid' };
  }
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp <= nowSeconds)) {
    return { ok: false, reason: 'expired', message: 'token has expired' };
  }
  return { ok: true, claims };
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? m[1] : undefined;
}
