// Rate limiting with the Postgres limiter (private.check_rate_limit: fixed windows, atomic under
// concurrency). A refused request gets 429 `rate_limited` with Retry-After in seconds.
//
// Limits are checked narrowest first and a request stops counting at the first limit that refuses
// it: a visitor far over its own limit therefore uses up nothing of its client address's or its
// website's budget, and one anonymous visitor cannot lock everybody else out of a website.
import { sql } from './db.ts';
import { env } from './env.ts';
import { ApiError } from './http.ts';

export interface Limit {
  key: string;
  max: number;
  windowSeconds: number;
}

/**
 * Counts one request against each limit in order, stopping at the first refusal; throws 429 then.
 * One round trip per limit: a single statement would count every key, refused or not.
 */
export async function enforceLimits(limits: Limit[]): Promise<void> {
  for (const l of limits) {
    if (!(l.max > 0 && l.windowSeconds > 0)) continue;
    const [r] = await sql()<{ allowed: boolean; retry_after_seconds: number }[]>`
      select allowed, retry_after_seconds
      from private.check_rate_limit(${l.key.slice(0, 200)}, ${l.max}, make_interval(secs => ${l.windowSeconds}))`;
    if (!r.allowed) {
      const retry = Math.max(r.retry_after_seconds, 1);
      throw new ApiError(429, 'rate_limited', `Too many requests; try again in ${retry} s.`, { 'Retry-After': String(retry) });
    }
  }
}

/** The client's address as the platform's proxy saw it: the last X-Forwarded-For entry. */
export function clientAddress(req: Request): string {
  const forwarded = req.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  return last ?? req.headers.get('x-real-ip') ?? 'unknown';
}

/** One signed-in caller (visitor or member) on one website. */
export function callerLimit(endpoint: string, websiteId: string, userId: string, max = env.visitorRateLimit()): Limit {
  return { key: `${endpoint}:v:${websiteId}:${userId}`, max, windowSeconds: env.visitorRateWindowS() };
}

/** One client address on one website: anonymous sessions cost nothing to create, addresses do. */
export function addressLimit(req: Request, endpoint: string, websiteId: string, max: number): Limit {
  return { key: `${endpoint}:a:${websiteId}:${clientAddress(req)}`, max, windowSeconds: env.visitorRateWindowS() };
}

/** A website as a whole (protects the database from a flood of many callers). */
export function websiteLimit(endpoint: string, websiteId: string): Limit {
  return { key: `${endpoint}:w:${websiteId}`, max: env.websiteRateLimit(), windowSeconds: env.websiteRateWindowS() };
}

/** Public endpoints (no session): per client address and website. */
export function limitByClient(req: Request, endpoint: string, websiteId: string): Promise<void> {
  return enforceLimits([{ key: `${endpoint}:${websiteId}:${clientAddress(req)}`, max: env.publicRateLimit(), windowSeconds: env.visitorRateWindowS() }]);
}

/** Signed-in endpoints: per caller on the website, then (only if the caller is within its own) the website's. */
export function limitCaller(endpoint: string, websiteId: string, userId: string, max = env.visitorRateLimit()): Promise<void> {
  return enforceLimits([callerLimit(endpoint, websiteId, userId, max), websiteLimit(endpoint, websiteId)]);
}
