// The knowledge fetcher against real HTTP servers on loopback. Where a test needs a DNS answer it
// cannot get offline (a name resolving to an IPv4-mapped address, a rebinding name), it passes a
// resolver of its own: that is a fake of DNS, not of our code; the checks and connections are real.
import { deepStrictEqual as assertEquals, match as assertMatch, ok as assert, rejects as assertRejects } from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { fetchDocument, FetchError } from './fetch-url.ts';
import { blockedReason } from './ip-address.ts';

interface Site {
  port: number;
  hits: Array<{ path: string; host: string | null }>;
  close(): Promise<void>;
}

function serve(routes: Record<string, (port: number) => Response>): Site {
  const hits: Site['hits'] = [];
  let port = 0;
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (req): Response => {
    const url = new URL(req.url);
    hits.push({ path: url.pathname, host: req.headers.get('host') });
    const route = routes[url.pathname];
    return route ? route(port) : new Response('not found', { status: 404 });
  });
  port = server.addr.port;
  return { port, hits, close: () => server.shutdown() };
}

const html = (body: string) => () => new Response(`<html><head><title>T</title></head><body><main><p>${body}</p></main></body></html>`, { headers: { 'content-type': 'text/html' } });
const redirect = (to: (port: number) => string) => (port: number) => new Response(null, { status: 302, headers: { location: to(port) } });

async function withPrivateUrls<T>(value: string, fn: () => Promise<T>): Promise<T> {
  const before = Deno.env.get('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS');
  Deno.env.set('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS', value);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS');
    else Deno.env.set('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS', before);
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test('with private URLs refused, no spelling of a loopback address gets through (and nothing is requested)', async () => {
  const site = serve({ '/': html('secret internal page') });
  try {
    await withPrivateUrls('false', async () => {
      const p = site.port;
      for (const url of [
        `http://[::ffff:127.0.0.1]:${p}/`, `http://[::ffff:7f00:1]:${p}/`, `http://[0:0:0:0:0:ffff:7f00:1]:${p}/`, `http://127.0.0.1:${p}/`,
        `http://2130706433:${p}/`, `http://0x7f.1:${p}/`, `http://127.1:${p}/`, `http://localhost:${p}/`, `http://[::1]:${p}/`,
        `http://0.0.0.0:${p}/`, `http://[::]:${p}/`, `http://[64:ff9b::7f00:1]:${p}/`, `http://[2002:7f00:1::]:${p}/`, `http://[::127.0.0.1]:${p}/`,
      ]) {
        await assertRejects(fetchDocument(url), (err: Error) => err instanceof FetchError && /private or reserved/.test(err.message), url);
      }
    });
    assertEquals(site.hits, []);
    // The same server with private URLs allowed (the local stack): loopback, mapped form included, works.
    await withPrivateUrls('true', async () => {
      assertMatch(text((await fetchDocument(`http://127.0.0.1:${site.port}/`)).bytes), /secret internal page/);
      assertMatch(text((await fetchDocument(`http://[::ffff:127.0.0.1]:${site.port}/`)).bytes), /secret internal page/);
    });
  } finally {
    await site.close();
  }
});

Deno.test('a name is refused when any of its DNS answers is private, IPv4-mapped forms included', async () => {
  const answers: Record<string, string[]> = {
    'mapped.example': ['::ffff:7f00:1'],
    'mapped-dotted.example': ['::ffff:127.0.0.1'],
    'nat64.example': ['64:ff9b::a9fe:a9fe'],
    'mixed.example': ['93.184.216.34', '10.0.0.7'],
    'metadata.example': ['169.254.169.254'],
  };
  const resolve = (host: string) => Promise.resolve(answers[host] ?? []);
  await withPrivateUrls('false', async () => {
    for (const host of Object.keys(answers)) {
      await assertRejects(fetchDocument(`http://${host}/`, { resolve }), /resolves to a private or reserved address/, host);
    }
    await assertRejects(fetchDocument('http://nowhere.example/', { resolve }), /could not be resolved/);
  });
});

Deno.test('the connection goes to the address that was checked: the host name is never resolved a second time', async () => {
  const site = serve({ '/': html('pinned page') });
  try {
    const asked: string[] = [];
    // `pinned.invalid` does not exist: only a connection to the checked answer can reach the page.
    const doc = await fetchDocument(`http://pinned.invalid:${site.port}/`, {
      resolve: (host) => (asked.push(host), Promise.resolve(['127.0.0.1'])),
      blocked: () => undefined,
    });
    assertMatch(text(doc.bytes), /pinned page/);
    assertEquals(asked, ['pinned.invalid']);
    assertEquals(site.hits, [{ path: '/', host: `pinned.invalid:${site.port}` }]);
  } finally {
    await site.close();
  }
});

Deno.test('every redirect hop is checked again before it is requested', async () => {
  const site = serve({
    '/to-metadata': redirect(() => 'http://169.254.169.254/latest/meta-data/'),
    '/to-mapped': redirect((port) => `http://[::ffff:7f00:1]:${port}/secret`),
    '/to-name': redirect(() => 'http://intranet.example/'),
    '/to-page': redirect(() => '/page'),
    '/secret': html('secret'),
    '/page': html('public page'),
  });
  // This test's server is the one address allowed besides global unicast; everything else is judged as in production.
  const blocked = (b: Uint8Array) => (b.length === 4 && b.join('.') === '127.0.0.1' ? undefined : blockedReason(b));
  const resolve = (host: string) => Promise.resolve(host === 'intranet.example' ? ['10.1.2.3'] : []);
  try {
    const at = (path: string) => `http://127.0.0.1:${site.port}${path}`;
    await assertRejects(fetchDocument(at('/to-metadata'), { blocked, resolve }), /169\.254\.169\.254 is a private or reserved address \(link-local/);
    await assertRejects(fetchDocument(at('/to-mapped'), { blocked, resolve }), /IPv4-mapped loopback/);
    await assertRejects(fetchDocument(at('/to-name'), { blocked, resolve }), /intranet\.example resolves to a private or reserved address \(10\.1\.2\.3/);
    const doc = await fetchDocument(at('/to-page'), { blocked, resolve });
    assertEquals(doc.url, at('/page'));
    assertMatch(text(doc.bytes), /public page/);
    assert(!site.hits.some((h) => h.path === '/secret'), 'the redirect target behind a refused hop was never requested');
  } finally {
    await site.close();
  }
});

Deno.test('a compressed answer is decompressed, and its decompressed size is what the size limit counts', async () => {
  const page = '<html><body><main><p>Compressed but readable.</p></main></body></html>';
  const bomb = new Uint8Array(gzipSync(new Uint8Array(8 * 1024 * 1024))); // 8 MiB of zeros in a few kB
  const site = serve({
    '/gz': () => new Response(new Uint8Array(gzipSync(new TextEncoder().encode(page))), { headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' } }),
    '/bomb': () => new Response(bomb, { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } }),
  });
  try {
    await withPrivateUrls('true', async () => {
      assertEquals(text((await fetchDocument(`http://127.0.0.1:${site.port}/gz`)).bytes), page);
      await assertRejects(fetchDocument(`http://127.0.0.1:${site.port}/bomb`), /larger than/);
    });
  } finally {
    await site.close();
  }
});
