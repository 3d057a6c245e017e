// Who is calling (contract §3): the Bearer token must be a user's access token (a visitor is an
// anonymous user; a member a signed-in one), checked by Supabase Auth with `auth.getUser(token)`,
// which also catches sessions that were signed out or users that were deleted (a signature check
// alone would accept them until the token expires). To keep that round trip off the hot path, a
// verified token is remembered for at most AUTH_CACHE_MS (and never past its expiry), so a revoked
// session can be used for at most that long. Obviously bad tokens (malformed, expired, the anon
// key) are refused before any round trip.
import { ApiError } from './http.ts';
import { serviceClient } from './supabase.ts';

export interface Caller {
  userId: string;
  isAnonymous: boolean;
  email?: string;
  token: string;
}

export const AUTH_CACHE_MS = 30_000;
const MAX_CACHED = 2000;
const cache = new Map<string, { caller: Caller; until: number }>();

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' });
}

export function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '');
  return m?.[1];
}

/** The claims of a JWT without checking its signature (only to refuse early; Auth decides). */
export function peekClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

export async function authenticate(req: Request): Promise<Caller> {
  const token = bearer(req);
  if (!token) throw unauthorized('Sign in first: send the session access token as "Authorization: Bearer <token>".');
  const now = Date.now();
  const hit = cache.get(token);
  if (hit && hit.until > now) return hit.caller;
  if (hit) cache.delete(token);

  const claims = peekClaims(token);
  if (!claims) throw unauthorized('The access token is malformed.');
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (exp !== undefined && exp <= now) throw unauthorized('The access token has expired; refresh the session.');
  if (claims.role !== 'authenticated' || typeof claims.sub !== 'string') {
    throw unauthorized('This call needs a user session, not an API key.');
  }

  let result;
  try {
    result = await serviceClient().auth.getUser(token);
  } catch {
    throw new ApiError(503, 'auth_unavailable', 'Could not verify the session right now; try again.', { 'Retry-After': '1' });
  }
  const { data, error } = result;
  if (error || !data?.user) {
    if (error && (error.status ?? 0) >= 500) {
      throw new ApiError(503, 'auth_unavailable', 'Could not verify the session right now; try again.', { 'Retry-After': '1' });
    }
    throw unauthorized('The session is not valid (expired, signed out or forged).');
  }
  const caller: Caller = { userId: data.user.id, isAnonymous: !!data.user.is_anonymous, email: data.user.email ?? undefined, token };
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(token, { caller, until: Math.min(now + AUTH_CACHE_MS, exp ?? now + AUTH_CACHE_MS) });
  return caller;
}
