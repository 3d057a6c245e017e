// Realtime's REST API under /realtime/v1/api (BroadcastController, BroadcastSingleController,
// PingController): how servers broadcast without a socket, and realtime-js's fallback when a
// channel is not joined. Answers and errors keep Supabase's statuses and shapes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, type Claims } from '../jwt.ts';
import { BodyTooLargeError, header, readBody, sendJson } from '../http.ts';
import { AuthorizationError, emptyPolicies } from './authorization.ts';
import { deliverBroadcastPayload, deliverUserBroadcast } from './broadcast.ts';
import { MAX_PAYLOAD_BYTES } from './limits.ts';
import { flexBool, isObject } from './payload.ts';
import type { RealtimeServer } from './server.ts';
import { checkToken } from './tokens.ts';

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** AuthTenant: the Bearer token, else the apikey; it must verify and carry role and exp. */
function claimsOf(req: IncomingMessage, jwtSecret: string): Claims | null {
  const token = bearerToken(req.headers.authorization) ?? header(req, 'apikey');
  const check = checkToken(token, jwtSecret);
  return check.ok ? check.claims : null;
}

async function mayWrite(server: RealtimeServer, req: IncomingMessage, claims: Claims, topic: string): Promise<boolean> {
  try {
    const policies = await server.authorizer.write({ topic, claims, headers: requestHeaders(req) }, emptyPolicies(), ['broadcast']);
    return policies.broadcast.write === true;
  } catch (err) {
    if (err instanceof AuthorizationError && err.kind === 'unavailable') throw err;
    server.log(`[realtime] RlsPolicyError on ${topic}: ${(err as Error).message}`);
    return false;
  }
}

type BatchMessage = { topic: string; event: string; payload: Record<string, unknown>; private: boolean; id?: string };

/** The batch body as Supabase's changeset validates it; errors come back in Ecto's shape. */
function validateBatch(body: unknown): { messages: BatchMessage[] } | { errors: unknown } {
  if (!isObject(body) || body.messages === undefined || body.messages === null) return { errors: { messages: ["can't be blank"] } };
  if (!Array.isArray(body.messages)) return { errors: { messages: ['is invalid'] } };
  if (body.messages.length === 0) return { errors: { messages: ["can't be blank"] } };
  const errors: Array<Record<string, string[]>> = [];
  const messages: BatchMessage[] = [];
  let failed = false;
  for (const raw of body.messages) {
    const e: Record<string, string[]> = {};
    const m = isObject(raw) ? raw : {};
    if (!isObject(raw)) e.base = ['is invalid'];
    for (const field of ['topic', 'event'] as const) {
      if (m[field] === undefined || m[field] === null || m[field] === '') e[field] = ["can't be blank"];
      else if (typeof m[field] !== 'string') e[field] = ['is invalid'];
    }
    if (m.payload === undefined || m.payload === null) e.payload = ["can't be blank"];
    else if (!isObject(m.payload)) e.payload = ['is invalid'];
    else if (Buffer.byteLength(JSON.stringify(m.payload)) > MAX_PAYLOAD_BYTES) e.payload = ['Payload size exceeds tenant limit'];
    if (m.private !== undefined && m.private !== null && typeof m.private !== 'boolean' && !/^(true|false)$/i.test(String(m.private))) e.private = ['is invalid'];
    if (m.id !== undefined && m.id !== null && !(typeof m.id === 'string' && UUID.test(m.id))) e.id = ['is invalid'];
    if (Object.keys(e).length) failed = true;
    errors.push(e);
    messages.push({
      topic: String(m.topic), event: String(m.event), payload: m.payload as Record<string, unknown>,
      private: flexBool(m.private), ...(typeof m.id === 'string' ? { id: m.id } : {}),
    });
  }
  return failed ? { errors: { messages: errors } } : { messages };
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<{ ok: true; value: unknown; raw: Buffer } | { ok: false }> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_REQUEST_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLargeError) sendJson(res, 413, { message: 'Request Entity Too Large' });
    else sendJson(res, 400, { message: 'Bad Request' });
    return { ok: false };
  }
  const type = header(req, 'content-type') ?? '';
  if (/octet-stream/i.test(type)) return { ok: true, value: undefined, raw };
  try {
    return { ok: true, value: raw.length ? JSON.parse(raw.toString('utf8')) : {}, raw };
  } catch {
    sendJson(res, 400, { message: 'Malformed JSON body' });
    return { ok: false };
  }
}

