// The visitor session against the stack's real /auth/v1 (anonymous sign-ups, refresh-token
// rotation with its reuse interval). Two SessionStores sharing one storage are two tabs.
import { describe, expect, inject, it } from 'vitest';
import { authApi, AuthError, nowSeconds, type Session } from './auth-api.ts';
import { REFRESH_MARGIN_SECONDS, SessionStore, type CrossTabLock } from './session-store.ts';
import { memoryStorage, storageKey, type KeyValue } from './storage.ts';

const stack = inject('stack');
const uuid = () => crypto.randomUUID();

/** Real fetch, counted; `before` runs just before a matching request leaves. */
function countingFetch(before?: (url: string) => Promise<void> | void) {
  const calls: string[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = String(input);
    calls.push(url.replace(stack.apiUrl, ''));
    await before?.(url);
    return fetch(input, init);
  };
  return { calls, impl };
}

function tab(websiteId: string, storage: KeyValue, opts: { lock?: CrossTabLock; before?: (url: string) => void | Promise<void> } = {}) {
  const net = countingFetch(opts.before);
  const store = new SessionStore(websiteId, storage, authApi(stack.apiUrl, stack.anonKey, net.impl), opts.lock ?? null);
  return { store, calls: net.calls };
}

/** What navigator.locks.request gives tabs of one origin, for Node: one holder per name at a time. */
function sharedLock(): CrossTabLock {
  const tails = new Map<string, Promise<unknown>>();
  return (name, fn) => {
    const run = (tails.get(name) ?? Promise.resolve()).then(fn, fn);
    tails.set(name, run.catch(() => {}));
    return run;
  };
}

/** Makes the stored session look `left` seconds from expiry, as if it had been issued long ago. */
function age(storage: KeyValue, websiteId: string, left: number): void {
  const key = storageKey(websiteId, 'session');
  const s = JSON.parse(storage.get(key)!) as Session;
  storage.set(key, JSON.stringify({ ...s, expires_at: nowSeconds() + left }));
}

