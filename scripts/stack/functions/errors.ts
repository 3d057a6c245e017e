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

export function sendPlatformError(res: ServerResponse, error: PlatformError) {
  sendJson(res, error.status, { code: error.code, message: error.message }, { 'sb-error-code': error.code, ...error.headers });
}

/** verify_jwt refusals, before the function runs. */
export function sendJwtError(res: ServerResponse, message: string) {
  sendJson(res, 401, { code: 401, message });
}
