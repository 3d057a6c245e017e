// Where e-mailed links may send people: Supabase Auth's redirect allow-list
// (internal/utilities/request.go IsRedirectURLValid and GetReferrer). A `redirect_to` that is not
// allowed is silently replaced by `[auth] site_url`, so nobody can turn an invitation into a
// link that hands its session to another site.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { header } from '../http.ts';
import type { AuthSettings } from './settings.ts';

const LOCALHOST_NAMES = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::']);
const DECIMAL_IP = /^[0-9]+$/;
const REGULAR_HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Go's URL.Hostname(): without the brackets of an IPv6 literal. */
const hostnameOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1');
const schemeOf = (u: URL) => u.protocol.replace(/:$/, '').toLowerCase();

function isLocalhost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOCALHOST_NAMES.has(h) || h.endsWith('.localhost');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Go's net.IP.IsLoopback (IPv4-mapped IPv6 included). */
function isLoopbackIp(ip: string): boolean {
  return LOOPBACK.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * A GoTrue allow-list pattern (gobwas/glob with "." and "/" as separators) as an anchored regular
 * expression: `*` and `?` stay within one host label or path segment, `**` crosses them,
 * `[…]`/`[!…]` are character classes and `{a,b}` alternatives.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      out += escapeRegExp(pattern[++i]);
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += '.*';
        i++;
      } else {
        out += '[^./]*';
      }
    } else if (c === '?') {
      out += '[^./]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      out += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      out += ')';
      depth--;
    } else if (c === ',' && depth > 0) {
      out += '|';
    } else {
      out += escapeRegExp(c);
    }
  }
  out += ')'.repeat(depth);
  return new RegExp(`^${out}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

type RedirectSettings = Pick<AuthSettings, 'siteUrl' | 'additionalRedirectUrls'>;

/** IsRedirectURLValid: the site itself (any port on a loopback host), a loopback IP, or an allow-list match. */
export function isRedirectUrlAllowed(settings: RedirectSettings, redirectUrl: string): boolean {
  if (!redirectUrl) return false;
  const base = parse(settings.siteUrl);
  const ref = parse(redirectUrl);
  if (!base || !ref) return false;
  const host = hostnameOf(ref);
  // WHATWG URLs turn "http://2130706433/" into 127.0.0.1; Go keeps the digits and refuses them
  // (no site_url is written that way, so checking this first changes nothing else).
  const rawHost = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#:]*)/i.exec(redirectUrl)?.[1] ?? host;
  if (DECIMAL_IP.test(rawHost) || DECIMAL_IP.test(host)) return false;
  if (hostnameOf(base) === host && schemeOf(base) === schemeOf(ref) && (base.port === ref.port || isLocalhost(host))) return true;
  const scheme = schemeOf(ref);
  if (isIP(host)) return isLoopbackIp(host);
  if ((scheme === 'http' || scheme === 'https') && !REGULAR_HOSTNAME.test(host)) return false;
  const withoutFragment = redirectUrl.split('#', 1)[0];
  return settings.additionalRedirectUrls.some((pattern) => globToRegExp(pattern).test(withoutFragment));
}

/** GetReferrer: `redirect_to` (header, then query), then the Referer header, if allowed; else site_url. */
export function referrerUrl(req: IncomingMessage, query: URLSearchParams, settings: RedirectSettings): string {
  const asked = header(req, 'redirect_to') || query.get('redirect_to') || '';
  if (isRedirectUrlAllowed(settings, asked)) return asked;
  const referer = header(req, 'referer') ?? '';
  if (isRedirectUrlAllowed(settings, referer)) return referer;
  return settings.siteUrl;
}
