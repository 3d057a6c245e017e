// The Edge Functions host's settings: StackConfig.functions with hosted Supabase's limits as defaults.
import type { StackConfig } from '../config.ts';

/** Hosted Supabase ends a request that has not started its response after 150 s (504 IDLE_TIMEOUT). */
export const HOSTED_IDLE_TIMEOUT_MS = 150_000;
/** Hosted Supabase's wall-clock limit on paid plans (a worker lives at most 400 s). */
export const HOSTED_WALL_CLOCK_MS = 400_000;
/** Hosted Supabase gives each function 256 MB. */
export const MEMORY_LIMIT_MB = 256;
/**
 * Process env variables functions see without being listed anywhere: the outside services Emily's
 * functions talk to. Anything else from the operator's environment stays out (see env.ts).
 */
export const DEFAULT_PASS_ENV = ['OPENAI_*', 'QDRANT_*', 'STRIPE_*'];

export interface FunctionsOptions {
  env: Record<string, string>;
  passEnv: string[];
  idleTimeoutMs: number;
  wallClockMs: number;
  idleShutdownMs: number;
}

export function functionsOptions(config: StackConfig): FunctionsOptions {
  const given = config.functions ?? {};
  return {
    env: given.env ?? {},
    passEnv: given.passEnv ?? DEFAULT_PASS_ENV,
    idleTimeoutMs: given.idleTimeoutMs ?? HOSTED_IDLE_TIMEOUT_MS,
    wallClockMs: given.wallClockMs ?? HOSTED_WALL_CLOCK_MS,
    idleShutdownMs: given.idleShutdownMs ?? 10 * 60_000,
  };
}
