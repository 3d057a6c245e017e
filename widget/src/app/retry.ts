// Bounded retries with exponential backoff and jitter; waiting ends early when the browser comes
// back online, and never starts while it is offline.

export const MAX_ATTEMPTS = 6;

/** 1 s, 2 s, 4 s, 8 s, 15 s, ±20 %; or what the server asked for with Retry-After. */
export function backoffMs(attempt: number, retryAfterSeconds?: number, random = Math.random): number {
  if (retryAfterSeconds && retryAfterSeconds > 0) return Math.min(retryAfterSeconds, 60) * 1000;
  return Math.round(Math.min(15000, 1000 * 2 ** attempt) * (0.8 + 0.4 * random()));
}

export function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/** Resolves once the browser reports a network (at once when it already does). */
export function whenOnline(): Promise<void> {
  if (!isOffline()) return Promise.resolve();
  return new Promise((resolve) => addEventListener('online', () => resolve(), { once: true }));
}

/** Sleeps `ms`, or less if the browser comes back online meanwhile. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    addEventListener('online', done);
  });
}

/**
 * Runs `attempt` until it succeeds or `decide` returns null for its error. `decide` gets the
 * error and the number of attempts made and returns how long to wait before the next one.
 */
export async function retrying<T>(attempt: (n: number) => Promise<T>, decide: (err: unknown, attempts: number) => number | null): Promise<T> {
  for (let n = 0; ; n++) {
    await whenOnline();
    try {
      return await attempt(n);
    } catch (err) {
      const wait = decide(err, n + 1);
      if (wait === null) throw err;
      await pause(wait);
    }
  }
}
