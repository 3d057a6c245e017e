// The two Supabase Auth calls the widget needs, spoken directly over fetch. Why not
// @supabase/auth-js: it is over 100 KB minified, three times the chat app's whole budget, and
// the widget only ever signs in anonymously and refreshes (contract §3). The wire format is
// auth-js's: apikey + Bearer anon key + X-Supabase-Api-Version, JSON bodies.

export interface Session {
  access_token: string;
  refresh_token: string;
  /** Unix seconds, by *this* browser's clock (from expires_in), so a skewed clock cannot fool us. */
  expires_at: number;
  user_id: string;
}

export class AuthError extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The server refused the token or the request: retrying the same thing cannot help. */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

export interface AuthApi {
  signUpAnonymously(): Promise<Session>;
  refresh(refreshToken: string): Promise<Session>;
  logout(accessToken: string): Promise<void>;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function authApi(supabaseUrl: string, anonKey: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): AuthApi {
  const call = async (path: string, body: unknown, bearer = anonKey): Promise<Response> => {
    let res: Response;
    try {
      res = await fetchImpl(`${supabaseUrl}/auth/v1${path}`, {
        method: 'POST',
        headers: {
          apikey: anonKey,
          authorization: `Bearer ${bearer}`,
          'content-type': 'application/json',
          'x-supabase-api-version': '2024-01-01',
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new AuthError(0, 'network', String(err));
    }
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      throw new AuthError(res.status, err.code ?? err.error ?? 'unknown', err.msg ?? err.message ?? err.error_description ?? res.statusText);
    }
    return res;
  };
  const session = async (res: Response): Promise<Session> => {
    const body = await res.json().catch(() => ({}));
    if (!body.access_token || !body.refresh_token || !body.expires_in || !body.user?.id) {
      throw new AuthError(502, 'bad_session', 'Auth answered without a usable session');
    }
    return { access_token: body.access_token, refresh_token: body.refresh_token, expires_at: nowSeconds() + Number(body.expires_in), user_id: body.user.id };
  };
  return {
    signUpAnonymously: async () => session(await call('/signup', {})),
    refresh: async (refreshToken) => session(await call('/token?grant_type=refresh_token', { refresh_token: refreshToken })),
    logout: async (accessToken) => void (await call('/logout?scope=local', {}, accessToken)),
  };
}
