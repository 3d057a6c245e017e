// Everything about a request that does not need the database: its resource and action, the
// schema it addresses (Accept-Profile / Content-Profile), its body, and the transaction settings.
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../http.ts';
import { invalidResourcePath, invalidRpcMethod, PgrstError, unacceptableSchema, unsupportedMethod } from './errors.ts';
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

/** The media type of the request body (`Content-Type` without parameters; JSON when absent). */
export function contentMimeOf(req: IncomingMessage): string {
  return (headerOf(req, 'content-type') ?? 'application/json').split(';')[0].trim().toLowerCase() || 'application/json';
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
