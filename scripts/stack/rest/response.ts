// Writing answers: PostgREST's Content-Range/status rules (RangeQuery.hs), the response.headers
// and response.status GUCs a function may set, and error bodies.
import type { ServerResponse } from 'node:http';
import { gucHeadersError, gucStatusError, PgrstError } from './errors.ts';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export function contentRange(lower: number, upper: number, total: string | null): string {
  const totalNotZero = total !== '0';
  const range = totalNotZero && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

/** Status and Content-Range of a read: 206 for a partial page of a counted total, 416 past the end. */
export function rangeStatus(offset: number, pageTotal: number, total: string | null): { status: number; contentRange: string } {
  const upper = offset + pageTotal - 1;
  const header = contentRange(offset, upper, total);
  if (total === null) return { status: 200, contentRange: header };
  const t = Number(total);
  if (offset > t) return { status: 416, contentRange: header };
  if (1 + upper - offset < t) return { status: 206, contentRange: header };
  return { status: 200, contentRange: header };
}

/** Applies `response.status` / `response.headers` set by the SQL (headers already set win). */
export function applyGucs(answer: Answer, gucStatus: string | null, gucHeaders: string | null): Answer {
  let status = answer.status;
  if (gucStatus !== null) {
    const n = Number(gucStatus.trim());
    if (!/^\d+$/.test(gucStatus.trim()) || n < 100 || n > 599) throw gucStatusError();
    status = n;
  }
  const headers = { ...answer.headers };
  if (gucHeaders !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(gucHeaders);
    } catch {
      throw gucHeadersError();
    }
    if (!Array.isArray(parsed)) throw gucHeadersError();
    const existing = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
    for (const item of parsed) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw gucHeadersError();
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.length !== 1 || typeof entries[0][1] !== 'string') throw gucHeadersError();
      const [k, v] = entries[0] as [string, string];
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || /[\r\n]/.test(v)) throw gucHeadersError();
      if (!existing.has(k.toLowerCase())) headers[k] = v;
    }
  }
  return { ...answer, status, headers };
}

export function errorAnswer(err: PgrstError): Answer {
  const body = JSON.stringify(err.body);
  return {
    status: err.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Proxy-Status': `PostgREST; error=${err.body.code}`,
      ...err.headers,
    },
    body,
  };
}

export function send(res: ServerResponse, answer: Answer, headOnly = false) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body !== undefined && !headOnly) headers['Content-Length'] = String(Buffer.byteLength(answer.body));
  else if (answer.body === undefined) headers['Content-Length'] = '0';
  res.writeHead(answer.status, headers);
  res.end(headOnly ? undefined : answer.body);
}
