// CORS for the widget functions, decided by the website's `allowed_domains` (contract §4):
// an empty list lets any origin in; otherwise the Origin's host must match an entry. Entries may be
// a bare host ("shop.example"), a host with port ("localhost:8080"), a full origin
// ("https://shop.example") or a wildcard for subdomains ("*.example.com"). An entry without a port
// matches any port of that host. A request without an Origin header is not a cross-site browser
// request (server-to-server, curl, same-origin GET), so the list does not apply to it.
import { ApiError } from './http.ts';

const ALLOW_HEADERS = 'authorization, x-client-info, apikey, content-type, x-retry-count, accept, accept-language, if-none-match, traceparent, tracestate, baggage';
const EXPOSE_HEADERS = 'retry-after, etag, x-emily-engine';

export function corsHeaders(req: Request, methods = 'GET, POST, DELETE, OPTIONS'): Record<string, string> {
  const origin = req.headers.get('origin');
  return {
    'Access-Control-Allow-Origin': origin ?? '*',
    'Access-Control-Allow-Headers': ALLOW_HEADERS,
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Expose-Headers': EXPOSE_HEADERS,
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

/**
 * The answer to a preflight. The website is not known yet (it is in the body), so the preflight
 * is allowed and the real request is checked; a disallowed origin then gets 403.
 */
export function preflight(req: Request, methods?: string): Response {
  return new Response(null, { status: 204, headers: corsHeaders(req, methods) });
}

interface DomainRule {
  host: string;
  port?: string;
  wildcard: boolean;
}

function parseRule(entry: string): DomainRule | undefined {
  // "https://Shop.Example:8443/path" → host "shop.example", port "8443"; a scheme alone implies no port.
  let raw = entry.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[/?#].*$/, '');
  const wildcard = raw.startsWith('*.');
  if (wildcard) raw = raw.slice(2);
  const m = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(raw);
  if (!m) return undefined;
  return { host: m[1], port: m[2], wildcard };
}

function defaultPort(url: URL): string {
  return url.protocol === 'https:' ? '443' : '80';
}

export function originAllowed(origin: string | null, allowedDomains: readonly string[] | null | undefined): boolean {
  const entries = (allowedDomains ?? []).filter((d) => typeof d === 'string' && d.trim());
  if (!entries.length) return true;
  const rules = entries.map(parseRule).filter((r): r is DomainRule => !!r);
  if (!origin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  const port = url.port || defaultPort(url);
  return rules.some((r) => {
    const hostOk = host === r.host || (r.wildcard && host.endsWith(`.${r.host}`));
    return hostOk && (r.port === undefined || r.port === port);
  });
}

export function assertOriginAllowed(req: Request, allowedDomains: readonly string[] | null | undefined): void {
  const origin = req.headers.get('origin');
  if (!originAllowed(origin, allowedDomains)) {
    throw new ApiError(403, 'origin_not_allowed', `The origin ${origin} is not allowed to use this website's widget. Add its domain to the website's allowed domains.`);
  }
}
