// The knowledge fetcher never reaches loopback or private addresses on a stack that refuses them
// (security review H2: `http://[::ffff:127.0.0.1]:P/` used to fetch a loopback page), whatever the
// spelling; on a stack that allows them (a local stack) the same page is fetched. Two private stacks,
// one with EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS=false and one with =true, and one page server on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { startTestStack } from '../support/stack.ts';
import { closeDb, db, eventually, member, postJson, type StackInfo, website } from './widget-api.support.ts';

let pages: Server;
let port = 0;
const requested: string[] = [];
const stacks: RunningStack[] = [];

async function stackWith(allowPrivate: 'true' | 'false'): Promise<StackInfo> {
  const running = await startTestStack({ functions: { passEnv: [], env: { EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS: allowPrivate } } }, { noStatic: true });
  stacks.push(running);
  return running.info;
}

beforeAll(async () => {
  pages = createServer((req, res) => {
    requested.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><head><title>Internal admin</title></head><body><main><p>The internal admin password is hunter2.</p></main></body></html>');
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', () => r()));
  port = (pages.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of stacks) {
    await closeDb(s.info);
    await s.stop();
  }
  await new Promise<void>((r) => pages.close(() => r()));
});

/** Adds a URL source and waits for ingestion to end; returns the source row. */
async function ingest(stack: StackInfo, token: string, site: string, url: string) {
  const res = await postJson(stack, 'knowledge', { website_id: site, kind: 'url', url }, token);
  expect(res.status, url).toBe(202);
  const { source } = await res.json();
  return eventually(async () => {
    const { rows } = await db(stack).query(`select status, error from public.knowledge_sources where id = $1`, [source.id]);
    return rows[0]?.status === 'ready' || rows[0]?.status === 'failed' ? rows[0] : undefined;
  }, 20_000);
}

describe('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS=false', () => {
  it('refuses loopback in every spelling (IPv4-mapped, NAT64, 6to4, numeric, localhost) without requesting anything', async () => {
    const stack = await stackWith('false');
    const owner = await member(stack);
    const site = await website(stack, owner);
    const spellings = [
      `http://[::ffff:127.0.0.1]:${port}/mapped-dotted`, `http://[::ffff:7f00:1]:${port}/mapped-hex`, `http://127.0.0.1:${port}/v4`,
      `http://2130706433:${port}/decimal`, `http://localhost:${port}/localhost`, `http://[::1]:${port}/v6`, `http://0.0.0.0:${port}/zero`,
      `http://[64:ff9b::7f00:1]:${port}/nat64`, `http://[2002:7f00:1::]:${port}/6to4`,
    ];
    for (const url of spellings) {
      const source = await ingest(stack, owner.token, site, url);
      expect(source, url).toEqual({ status: 'failed', error: expect.stringMatching(/private or reserved address/) });
    }
    expect(requested).toEqual([]);
    const { rows } = await db(stack).query(`select count(*)::int as n from public.knowledge_chunks where website_id = $1`, [site]);
    expect(rows[0].n).toBe(0);
  }, 120_000);
});

describe('EMILY_KNOWLEDGE_ALLOW_PRIVATE_URLS=true', () => {
  it('fetches the same loopback page, IPv4-mapped spelling included', async () => {
    const stack = await stackWith('true');
    const owner = await member(stack);
    const site = await website(stack, owner);
    expect(await ingest(stack, owner.token, site, `http://127.0.0.1:${port}/allowed`)).toEqual({ status: 'ready', error: null });
    expect(await ingest(stack, owner.token, site, `http://[::ffff:127.0.0.1]:${port}/allowed-mapped`)).toEqual({ status: 'ready', error: null });
    expect(requested).toEqual(['/allowed', '/allowed-mapped']);
  }, 120_000);
});
