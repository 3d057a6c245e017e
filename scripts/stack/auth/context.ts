// What every auth handler works with: the stack, Auth's own database pool and the live settings.
import type pg from 'pg';
import type { StackContext } from '../service.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { SendFrequency } from './send-frequency.ts';
import type { SettingsSource } from './settings.ts';

export interface AuthContext {
  stack: StackContext;
  pool: pg.Pool;
  settings: SettingsSource;
  /**
   * GoTrue's per-client limiters, one per limited endpoint (their sizes come from settings), and
   * the per-address interval between recovery messages.
   */
  limits: { anonymousSignIns: RateLimiter; verify: RateLimiter; recoveryMails: SendFrequency };
}

/** The `iss` claim: the Auth URL as clients reach it (the gateway's port is known once it listens). */
export function issuer(ctx: AuthContext): string {
  const { host, apiPort } = ctx.stack.config;
  return `http://${host}:${apiPort}/auth/v1`;
}
