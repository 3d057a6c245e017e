// Rate limiting with the Postgres limiter (private.check_rate_limit: fixed windows, atomic under
// concurrency). A refused request gets 429 `rate_limited` with Retry-After in seconds.
import { sql } from './db.ts';
import { env } from './env.ts';
import { ApiError } from './http.ts';

export interface Limit {
  key: string;
  max: number;
  windowSeconds: number;
}

/** Counts one request against every limit in one round trip; throws 429 if any is exceeded. */
export async function enforceLimits(limits: Limit[]): Promise<void> {
  const active = limits.filter((l) => l.max > 0 && l.windowSeconds > 0);
  if (!active.length) return;
  const rows = await sql()<{ allowed: boolean; retry_after_seconds: number }[]>`
    select r.allowed, r.retry_after_seconds
    from unnest(${active.map((l) => l.key.slice(0, 200))}::text[], ${active.map((l) => l.max)}::int[], ${active.map((l) => l.windowSeconds)}::int[])
      as l(key, max, secs)
    cross join lateral private.check_rate_limit(l.key, l.max, make_interval(secs => l.secs)) r`;
  const refused = rows.filter((r) => !r.allowed);
  if (refused.length) {
    const retry = Math.max(...refused.map((r) => r.retry_after_seconds), 1);
    throw new ApiError(429, 'rate_limited', `Too many requests; try again in ${retry} s.`, { 'Retry-After': String(retry) });
  }
}

/** The client's address as the platform's proxy saw it: the last X-Forwarded-For entry. */
export function clientAddress(req: Request): string {
  const forwarded = req.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  return last ?? req.headers.get('x-real-ip') ?? 'unknown';
}

/** Public endpoints (no session): per client address and website. */
export function limitByClient(req: Request, endpoint: string, websiteId: string): Promise<void> {
  return enforceLimits([{ key: `${endpoint}:${websiteId}:${clientAddress(req)}`, max: env.publicRateLimit(), windowSeconds: env.visitorRateWindowS() }]);
}

/** Signed-in endpoints: per caller (visitor or member) on the website, and for the website as a whole. */
export function limitCaller(endpoint: string, websiteId: string, userId: string, max = env.visitorRateLimit()): Promise<void> {
  return enforceLimits([
    { key: `${endpoint}:v:${websiteId}:${userId}`, max, windowSeconds: env.visitorRateWindowS() },
    { key: `${endpoint}:w:${websiteId}`, max: env.websiteRateLimit(), windowSeconds: env.websiteRateWindowS() },
  ]);
}
