// Request validation with precise messages ("content must be 1 to 4000 characters"), so a widget
// developer knows what to fix. Every failure is a 400 `invalid_request` naming the field.
import { ApiError } from './http.ts';

export const MAX_CONTENT_CHARS = 4000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}

export function invalid(field: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', `${field} ${message}`);
}

export type Body = Record<string, unknown>;

/** The body must be a JSON object (not an array, string or null). */
export function asObject(body: unknown): Body {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return body as Body;
}

export function uuid(body: Body, field: string): string;
export function uuid(body: Body, field: string, opts: { optional: true }): string | undefined;
export function uuid(body: Body, field: string, opts: { optional?: boolean } = {}): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw invalid(field, 'is required.');
  }
  if (typeof v !== 'string') throw invalid(field, `must be a string UUID, not ${typeName(v)}.`);
  if (!UUID_RE.test(v)) throw invalid(field, 'must be a UUID like 123e4567-e89b-42d3-a456-426614174000.');
  return v.toLowerCase();
}

export interface TextRule {
  optional?: boolean;
  min?: number;
  max?: number;
  /** Trim before measuring and return the trimmed text (default true). */
  trim?: boolean;
}

export function text(body: Body, field: string, rule: TextRule & { optional: true }): string | undefined;
export function text(body: Body, field: string, rule?: TextRule): string;
export function text(body: Body, field: string, rule: TextRule = {}): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (rule.optional) return undefined;
    throw invalid(field, 'is required.');
  }
  if (typeof v !== 'string') throw invalid(field, `must be a string, not ${typeName(v)}.`);
  // Postgres text cannot hold NUL, and an unpaired surrogate is not a character at all (it would be
  // stored as U+FFFD): both are the caller's mistake, not ours to store or to fail on.
  if (v.includes('\u0000')) throw invalid(field, 'must not contain NUL (\\u0000) characters.');
  if (!v.isWellFormed()) throw invalid(field, 'must be valid Unicode (it contains an unpaired surrogate).');
  const value = rule.trim === false ? v : v.trim();
  const min = rule.min ?? 1;
  const length = [...value].length;
  if (length < min) throw invalid(field, min === 1 ? 'must not be empty.' : `must be at least ${min} characters.`);
  if (rule.max !== undefined && length > rule.max) throw invalid(field, `must be at most ${rule.max} characters (got ${length}).`);
  return value;
}

export function oneOf<T extends string>(body: Body, field: string, values: readonly T[]): T {
  const v = body[field];
  if (v === undefined || v === null) throw invalid(field, `is required (one of ${values.join(', ')}).`);
  if (typeof v !== 'string' || !values.includes(v as T)) throw invalid(field, `must be one of ${values.join(', ')}.`);
  return v as T;
}

export function httpUrl(body: Body, field: string, opts: { optional?: boolean } = {}): string | undefined {
  const v = text(body, field, { optional: opts.optional as true, max: 2048 });
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(field, 'must be an absolute http(s) URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(field, 'must be an absolute http(s) URL.');
  return url.toString();
}

export function bool(body: Body, field: string, fallback: boolean): boolean {
  const v = body[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw invalid(field, `must be true or false, not ${typeName(v)}.`);
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
