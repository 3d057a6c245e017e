// /auth/v1: the local stack's Supabase Auth (GoTrue-compatible) for everything Emily uses:
// anonymous and e-mail sign-up, password and refresh-token grants with rotation, the signed-in
// user, sign-out, the admin user API, invitations and password recovery by e-mail (to the stack's
// outbox) and the /verify links they carry, health and settings. Users, identities, sessions and
// refresh tokens live in the `auth` schema with GoTrue's columns.
import type pg from 'pg';
import type { Claims } from '../jwt.ts';
import { readProjectConfig } from '../project-config.ts';
import type { GatewayService, StackContext } from '../service.ts';
import { parseAccessToken } from './access-tokens.ts';
import { loadUserAndSession } from './authenticate.ts';
import { createAuthPool } from './db.ts';
import { AuthError } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { isOpenPath, route } from './router.ts';
import { SendFrequency } from './send-frequency.ts';
import { createSettingsSource, type AuthSettings } from './settings.ts';

export type AccessTokenCheck =
  | { ok: true; claims: Claims; userId: string | null; sessionId: string | null }
  | { ok: false; status: number; code: string; message: string };

export interface AuthService extends GatewayService {
  /**
   * Checks an access token as Supabase Auth's /user does: signature, expiry, and that its user and
   * session (when it names one) still exist. API keys (no `sub`) pass with userId null.
   * For other parts of the stack (Realtime, Functions) that must refuse signed-out sessions.
   */
  verifyAccessToken(token: string): Promise<AccessTokenCheck>;
  /** Test stacks: replace some [auth] settings of config.toml (null restores them). */
  overrideSettings(values: Partial<AuthSettings> | null): void;
}

/** A verifier with its own small pool, for parts of the stack that do not hold the auth service. */
export function createAccessTokenVerifier(ctx: StackContext): { verify(token: string): Promise<AccessTokenCheck>; close(): Promise<void> } {
  const pool = createAuthPool(ctx.dbUrl, 2);
  return { verify: (token) => verifyWith(pool, ctx.config.jwtSecret, token), close: () => pool.end() };
}

async function verifyWith(pool: pg.Pool, secret: string, token: string): Promise<AccessTokenCheck> {
  try {
    const claims = parseAccessToken(token, secret);
    if (claims.sub === undefined || claims.sub === null || claims.sub === '') {
      return { ok: true, claims, userId: null, sessionId: null };
    }
    const { user, session } = await loadUserAndSession(pool, claims);
    return { ok: true, claims, userId: user.id, sessionId: session?.id ?? null };
  } catch (err) {
    if (err instanceof AuthError) return { ok: false, status: err.status, code: err.code, message: err.message };
    throw err;
  }
}

export function createAuthService(ctx: StackContext): AuthService {
  const pool = createAuthPool(ctx.dbUrl);
  // The stack's own [auth] values (a test stack's raised rate limits) win over config.toml's.
  const settings = createSettingsSource(() => ({ ...readProjectConfig().auth, ...ctx.config.authSettings }));
  const auth = { stack: ctx, pool, settings, limits: { anonymousSignIns: new RateLimiter(), verify: new RateLimiter(), recoveryMails: new SendFrequency() } };
  return {
    prefix: '/auth/v1',
    cors: true,
    requiresApiKey: (path) => !isOpenPath(path),
    handle: (req, res, path) => route(req, res, auth, path),
    verifyAccessToken: (token) => verifyWith(pool, ctx.config.jwtSecret, token),
    overrideSettings: (values) => settings.override(values),
    close: () => pool.end(),
  };
}
