// Everything about a request that does not need the database: its resource and action, the
// schema it addresses (Accept-Profile / Content-Profile), its body, and the transaction settings.
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../http.ts';
import { invalidBody, invalidResourcePath, invalidRpcMethod, PgrstError, unacceptableSchema, unsupportedMethod } from './errors.ts';
import type { JsonBody } from './mutate-sql.ts';
import { ident } from './sql.ts';

export type Action =
  | { kind: 'read'; relation: string; head: boolean }
  | { kind: 'insert' | 'update' | 'delete' | 'upsert'; relation: string }
  | { kind: 'call'; fn: string; method: 'GET' | 'HEAD' | 'POST' }
  | { kind: 'root'; head: boolean };

export function actionOf(method: string, pathname: string): Action {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw invalidResourcePath();
  }
  if (segments.length === 0) {
    if (method === 'GET' || method === 'HEAD') return { kind: 'root', head: method === 'HEAD' };
    throw unsupportedMethod(method);
  }
  if (segments.length === 2 && segments[0] === 'rpc') {
    if (method === 'GET' || method === 'HEAD' || method === 'POST') return { kind: 'call', fn: segments[1], method };
    throw invalidRpcMethod(method);
  }
  if (segments.length !== 1) throw invalidResourcePath();
  const relation = segments[0];
  switch (method) {
    case 'GET': return { kind: 'read', relation, head: false };
    case 'HEAD': return { kind: 'read', relation, head: true };
    case 'POST': return { kind: 'insert', relation };
    case 'PATCH': return { kind: 'update', relation };
    case 'DELETE': return { kind: 'delete', relation };
    case 'PUT': return { kind: 'upsert', relation };
    default: throw unsupportedMethod(method);
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The schema a request addresses, and whether it was chosen by a profile header. */
export function schemaOf(req: IncomingMessage, exposed: string[]): { schema: string; negotiated: boolean } {
  const method = req.method ?? 'GET';
  const profile = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(method) ? headerOf(req, 'content-profile') : headerOf(req, 'accept-profile');
  if (profile !== undefined) {
    if (!exposed.includes(profile)) throw unacceptableSchema(profile, exposed);
    return { schema: profile, negotiated: true };
  }
  return { schema: exposed[0], negotiated: exposed.length !== 1 };
}

export async function readRequestBody(req: IncomingMessage, limit: number): Promise<string> {
  try {
    return (await readBody(req, limit)).toString('utf8');
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      // Supabase's gateway (not PostgREST) refuses large bodies; the answer keeps PostgREST's shape.
      throw new PgrstError(413, { code: '413', details: `The request body is larger than the limit of ${limit} bytes.`, hint: null, message: 'Request Entity Too Large' });
    }
    throw err;
  }
}

export interface ParsedBody extends JsonBody {
  value: unknown;
  /** Keys of the object, or of every object of the array (which must all have the same keys). */
  keys: string[];
}

/**
 * A JSON payload as PostgREST reads it (ApiRequest.getPayload): invalid JSON is PGRST102; an
 * array's objects must share their keys unless `columns=` names them; other JSON is an empty array.
 */
export function parseJsonBody(text: string, opts: { emptyAsObject?: boolean; columnsGiven?: boolean } = {}): ParsedBody {
  const contentText = text.trim() === '' && opts.emptyAsObject ? '{}' : text;
  let value: unknown;
  try {
    value = JSON.parse(contentText);
  } catch {
    throw invalidBody('Empty or invalid json');
  }
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject) return { raw: contentText, value, isObject: true, keys: Object.keys(value as object) };
  if (Array.isArray(value)) {
    const first = value[0];
    if (first === undefined) return { raw: contentText, value, isObject: false, keys: [] };
    if (!first || typeof first !== 'object' || Array.isArray(first)) {
      if (opts.columnsGiven) return { raw: contentText, value, isObject: false, keys: [] };
      throw invalidBody('All object keys must match');
    }
    const keys = Object.keys(first);
    if (!opts.columnsGiven) {
      const canonical = [...keys].sort().join('\u0000');
      const uniform = value.every((v) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).sort().join('\u0000') === canonical);
      if (!uniform) throw invalidBody('All object keys must match');
    }
    return { raw: contentText, value, isObject: false, keys };
  }
  return { raw: '[]', value: [], isObject: false, keys: [] };
}

export function contentTypeIsJson(req: IncomingMessage): boolean {
  const ct = (headerOf(req, 'content-type') ?? 'application/json').split(';')[0].trim().toLowerCase();
  return ct === 'application/json' || ct === '';
}

/** The request's headers for `request.headers` (lower-case names, without cookies). */
export function requestHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'cookie' || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function requestCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (headerOf(req, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export const searchPathOf = (schema: string, extra: string[]) => [schema, ...extra].map(ident).join(', ');
