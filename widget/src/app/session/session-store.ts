// The visitor's anonymous Supabase session for one website, kept in localStorage under a key that
// names the website. Created lazily, refreshed when less than 90 s remain (as auth-js does), and
// shared by every tab of the site: storage is re-read before each decision, refreshes take a
// cross-tab Web Lock where the browser has one, and without it two tabs refreshing the same token
// both succeed because Supabase Auth hands the active token back to a just-rotated parent (within
// the reuse interval). A session is dropped only when Auth says it is truly gone.
import { AuthError, nowSeconds, type AuthApi, type Session } from './auth-api.ts';
import { readJson, storageKey, type KeyValue } from './storage.ts';

/** Refresh when fewer seconds than this remain (auth-js's EXPIRY_MARGIN). */
export const REFRESH_MARGIN_SECONDS = 90;

/** Runs `fn` while holding a lock shared by every tab of the origin (navigator.locks.request). */
export type CrossTabLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export function webLock(): CrossTabLock | undefined {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (<T>(name: string, fn: () => Promise<T>) => locks.request(name, fn) as Promise<T>) : undefined;
}

function isSession(v: unknown): v is Session {
  const s = v as Session | null;
  return !!s && typeof s.access_token === 'string' && typeof s.refresh_token === 'string' && typeof s.expires_at === 'number' && typeof s.user_id === 'string';
}

export class SessionStore {
  readonly #key: string;
  #inflight: Promise<Session | null> | undefined;

  readonly #storage: KeyValue;
  readonly #auth: AuthApi;
  readonly #lock: CrossTabLock | null;
  readonly #now: () => number;

  constructor(
    websiteId: string,
    storage: KeyValue,
    auth: AuthApi,
    /** null: no cross-tab lock (browsers without Web Locks). */
    lock: CrossTabLock | null = webLock() ?? null,
    now: () => number = nowSeconds,
  ) {
    this.#key = storageKey(websiteId, 'session');
    this.#storage = storage;
    this.#auth = auth;
    this.#lock = lock;
    this.#now = now;
  }

  /** The stored session as it is now (another tab may have just replaced it). */
  peek(): Session | null {
    const value = readJson<Session>(this.#storage, this.#key);
    return isSession(value) ? value : null;
  }

  #fresh(s: Session | null): boolean {
    return !!s && s.expires_at - this.#now() > REFRESH_MARGIN_SECONDS;
  }

  /**
   * A usable session: the stored one, refreshed if needed; with `create`, a new anonymous one
   * when there is none. null when there is none and `create` is false, or the old one is gone.
   * Throws AuthError when Auth cannot be reached and the stored token has already expired.
   */
  async get(create = false): Promise<Session | null> {
    const stored = this.peek();
    if (stored && this.#fresh(stored)) return stored;
    if (!stored && !create) return null;
    // One refresh or sign-up at a time per tab; callers share its outcome.
    this.#inflight ??= this.#exclusive(() => this.#renew(create)).finally(() => (this.#inflight = undefined));
    const session = await this.#inflight;
    return session ?? (create ? this.get(true) : null);
  }

  /** The server refused the stored access token: the next get() refreshes it first. */
  invalidate(): void {
    const current = this.peek();
    if (current) this.#save({ ...current, expires_at: 0 });
  }

  /** Forgets the visitor on this website (EmilyChat.reset()). */
  clear(): Session | null {
    const old = this.peek();
    this.#storage.remove(this.#key);
    return old;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock ? this.#lock(`${this.#key}:renew`, fn) : fn();
  }

  async #renew(create: boolean): Promise<Session | null> {
    // Under the lock: another tab may have refreshed or signed up while we waited.
    const current = this.peek();
    if (this.#fresh(current)) return current;
    if (!current) {
      if (!create) return null;
      return this.#save(await this.#auth.signUpAnonymously());
    }
    try {
      return this.#save(await this.#auth.refresh(current.refresh_token));
    } catch (err) {
      if (!(err instanceof AuthError) || !err.permanent) {
        // Auth unreachable: the current token still works until it expires.
        if (current.expires_at > this.#now()) return current;
        throw err;
      }
      // Refused. If another tab rotated the token meanwhile, its session is ours too.
      const latest = this.peek();
      if (latest && latest.refresh_token !== current.refresh_token) {
        return this.#fresh(latest) ? latest : this.#save(await this.#auth.refresh(latest.refresh_token));
      }
      // Truly gone (revoked, expired, user deleted): forget it; a new one comes when needed.
      this.#storage.remove(this.#key);
      return null;
    }
  }

  #save(session: Session): Session {
    this.#storage.set(this.#key, JSON.stringify(session));
    return session;
  }
}
