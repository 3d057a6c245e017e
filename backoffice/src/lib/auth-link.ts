// The links Supabase Auth e-mails that lead back here: a team invitation, and a password reset
// ("Forgot your password?"). Its /verify brings the person back with a session in the URL fragment
// (#access_token=…&type=invite or type=recovery), which supabase-js takes in (detectSessionInUrl).
// Either way they have no password they know yet, so before anything else they choose one: that is
// remembered per user in localStorage until done, so a reload (or coming back later in this
// browser) still asks. A link that failed (used twice, expired) arrives as #error_description=…
// with no type: a reset link carries ?link=recovery in its address so the page can tell the two
// apart and offer to send a new one.
import { useCallback, useState } from 'preact/hooks';

export type PasswordPurpose = 'invite' | 'recovery';

const PENDING_KEY = 'emily.invitation.password-pending';
const LINK_PARAM = 'link';

export interface LinkError {
  purpose: PasswordPurpose;
  message: string;
}

let linkError: LinkError | undefined;

function store(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

/** The `sub` of a JWT, read without checking it: only to know whose session the link carries. */
function subjectOf(token: string): string | undefined {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '='))) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** Where a password-reset link should bring the person: this backoffice, marked as a reset. */
export function recoveryRedirectUrl(): string {
  const url = new URL(location.href);
  url.hash = '';
  url.search = '';
  url.searchParams.set(LINK_PARAM, 'recovery');
  return url.toString();
}

/** The invitation pending value is the bare user id (as before resets existed); a reset's is prefixed. */
const pendingValue = (purpose: PasswordPurpose, sub: string) => (purpose === 'recovery' ? `recovery:${sub}` : sub);

/**
 * supabase-js's `detectSessionInUrl`: the same test it makes by default (a session or an error in
 * the URL), noting on the way whether this is an accepted invitation, a password reset, or a link
 * that failed.
 */
export function detectAuthRedirect(url: URL, params: Record<string, string>): boolean {
  const marked = url.searchParams.get(LINK_PARAM) === 'recovery';
  if (marked) {
    // The marker has done its job; the address bar keeps only what the page needs.
    const clean = new URL(url);
    clean.searchParams.delete(LINK_PARAM);
    history.replaceState(history.state, '', clean.toString());
  }
  if ((params.type === 'invite' || params.type === 'recovery') && params.access_token) {
    const sub = subjectOf(params.access_token);
    if (sub) store()?.setItem(PENDING_KEY, pendingValue(params.type, sub));
  }
  if (params.error_description || params.error_code) {
    const purpose: PasswordPurpose = marked ? 'recovery' : 'invite';
    const expired = params.error_code === 'otp_expired';
    linkError = {
      purpose,
      message: !expired
        ? `The link could not be used: ${params.error_description ?? params.error_code}.`
        : purpose === 'recovery'
          ? 'This password reset link has already been used or has expired. Enter your e-mail to get a new one.'
          : 'This invitation link has already been used or has expired. Sign in if you already chose a password; otherwise ask the website\'s owner to invite you again.',
    };
  }
  return Boolean(params.access_token || params.error || params.error_description || params.error_code);
}

/** What went wrong with the link this page was opened from, if anything. */
export function authLinkError(): LinkError | undefined {
  return linkError;
}

/** Whether the signed-in user still has to choose a password (and why), and the way to say they did. */
export function usePasswordPending(userId: string | undefined): { pending?: PasswordPurpose; chosen(): void } {
  const [, rerender] = useState(0);
  const chosen = useCallback(() => {
    store()?.removeItem(PENDING_KEY);
    rerender((n) => n + 1);
  }, []);
  const value = userId ? store()?.getItem(PENDING_KEY) : undefined;
  const pending = !userId || !value ? undefined
    : value === pendingValue('invite', userId) ? 'invite'
    : value === pendingValue('recovery', userId) ? 'recovery'
    : undefined;
  return { pending, chosen };
}