async function userOf(session: Session): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/auth/v1/user`, { headers: { apikey: stack.anonKey, authorization: `Bearer ${session.access_token}` } });
  expect(res.status).toBe(200);
  return (await res.json()).id;
}

describe('SessionStore (anonymous visitor session)', () => {
  it('is lazy: no session and no request until one is needed', async () => {
    const { store, calls } = tab(uuid(), memoryStorage());
    expect(await store.get(false)).toBeNull();
    expect(calls).toEqual([]);
    const session = (await store.get(true))!;
    expect(calls).toEqual(['/auth/v1/signup']);
    expect(await userOf(session)).toBe(session.user_id);
    // Fresh: reused without a request.
    expect(await store.get(true)).toEqual(session);
    expect(calls).toHaveLength(1);
  });

  it('keeps one visitor per website, under a key naming the website', async () => {
    const storage = memoryStorage();
    const [siteA, siteB] = [uuid(), uuid()];
    const a = (await tab(siteA, storage).store.get(true))!;
    const b = (await tab(siteB, storage).store.get(true))!;
    expect(a.user_id).not.toBe(b.user_id);
    expect(JSON.parse(storage.get(`emily:${siteA}:session`)!).user_id).toBe(a.user_id);
    expect(JSON.parse(storage.get(`emily:${siteB}:session`)!).user_id).toBe(b.user_id);
    // Reset on one site leaves the other alone.
    tab(siteA, storage).store.clear();
    expect(await tab(siteA, storage).store.get(false)).toBeNull();
    expect((await tab(siteB, storage).store.get(false))!.user_id).toBe(b.user_id);
  });

  it('refreshes when fewer than 90 s remain, keeping the same visitor', async () => {
    const site = uuid();
    const storage = memoryStorage();
    await tab(site, storage).store.get(true);
    age(storage, site, REFRESH_MARGIN_SECONDS + 5);
    const first = tab(site, storage).store.peek()!;
    const { store, calls } = tab(site, storage);
    expect(await store.get()).toEqual(first);
    expect(calls).toEqual([]);
    age(storage, site, REFRESH_MARGIN_SECONDS - 5);
    const late = tab(site, storage);
    const refreshed = (await late.store.get())!;
    expect(late.calls).toEqual(['/auth/v1/token?grant_type=refresh_token']);
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.user_id).toBe(first.user_id);
    expect(await userOf(refreshed)).toBe(first.user_id);
    expect(tab(site, storage).store.peek()).toEqual(refreshed);
  });

  it('two tabs refreshing the same token at once both end with a working session of the same visitor (no lock)', async () => {
    const site = uuid();
    const storage = memoryStorage();
    const first = (await tab(site, storage).store.get(true))!;
    age(storage, site, 10);
    const t1 = tab(site, storage, {});
    const t2 = tab(site, storage, {});
    const [s1, s2] = await Promise.all([t1.store.get(), t2.store.get()]);
    // Both really asked Auth with the same refresh token; the rotation's reuse rule answered both.
    expect(t1.calls).toEqual(['/auth/v1/token?grant_type=refresh_token']);
    expect(t2.calls).toEqual(['/auth/v1/token?grant_type=refresh_token']);
    expect(s1!.user_id).toBe(first.user_id);
    expect(s2!.user_id).toBe(first.user_id);
    expect(await userOf(s1!)).toBe(first.user_id);
    expect(await userOf(s2!)).toBe(first.user_id);
    // Whatever ended up stored still refreshes.
    age(storage, site, 10);
    const after = tab(site, storage);
    expect((await after.store.get())!.user_id).toBe(first.user_id);
  });

  it('with the cross-tab lock, one tab refreshes and the other re-reads its result', async () => {
    const site = uuid();
    const storage = memoryStorage();
    await tab(site, storage).store.get(true);
    age(storage, site, 10);
    const lock = sharedLock();
    const t1 = tab(site, storage, { lock });
    const t2 = tab(site, storage, { lock });
    const [s1, s2] = await Promise.all([t1.store.get(), t2.store.get()]);
    expect(t1.calls.length + t2.calls.length).toBe(1);
    expect(s1).toEqual(s2);
  });

  it('adopts the session another tab stored when Auth refuses the token this tab read', async () => {
    const site = uuid();
    const storage = memoryStorage();
    const key = storageKey(site, 'session');
    const other = (await tab(uuid(), memoryStorage()).store.get(true))!;
    // This tab read a token that has since been rotated away (Auth answers refresh_token_not_found) …
    storage.set(key, JSON.stringify({ ...other, refresh_token: 'rotatedaway1', expires_at: nowSeconds() - 1 }));
    // … and while its refresh is on the wire, the other tab stores the current session.
    const t = tab(site, storage, { before: () => storage.set(key, JSON.stringify(other)) });
    const session = await t.store.get();
    expect(t.calls).toEqual(['/auth/v1/token?grant_type=refresh_token']);
    expect(session).toEqual(other);
  });

  it('drops a session Auth says is gone, and starts a new visitor only when one is needed', async () => {
    const site = uuid();
    const storage = memoryStorage();
    const first = (await tab(site, storage).store.get(true))!;
    await authApi(stack.apiUrl, stack.anonKey).logout(first.access_token);
    age(storage, site, 10);
    const stale = tab(site, storage);
    expect(await stale.store.get(false)).toBeNull();
    expect(storage.get(storageKey(site, 'session'))).toBeNull();
    const next = (await tab(site, storage).store.get(true))!;
    expect(next.user_id).not.toBe(first.user_id);
  });

  it('keeps the session when Auth cannot be reached, and says so once the token has expired', async () => {
    const site = uuid();
    const storage = memoryStorage();
    await tab(site, storage).store.get(true);
    const offline = () => new SessionStore(site, storage, authApi('http://127.0.0.1:9', stack.anonKey), null);
    age(storage, site, 10);
    const first = tab(site, storage).store.peek()!;
    expect(await offline().get()).toEqual(first);
    age(storage, site, -10);
    const expired = tab(site, storage).store.peek()!;
    const err = await offline().get().catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).permanent).toBe(false);
    expect(tab(site, storage).store.peek()).toEqual(expired);
  });

  it('ignores corrupt storage', async () => {
    const site = uuid();
    const storage = memoryStorage();
    storage.set(storageKey(site, 'session'), '{not json');
    expect(await tab(site, storage).store.get(false)).toBeNull();
    storage.set(storageKey(site, 'session'), JSON.stringify({ access_token: 1 }));
    expect(await tab(site, storage).store.get(false)).toBeNull();
  });
});
