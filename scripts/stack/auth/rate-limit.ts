// Per-client request limits as Supabase Auth applies them (internal/api/apilimiter: tollbooth over
// golang.org/x/time/rate): a token bucket per client address that starts full with `burst`
// requests and refills continuously at `perSecond`. A refused request is GoTrue's
// 429 `over_request_rate_limit` "Request rate limit reached", with no Retry-After header.
//
// The client is the TCP peer of the request. Hosted GoTrue keys by a header its own proxy sets;
// here nothing stands in front of the gateway, so X-Forwarded-For would be whatever the client
// wrote and is ignored: spoofing it cannot buy more requests.
import type { IncomingMessage } from 'node:http';
import { AuthError } from './errors.ts';

/** Beyond this many tracked clients, full buckets are forgotten (they behave like new ones). */
const MAX_TRACKED_CLIENTS = 10_000;

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  private shape = '';

  /**
   * Takes one request from `client`'s bucket; false when it is empty. A new `burst` or rate starts
   * every bucket afresh, as GoTrue builds a new limiter when its configuration changes.
   */
  take(client: string, burst: number, perSecond: number, now = Date.now()): boolean {
    const shape = `${burst}/${perSecond}`;
    if (shape !== this.shape) {
      this.buckets.clear();
      this.shape = shape;
    }
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.forgetFull(burst, perSecond, now);
      bucket = { tokens: burst, at: now };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private forgetFull(burst: number, perSecond: number, now: number): void {
    for (const [client, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.buckets.delete(client);
    }
    // Still full of clients that are all mid-burst: drop the oldest, never grow without bound.
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < MAX_TRACKED_CLIENTS) break;
      this.buckets.delete(client);
    }
  }
}

/** The request's TCP peer, IPv4-mapped IPv6 written as plain IPv4. */
export function clientAddress(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  return peer.startsWith('::ffff:') ? peer.slice(7) : peer;
}

export function rateLimited(): AuthError {
  return new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
}

/** One request of the caller against `limiter`; GoTrue's 429 when the bucket is empty. */
export function enforceRateLimit(limiter: RateLimiter, req: IncomingMessage, burst: number, perSecond: number): void {
  if (!limiter.take(clientAddress(req), burst, perSecond)) throw rateLimited();
}
