// Fetches a web page for the knowledge base, defensively: a time limit, a size limit counted while
// reading, only document types we can index, at most 5 redirects, and no requests to private or
// loopback addresses (an owner must not be able to make our server probe its own network), except
// on a local stack, where the demo site itself lives on loopback.
import { env } from '../env.ts';
import { type DocumentType, documentType } from './documents.ts';

export class FetchError extends Error {}

export interface FetchedDocument {
  url: string;
  type: DocumentType;
  bytes: Uint8Array;
}

const MAX_REDIRECTS = 5;

export function privateFetchAllowed(): boolean {
  const flag = Deno.env.get('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS');
  if (flag !== undefined && flag !== '') return flag === 'true';
  try {
    return isPrivateAddress(new URL(env.supabaseUrl()).hostname);
  } catch {
    return false;
  }
}

export function isPrivateAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h === '0.0.0.0') return true;
  const v4 = h.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/)?.slice(1).map(Number);
  if (v4) {
    const [a, b] = v4;
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (h.includes(':')) return /^(fc|fd|fe8|fe9|fea|feb)/.test(h) || h.startsWith('::ffff:') && isPrivateAddress(h.slice(7));
  return false;
}

async function assertPublic(url: URL): Promise<void> {
  if (privateFetchAllowed()) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isPrivateAddress(host)) throw new FetchError(`${url.hostname} is a private address`);
  if (/^[\d.]+$/.test(host) || host.includes(':')) return;
  const addresses: string[] = [];
  for (const type of ['A', 'AAAA'] as const) {
    try {
      addresses.push(...(await Deno.resolveDns(host, type)));
    } catch { /* no record of that type */ }
  }
  if (!addresses.length) throw new FetchError(`${url.hostname} could not be resolved`);
  if (addresses.some(isPrivateAddress)) throw new FetchError(`${url.hostname} resolves to a private address`);
}

export async function fetchDocument(rawUrl: string, signal?: AbortSignal): Promise<FetchedDocument> {
  const timeout = AbortSignal.timeout(env.fetchTimeoutMs());
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let url = new URL(rawUrl);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('only http(s) URLs can be fetched');
    await assertPublic(url);
    let res: Response;
    try {
      res = await fetch(url, {
        redirect: 'manual',
        signal: combined,
        headers: { 'User-Agent': 'EmilyKnowledgeBot/1.0 (+https://github.com/emily-chat)', Accept: 'text/html, text/plain, text/markdown, application/pdf;q=0.9, */*;q=0.1' },
      });
    } catch (err) {
      if (timeout.aborted) throw new FetchError(`${url} did not answer within ${env.fetchTimeoutMs()} ms`);
      throw new FetchError(`${url} could not be fetched (${(err as Error).message})`);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel();
      url = new URL(res.headers.get('location')!, url);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FetchError(`${url} answered HTTP ${res.status}`);
    }
    const type = documentType(res.headers.get('content-type'), url.pathname);
    if (!type) {
      await res.body?.cancel();
      throw new FetchError(`${url} is ${res.headers.get('content-type') ?? 'of an unknown type'}; only HTML, text, Markdown and PDF can be indexed`);
    }
    return { url: url.toString(), type, bytes: await readCapped(res, env.maxFetchBytes(), timeout) };
  }
  throw new FetchError(`${rawUrl} redirects too many times`);
}

async function readCapped(res: Response, limit: number, timeout: AbortSignal): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw new FetchError(`the document is larger than ${limit} bytes`);
  }
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
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
