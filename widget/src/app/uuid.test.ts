import { describe, expect, it } from 'vitest';
import { uuidv4 } from './uuid.ts';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv4 (client_id)', () => {
  it('uses crypto.randomUUID where the page has it', () => {
    expect(uuidv4({ getRandomValues: (a) => a, randomUUID: () => 'from-random-uuid' })).toBe('from-random-uuid');
  });

  it('falls back to getRandomValues on pages without randomUUID (http:// sites) and still makes version 4 UUIDs', () => {
    const fallback = { getRandomValues: <T extends ArrayBufferView | null>(a: T) => crypto.getRandomValues(a as Uint8Array) as unknown as T };
    const ids = new Set(Array.from({ length: 2000 }, () => uuidv4(fallback)));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(V4);
    // Even from all-zero or all-one bytes the version and variant bits are right.
    expect(uuidv4({ getRandomValues: (a) => a })).toBe('00000000-0000-4000-8000-000000000000');
    expect(uuidv4({ getRandomValues: <T extends ArrayBufferView | null>(a: T) => ((a as Uint8Array).fill(255), a) })).toMatch(V4);
  });
});
