// Errors in words: what went wrong and, where we can tell, what to do. supabase-js reports REST
// errors as {code, message, details, hint} (SQLSTATE or PGRST codes), Auth errors with a code, and
// Edge Function errors as a FunctionsHttpError whose context is the Response with our
// `{error: {code, message}}` envelope.
import { FunctionsFetchError, FunctionsHttpError } from '@supabase/supabase-js';

interface PostgrestLike {
  code?: string;
  message?: string;
  details?: string | null;
  hint?: string | null;
}

const NETWORK = 'Could not reach the server. Check your connection; we will keep trying.';

export function restErrorText(error: PostgrestLike | null | undefined, action = 'That'): string {
  if (!error) return `${action} failed.`;
  const message = error.message ?? '';
  if (/Failed to fetch|NetworkError|fetch failed|Load failed/i.test(message)) return NETWORK;
  switch (error.code) {
    case '42501':
      return `${action} is not allowed for your role on this website.`;
    case '23505':
      return `${action} failed: it already exists.`;
    case '23514':
      return `${action} failed: ${checkText(message)}`;
    case 'PGRST116':
      return 'Not found, or you are not on this website\'s team.';
    case 'PGRST301':
    case 'PGRST303':
      return 'Your session has expired. Please sign in again.';
  }
  if (error.code?.startsWith('08') || /503|unavailable/i.test(message)) return 'The server is busy or restarting. Try again in a moment.';
  return message ? `${action} failed: ${message}${error.hint ? ` (${error.hint})` : ''}` : `${action} failed.`;
}

/** Check constraints of the websites table, in words. */
function checkText(message: string): string {
  if (/allowed_domains/.test(message)) return 'allowed domains must be plain host names such as shop.example.com or *.example.com (no http://, paths or ports).';
  if (/primary_color/.test(message)) return 'the colour must look like #2563eb.';
  if (/name/.test(message)) return 'the name must be 1 to 100 characters.';
  if (/language/.test(message)) return 'that language is not supported.';
  if (/owner/i.test(message)) return message;
  return message || 'a value is not allowed.';
}

export function authErrorText(error: { message?: string; code?: string; status?: number } | null | undefined): string {
  if (!error) return 'Something went wrong.';
  switch (error.code) {
    case 'invalid_credentials': return 'Wrong e-mail or password.';
    case 'user_already_exists':
    case 'email_exists': return 'An account with this e-mail already exists. Sign in instead.';
    case 'weak_password': return error.message ?? 'Choose a longer password.';
    case 'email_address_invalid':
    case 'validation_failed': return error.message ?? 'Check the e-mail address.';
    case 'over_request_rate_limit': return 'Too many attempts. Wait a minute and try again.';
    case 'over_email_send_rate_limit': return 'A link was sent to this address a moment ago. Wait a minute before asking for another one, and check your inbox and spam folder.';
    case 'signup_disabled': return 'Sign-ups are turned off for this project.';
  }
  if (!error.status || /fetch/i.test(error.message ?? '')) return NETWORK;
  return error.message ?? 'Something went wrong.';
}

/** The `{error: {code, message}}` of an Edge Function answer, in words. */
export async function functionErrorText(error: unknown): Promise<string> {
  if (error instanceof FunctionsHttpError) {
    const res = error.context as Response;
    try {
      const body = await res.clone().json();
      if (body?.error?.message) return body.error.message;
      if (body?.message) return body.message;
    } catch {
      // not JSON: fall through
    }
    if (res.status === 401) return 'Your session has expired. Please sign in again.';
    if (res.status === 403) return 'You are not allowed to do that on this website.';
    if (res.status === 429) return 'Too many requests. Wait a moment and try again.';
    return `The server answered ${res.status}. Try again in a moment.`;
  }
  if (error instanceof FunctionsFetchError) return NETWORK;
  return (error as Error)?.message || 'Something went wrong.';
}
