// localStorage, or memory when the page forbids it (sandboxed frames, blocked storage): the
// widget keeps working for the page view instead of throwing.

export interface KeyValue {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  /** Every key stored (all of the page's, not only the widget's). */
  keys(): string[];
}

export function memoryStorage(): KeyValue {
  const map = new Map<string, string>();
  return {
    get: (k) => map.get(k) ?? null,
    set: (k, v) => void map.set(k, v),
    remove: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}

export function browserStorage(): KeyValue {
  const memory = memoryStorage();
  const attempt = <T>(fn: (s: Storage) => T, fallback: () => T): T => {
    try {
      return fn(localStorage);
    } catch {
      return fallback();
    }
  };
  return {
    get: (k) => attempt((s) => s.getItem(k), () => memory.get(k)),
    set: (k, v) => attempt((s) => s.setItem(k, v), () => memory.set(k, v)),
    remove: (k) => attempt((s) => s.removeItem(k), () => memory.remove(k)),
    keys: () => attempt((s) => Array.from({ length: s.length }, (_, i) => s.key(i)!), () => memory.keys()),
  };
}

/** Everything the widget stores names the website (contract §2): two sites never share a visitor. */
export const storageKey = (websiteId: string, what: 'session' | 'state' | 'outbox' | 'closed') => `emily:${websiteId}:${what}`;

export function readJson<T>(storage: KeyValue, key: string): T | null {
  try {
    return JSON.parse(storage.get(key) ?? 'null') as T | null;
  } catch {
    return null;
  }
}
