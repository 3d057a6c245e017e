// Supabase Auth's error answers. GoTrue has two body shapes, chosen by the request's
// `X-Supabase-Api-Version` header: `{code, message}` from 2024-01-01 on (what auth-js sends), and
// the original `{code: <status>, error_code, msg}` without it. auth-js reads `code` only when the
// answer echoes a version header, so the echo matters as much as the body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, sendJson } from '../http.ts';

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = '2024-01-01';

/** An HTTP error with one of GoTrue's error codes (internal/api/apierrors/errorcode.go). */
export class AuthError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    /** Extra top-level fields of the body (GoTrue's `weak_password: {reasons}`). */
    public extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A password that does not meet the configured rules: always 422 `weak_password` with reasons. */
export class WeakPasswordError extends AuthError {
  constructor(message: string, public reasons: string[]) {
    super(422, 'weak_password', message, { weak_password: { reasons } });
  }
}

/** GoTrue's OAuth-style error (`{error, error_description}`, always 400), e.g. a missing refresh_token. */
export class OAuthError extends Error {
  constructor(public error: string, public description: string) {
    super(`${error}: ${description}`);
  }
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);

/**
 * The API version a request asked for, as GoTrue's DetermineClosestAPIVersion does: a valid
 * YYYY-MM-DD on or after 2024-01-01 selects 2024-01-01; anything else selects the initial version.
 */
export function requestedApiVersion(req: IncomingMessage): '2024-01-01' | 'initial' {
  const raw = header(req, API_VERSION_HEADER);
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return 'initial';
  const date = new Date(`${raw}T00:00:00Z`);
  // Reject dates Date() silently rolls over (2024-02-31), as Go's parser does.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) return 'initial';
  return raw >= API_VERSION_2024 ? API_VERSION_2024 : 'initial';
}

export function sendAuthError(req: IncomingMessage, res: ServerResponse, err: AuthError | OAuthError) {
  if (err instanceof OAuthError) {
    sendJson(res, 400, { error: err.error, error_description: err.description });
    return;
  }
  const version = requestedApiVersion(req);
  const headers: Record<string, string> = {};
  // GoTrue sets x-sb-error-code for every coded error except a weak password in the 2024 shape.
  if (!(err instanceof WeakPasswordError && version !== 'initial')) headers['x-sb-error-code'] = err.code;
  if (version !== 'initial') {
    headers[API_VERSION_HEADER] = version;
    sendJson(res, err.status, { code: err.code, message: err.message, ...err.extra }, headers);
  } else {
    sendJson(res, err.status, { code: err.status, error_code: err.code, msg: err.message, ...err.extra }, headers);
  }
}

/** What GoTrue answers when something unexpected fails (the client retries 5xx). */
export function unexpectedFailure(): AuthError {
  return new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
}

/**
 * Runs `fn`; an unexpected failure (not one of our coded errors) becomes GoTrue's 500 with
 * `message` ("Database error saving new user", …) and is printed for the developer.
 */
export async function orInternalError<T>(message: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AuthError || err instanceof OAuthError) throw err;
    console.error(`[auth] ${message}:`, err);
    throw new AuthError(500, 'unexpected_failure', message);
  }
}

/** Postgres unique_violation: two requests raced to create the same thing. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