async function batchBroadcast(server: RealtimeServer, req: IncomingMessage, res: ServerResponse, claims: Claims): Promise<void> {
  const body = await readJson(req, res);
  if (!body.ok) return;
  const result = validateBatch(body.value);
  if ('errors' in result) return sendJson(res, 422, { errors: result.errors });
  const allowed = new Map<string, boolean>();
  for (const m of result.messages) {
    if (m.private && !allowed.has(m.topic)) {
      try {
        allowed.set(m.topic, await mayWrite(server, req, claims, m.topic));
      } catch {
        return sendJson(res, 422, { message: 'Tenant database unavailable' });
      }
    }
  }
  for (const m of result.messages) {
    if (m.private && !allowed.get(m.topic)) continue; // Supabase drops them and still answers 202
    const meta = m.id ? `,"meta":${JSON.stringify({ id: m.id })}` : '';
    const payloadJson = `{"event":${JSON.stringify(m.event)}${meta},"payload":${JSON.stringify(m.payload)},"type":"broadcast"}`;
    deliverBroadcastPayload(server.registry.get(m.topic, m.private), payloadJson);
  }
  res.writeHead(202, { 'Content-Length': '0' });
  res.end();
}

async function singleBroadcast(server: RealtimeServer, req: IncomingMessage, res: ServerResponse, claims: Claims, url: URL, topic: string, event: string): Promise<void> {
  const type = header(req, 'content-type') ?? '';
  const binary = /^application\/octet-stream/i.test(type);
  if (!binary && !/^application\/json/i.test(type)) {
    return sendJson(res, 415, { message: 'Unsupported Media Type: use application/json or application/octet-stream' });
  }
  const body = await readJson(req, res);
  if (!body.ok) return;
  const data = binary ? body.raw : Buffer.from(JSON.stringify(body.value));
  if (!binary && !isObject(body.value)) return sendJson(res, 422, { errors: { payload: ['is invalid'] } });
  if (data.length > MAX_PAYLOAD_BYTES) return sendJson(res, 422, { errors: { payload: ['Payload size exceeds tenant limit'] } });
  const isPrivate = flexBool(url.searchParams.get('private'));
  if (isPrivate) {
    let ok: boolean;
    try {
      ok = await mayWrite(server, req, claims, topic);
    } catch {
      return sendJson(res, 422, { message: 'Tenant database unavailable' });
    }
    if (!ok) return sendJson(res, 403, { message: 'Unauthorized' });
  }
  deliverUserBroadcast(server.registry.get(topic, isPrivate), { event, encoding: binary ? 'binary' : 'json', data }, null);
  res.writeHead(202, { 'Content-Length': '0' });
  res.end();
}

export async function handleHttp(server: RealtimeServer, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const url = new URL(path, 'http://realtime');
  const route = url.pathname.replace(/\/+$/, '');
  if (route === '/api/ping' && req.method === 'GET') return sendJson(res, 200, { message: 'Success' });
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(route);
  if ((route === '/api/broadcast' || single) && req.method === 'POST') {
    const claims = claimsOf(req, server.jwtSecret);
    if (!claims) return sendJson(res, 401, { message: 'Unauthorized' });
    if (!single) return batchBroadcast(server, req, res, claims);
    let topic: string;
    let event: string;
    try {
      topic = decodeURIComponent(single[1]);
      event = decodeURIComponent(single[2]);
    } catch {
      return sendJson(res, 400, { message: 'Bad Request' });
    }
    return singleBroadcast(server, req, res, claims, url, topic, event);
  }
  return sendJson(res, 404, { errors: { detail: 'Not Found' } });
}
