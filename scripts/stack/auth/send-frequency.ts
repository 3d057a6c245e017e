// [auth.email] max_frequency: how soon another message may go to the same address
// (validateSentWithinFrequencyLimit). GoTrue checks the user's `recovery_sent_at`, so only an
// address with an account is ever refused, and the 429 tells whether an account exists. Here every
// address asked for is remembered, with or without an account, so the answer is the same for both.
import { AuthError } from './errors.ts';

/** Beyond this many remembered addresses, those whose interval is over are forgotten first. */
const MAX_TRACKED = 10_000;

export class SendFrequency {
  private lastSent = new Map<string, number>();

  /** Records a message to `address`, or throws GoTrue's 429 when the previous one is too recent. */
  take(address: string, intervalSeconds: number, now = Date.now()): void {
    const last = this.lastSent.get(address);
    const intervalMs = intervalSeconds * 1000;
    if (last !== undefined && now - last < intervalMs) {
      const wait = Math.ceil((last + intervalMs - now) / 1000);
      throw new AuthError(429, 'over_email_send_rate_limit', `For security purposes, you can only request this after ${wait} seconds.`);
    }
    if (this.lastSent.size >= MAX_TRACKED) this.forget(intervalMs, now);
    this.lastSent.delete(address);
    this.lastSent.set(address, now);
  }

  private forget(intervalMs: number, now: number): void {
    for (const [address, at] of this.lastSent) if (now - at >= intervalMs) this.lastSent.delete(address);
    // Still full of recent addresses: drop the oldest, never grow without bound.
    for (const address of this.lastSent.keys()) {
      if (this.lastSent.size < MAX_TRACKED) break;
      this.lastSent.delete(address);
    }
  }
}
