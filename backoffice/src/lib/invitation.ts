// Accepting a team invitation. The link in the invitation e-mail (Supabase Auth's /verify) brings
// the person back here with a session in the URL fragment (#access_token=…&type=invite), which
// supabase-js takes in (detectSessionInUrl). Their account has no password they know yet, so
// before anything else they choose one: that is remembered per user in localStorage until done,
// so a reload (or coming back later in this browser) still asks. A link that failed (used twice,
// expired) arrives as #error_description=… and is explained on the sign-in page.
import { useCallback, useState } from 'preact/hooks';

const PENDING_KEY = 'emily.invitation.password-pending';

let linkError: string | undefined;

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

/**
 * supabase-js's `detectSessionInUrl`: the same test it makes by default (a session or an error in
 * the URL), noting on the way whether this is an accepted invitation or a link that failed.
 */
export function detectAuthRedirect(_url: URL, params: Record<string, string>): boolean {
  if (params.type === 'invite' && params.access_token) {
    const sub = subjectOf(params.access_token);
    if (sub) store()?.setItem(PENDING_KEY, sub);
  }
  if (params.error_description || params.error_code) {
    linkError = params.error_code === 'otp_expired'
      ? 'This invitation link has already been used or has expired. Sign in if you already chose a password; otherwise ask the website\'s owner to invite you again.'
      : `The link could not be used: ${params.error_description ?? params.error_code}.`;
  }
  return Boolean(params.access_token || params.error || params.error_description || params.error_code);
}

/** What went wrong with the link this page was opened from, if anything. */
export function invitationLinkError(): string | undefined {
  return linkError;
}

/** Whether the signed-in user still has to choose a password, and the way to say they did. */
export function usePasswordPending(userId: string | undefined): { pending: boolean; chosen(): void } {
  const [, rerender] = useState(0);
  const chosen = useCallback(() => {
    store()?.removeItem(PENDING_KEY);
    rerender((n) => n + 1);
  }, []);
  return { pending: !!userId && store()?.getItem(PENDING_KEY) === userId, chosen };
}
