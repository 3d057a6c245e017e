// Fetches a web page for the knowledge base, defensively: a time limit, a size limit counted while
// reading, only document types we can index, at most 5 redirects, and no requests to private,
// loopback or otherwise non-global addresses (an owner must not be able to make our server probe its
// own network), except on a local stack, where the demo site itself lives on loopback.
//
// Every hop (the first URL and each redirect) is resolved once, every address it resolves to is
// checked on its bytes (ip-address.ts), and the connection goes to the checked address itself
// (pinned-http.ts): no second resolution that a rebinding DNS server could answer differently.
import { lookup } from 'node:dns/promises';
import { env } from '../env.ts';
import { type DocumentType, documentType } from './documents.ts';
import { blockedReason, formatIp, parseIp } from './ip-address.ts';
import { pinnedGet, type PinnedResponse } from './pinned-http.ts';

export class FetchError extends Error {}

export interface FetchedDocument {
  url: string;
  type: DocumentType;
  bytes: Uint8Array;
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Host name → its addresses. Default: the system resolver (hosts file included), as a connection would use. */
  resolve?: (host: string) => Promise<string[]>;
  /** Why an address must not be connected to (undefined: it may). Default: global unicast only, unless private fetches are allowed. */
  blocked?: (address: Uint8Array) => string | undefined;
}

const MAX_REDIRECTS = 5;
const HEADERS = {
  'User-Agent': 'EmilyKnowledgeBot/1.0 (+https://github.com/emily-chat)',
  Accept: 'text/html, text/plain, text/markdown, application/pdf;q=0.9, */*;q=0.1',
};

/** EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS, or when unset: whether SUPABASE_URL itself is local (the local stack). */
export function privateFetchAllowed(): boolean {
  const flag = Deno.env.get('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS');
  if (flag !== undefined && flag !== '') return flag === 'true';
  try {
    const host = new URL(env.supabaseUrl()).hostname;
    const bytes = parseIp(host);
    return host === 'localhost' || host.endsWith('.localhost') || (bytes !== undefined && blockedReason(bytes) !== undefined);
  } catch {
    return false;
  }
}

async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/** The addresses this hop may connect to, all of them checked; throws if any is refused. */
async function vettedAddresses(url: URL, opts: FetchOptions): Promise<string[]> {
  const host = url.hostname;
  const literal = parseIp(host);
  let addresses: Uint8Array[];
  if (literal) {
    addresses = [literal];
  } else {
    let answers: string[];
    try {
      answers = await (opts.resolve ?? systemResolve)(host);
    } catch {
      answers = [];
    }
    addresses = answers.map((a) => parseIp(a)).filter((a): a is Uint8Array => a !== undefined);
    if (!addresses.length) throw new FetchError(`${host} could not be resolved`);
  }
  const blocked = opts.blocked ?? (privateFetchAllowed() ? () => undefined : blockedReason);
  for (const address of addresses) {
    const reason = blocked(address);
    if (reason) {
      throw new FetchError(literal
        ? `${host} is a private or reserved address (${reason}); only public web addresses can be fetched`
        : `${host} resolves to a private or reserved address (${formatIp(address)}: ${reason}); only public web addresses can be fetched`);
    }
  }
  return addresses.map(formatIp);
}

/** Connects to the vetted addresses in turn (like a browser trying each A/AAAA answer) until one answers. */
async function get(url: URL, addresses: string[], signal: AbortSignal): Promise<PinnedResponse> {
  let last: unknown;
  for (const address of addresses) {
    try {
      return await pinnedGet(url, address, HEADERS, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      last = err;
    }
  }
  throw last;
}

export async function fetchDocument(rawUrl: string, opts: FetchOptions = {}): Promise<FetchedDocument> {
  const timeout = AbortSignal.timeout(env.fetchTimeoutMs());
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let url = new URL(rawUrl);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('only http(s) URLs can be fetched');
    const addresses = await vettedAddresses(url, opts);
    let res: PinnedResponse;
    try {
      res = await get(url, addresses, signal);
    } catch (err) {
      if (timeout.aborted) throw new FetchError(`${url} did not answer within ${env.fetchTimeoutMs()} ms`);
      throw new FetchError(`${url} could not be fetched (${(err as Error).message})`);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      res.discard();
      try {
        url = new URL(location, url);
      } catch {
        throw new FetchError(`${url} redirects to an invalid address`);
      }
      continue; // the next hop is resolved and checked like the first
    }
    if (res.status < 200 || res.status > 299) {
      res.discard();
      throw new FetchError(`${url} answered HTTP ${res.status}`);
    }
    const type = documentType(res.headers.get('content-type'), url.pathname);
    if (!type) {
      res.discard();
      throw new FetchError(`${url} is ${res.headers.get('content-type') ?? 'of an unknown type'}; only HTML, text, Markdown and PDF can be indexed`);
    }
    return { url: url.toString(), type, bytes: await readCapped(res, env.maxFetchBytes(), timeout) };
  }
  throw new FetchError(`${rawUrl} redirects too many times`);
}

async function readCapped(res: PinnedResponse, limit: number, timeout: AbortSignal): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit && !res.headers.has('content-encoding')) {
    res.discard();
    throw new FetchError(`the document is larger than ${limit} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const value of res.body) {
      size += value.byteLength;
      if (size > limit) {
        res.discard();
        throw new FetchError(`the document is larger than ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError(timeout.aborted ? `the document did not arrive within ${env.fetchTimeoutMs()} ms` : 'the download failed');
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
