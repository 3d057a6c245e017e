// One HTTP(S) GET that connects to an address chosen (and vetted) by the caller instead of resolving
// the host name again: with `fetch`, the name would be resolved a second time at connect time, and a
// DNS answer that changed in between (rebinding) would reach an address nobody checked. node:http's
// `lookup` option is the resolver of that one request; TLS still verifies the certificate against
// the URL's host name (SNI and the Host header come from the URL, not from the address).
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export interface PinnedResponse {
  status: number;
  headers: Headers;
  /** The body, decompressed when the server compressed it although we asked for identity. */
  body: AsyncIterable<Uint8Array>;
  /** Stops reading and closes the connection. */
  discard(): void;
}

type LookupCallback = (err: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;

export function pinnedGet(url: URL, address: string, headers: Record<string, string>, signal: AbortSignal): Promise<PinnedResponse> {
  const family = address.includes(':') ? 6 : 4;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      headers: { ...headers, 'Accept-Encoding': 'identity' },
      signal,
      agent: false, // no pooled connection made for another address
      lookup: (_host: string, options: unknown, callback: LookupCallback) => {
        if (typeof options === 'function') (options as LookupCallback)(null, address, family);
        else if ((options as { all?: boolean } | null)?.all) callback(null, [{ address, family }]);
        else callback(null, address, family);
      },
    }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: Readable = res;
      const encoding = (responseHeaders.get('content-encoding') ?? 'identity').trim().toLowerCase();
      const decoder = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress }[encoding];
      if (decoder) {
        const stream = decoder();
        res.on('error', (err) => stream.destroy(err));
        body = res.pipe(stream);
      } else if (encoding !== 'identity') {
        res.destroy();
        reject(new Error(`the server sent an unsupported content encoding (${encoding})`));
        return;
      }
      resolve({
        status: res.statusCode ?? 0,
        headers: responseHeaders,
        body: body as AsyncIterable<Uint8Array>,
        discard: () => {
          body.destroy();
          res.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
