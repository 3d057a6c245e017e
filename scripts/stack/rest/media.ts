// Content negotiation of the `Accept` header (PostgREST's MediaType.hs and Plan/Negotiate):
// JSON arrays, single objects (`application/vnd.pgrst.object+json`, what `.single()` sends),
// stripped nulls, and CSV. Anything else is 406 PGRST107.
import { mediaTypeError } from './errors.ts';

export type Output =
  | { kind: 'json'; stripNulls: boolean }
  | { kind: 'single'; stripNulls: boolean }
  | { kind: 'csv' };

interface Accepted { type: string; params: Record<string, string>; q: number; mime: string }

function parseAccept(header: string): Accepted[] {
  return header.split(',').map((part, i) => {
    const [typePart, ...paramParts] = part.split(';');
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
    }
    const q = params.q !== undefined && Number.isFinite(Number(params.q)) ? Number(params.q) : 1;
    const type = typePart.trim().toLowerCase();
    return { type, params, q, mime: type, i };
  })
    .filter((a) => a.type !== '')
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map(({ type, params, q }) => ({ type, params, q, mime: mimeName(type, params) }));
}

function mimeName(type: string, params: Record<string, string>): string {
  const stripped = params.nulls === 'stripped';
  if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object') {
    return stripped ? 'application/vnd.pgrst.object+json;nulls=stripped' : 'application/vnd.pgrst.object+json';
  }
  if (type === 'application/vnd.pgrst.array+json' || type === 'application/vnd.pgrst.array') {
    return stripped ? 'application/vnd.pgrst.array+json;nulls=stripped' : 'application/json';
  }
  if (type.startsWith('application/vnd.pgrst.plan')) {
    return `application/vnd.pgrst.plan+${type.endsWith('json') ? 'json' : 'text'}; for="${params.for ?? 'application/json'}"`;
  }
  return type;
}

export function negotiate(acceptHeader: string | undefined): Output {
  const accepted = parseAccept(acceptHeader && acceptHeader.trim() ? acceptHeader : '*/*');
  if (accepted.length === 0) return { kind: 'json', stripNulls: false };
  for (const a of accepted) {
    const stripped = a.params.nulls === 'stripped';
    switch (a.type) {
      case '*/*':
      case 'application/json':
        return { kind: 'json', stripNulls: false };
      case 'application/vnd.pgrst.array+json':
      case 'application/vnd.pgrst.array':
        return { kind: 'json', stripNulls: stripped };
      case 'application/vnd.pgrst.object+json':
      case 'application/vnd.pgrst.object':
        return { kind: 'single', stripNulls: stripped };
      case 'text/csv':
        return { kind: 'csv' };
    }
  }
  throw mediaTypeError(accepted.map((a) => a.mime));
}

export function contentTypeOf(output: Output): string {
  switch (output.kind) {
    case 'json': return output.stripNulls ? 'application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8' : 'application/json; charset=utf-8';
    case 'single': return output.stripNulls ? 'application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8' : 'application/vnd.pgrst.object+json; charset=utf-8';
    case 'csv': return 'text/csv; charset=utf-8';
  }
}
