// A FAKE Qdrant for tests: a real HTTP server on loopback implementing the few REST calls Emily
// makes (collection exists/create, payload index, upsert, delete by filter, query) over an
// in-memory store with exact cosine similarity, and recording every request so a test can check
// their shapes. It is not Qdrant; tests against a real one run when QDRANT_URL is set.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface QdrantRequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

interface Point { id: string | number; vector: number[]; payload: Record<string, unknown> }
interface Condition { key: string; match: { value: unknown } }
interface Filter { must?: Condition[]; must_not?: Condition[]; should?: Condition[] }

export interface FakeQdrant {
  url: string;
  requests: QdrantRequestRecord[];
  collections: Map<string, { size: number; distance: string; points: Map<string, Point>; indexes: string[] }>;
  close(): Promise<void>;
}

function matches(point: Point, filter?: Filter): boolean {
  if (!filter) return true;
  const ok = (c: Condition) => point.payload[c.key] === c.match?.value;
  if (filter.must && !filter.must.every(ok)) return false;
  if (filter.must_not && filter.must_not.some(ok)) return false;
  if (filter.should?.length && !filter.should.some(ok)) return false;
  return true;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export async function startFakeQdrant(): Promise<FakeQdrant> {
  const requests: QdrantRequestRecord[] = [];
  const collections: FakeQdrant['collections'] = new Map();
  const ok = (result: unknown) => ({ result, status: 'ok', time: 0.0001 });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = undefined;
      try { body = raw ? JSON.parse(raw) : undefined; } catch { /* recorded as undefined */ }
      const record = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body };
      requests.push(record);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (req.method === 'GET' && url.pathname === '/') return send(200, { title: 'fake qdrant', version: '1.15.0' });
      if (!m) return send(404, { status: { error: `fake: no route ${req.method} ${url.pathname}` } });
      const name = decodeURIComponent(m[1]);
      const rest = m[2] ?? '';
      const col = collections.get(name);
      if (req.method === 'GET' && rest === '/exists') return send(200, ok({ exists: !!col }));
      if (req.method === 'PUT' && rest === '') {
        const vectors = body?.vectors;
        if (!vectors || typeof vectors.size !== 'number') return send(400, { status: { error: 'vectors.size required' } });
        collections.set(name, { size: vectors.size, distance: vectors.distance, points: new Map(), indexes: [] });
        return send(200, ok(true));
      }
      if (!col) return send(404, { status: { error: `Collection \`${name}\` doesn't exist!` } });
      if (req.method === 'PUT' && rest === '/index') {
        col.indexes.push(body?.field_name);
        return send(200, ok({ operation_id: 1, status: 'completed' }));
      }
      if (req.method === 'PUT' && rest === '/points') {
        for (const p of body?.points ?? []) {
          if (!Array.isArray(p.vector) || p.vector.length !== col.size) return send(400, { status: { error: `Wrong input: Vector dimension error: expected dim: ${col.size}` } });
          col.points.set(String(p.id), { id: p.id, vector: p.vector, payload: p.payload ?? {} });
        }
        return send(200, ok({ operation_id: 2, status: 'completed' }));
      }
      if (req.method === 'POST' && rest === '/points/delete') {
        for (const [id, p] of col.points) {
          if (body?.points ? body.points.map(String).includes(id) : matches(p, body?.filter)) col.points.delete(id);
        }
        return send(200, ok({ operation_id: 3, status: 'completed' }));
      }
      if (req.method === 'POST' && rest === '/points/query') {
        const vector = body?.query;
        if (!Array.isArray(vector) || vector.length !== col.size) return send(400, { status: { error: `Wrong input: Vector dimension error: expected dim: ${col.size}` } });
        const points = [...col.points.values()]
          .filter((p) => matches(p, body?.filter))
          .map((p) => ({ id: p.id, version: 1, score: cosine(vector, p.vector), ...(body?.with_payload ? { payload: p.payload } : {}) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, body?.limit ?? 10);
        return send(200, ok({ points }));
      }
      return send(404, { status: { error: `fake: no route ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    collections,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
