// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { backoffMs, retrying } from './retry.ts';

describe('retry policy', () => {
  it('backs off exponentially up to 15 s with ±20 % jitter, or as Retry-After says (capped at 60 s)', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, undefined, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(backoffMs(0, undefined, () => 0)).toBe(800);
    expect(backoffMs(0, undefined, () => 1)).toBe(1200);
    expect(backoffMs(3, 7)).toBe(7000);
    expect(backoffMs(3, 3600)).toBe(60000);
  });

  it('retries while told to, then gives up with the last error', async () => {
    let calls = 0;
    const attempts: number[] = [];
    const err = await retrying(
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      (_e, made) => (attempts.push(made), made < 3 ? 0 : null),
    ).catch((e: Error) => e.message);
    expect(err).toBe('fail 3');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('returns the first success', async () => {
    let calls = 0;
    expect(await retrying(async (n) => (++calls < 2 ? Promise.reject(new Error('x')) : `ok after ${n}`), () => 0)).toBe('ok after 1');
  });
});

describe('pause', () => {
  it('ends early when the browser comes back online', async () => {
    const { pause } = await import('./retry.ts');
    const started = Date.now();
    const waiting = pause(60_000);
    window.dispatchEvent(new Event('online'));
    await waiting;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
