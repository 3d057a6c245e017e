// The answers hosted Supabase's Edge Functions gateway gives when the function itself does not
// answer: JSON `{code, message}` with the code repeated in the `sb-error-code` header
// (supabase.com/docs/guides/functions/error-codes), and for the JWT check `{code: 401, message}`.
// No `x-relay-error` header: neither edge-runtime nor the CLI's main service sets it, so
// supabase-js reports these as FunctionsHttpError with the status below.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';

export interface PlatformError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export const FUNCTION_NOT_FOUND: PlatformError = { status: 404, code: 'NOT_FOUND', message: 'Requested function was not found' };
export const BOOT_ERROR: PlatformError = { status: 503, code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' };
/** Also what bootstrap.ts answers when a handler throws (it cannot import this file). */
export const WORKER_ERROR: PlatformError = { status: 500, code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' };
export const IDLE_TIMEOUT: PlatformError = {
  status: 504, code: 'IDLE_TIMEOUT', message: 'The function did not start its response before the request idle timeout',
};
export const WORKER_LIMIT: PlatformError = {
  status: 546, code: 'WORKER_LIMIT', message: 'Worker failed to respond due to a resource limit (please check logs)',
};
export const BODY_TOO_LARGE = (limit: number): PlatformError => ({
  status: 413, code: 'REQUEST_TOO_LARGE', message: `Request body is larger than ${limit} bytes`,
  // The rest of the body is not worth reading: the connection closes after the answer.
  headers: { Connection: 'close' },
});

export function sendPlatformError(res: ServerResponse, error: PlatformError) {
  sendJson(res, error.status, { code: error.code, message: error.message }, { 'sb-error-code': error.code, ...error.headers });
}

/** verify_jwt refusals, before the function runs. */
export function sendJwtError(res: ServerResponse, message: string) {
  sendJson(res, 401, { code: 401, message });
}
