// HTTP plumbing shared by every function: the JSON error envelope of contract §4
// (`{error: {code, message}}`, never a stack trace), method and content-type checks, and a
// request body reader that refuses oversize bodies while reading instead of after buffering them.

/** Largest JSON body a widget or knowledge call may send. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** An error the caller caused or must know about: becomes `{error: {code, message}}` with `status`. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set('Content-Type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/**
 * An error Postgres raised for the caller with a PostgREST-style status (SQLSTATE PT4xx, e.g. the
 * plan limits' PT402): its message and hint are written for people, so they are passed on.
 */
function databaseRefusal(err: unknown): ApiError | undefined {
  const e = err as { code?: unknown; message?: unknown; hint?: unknown } | null;
  if (typeof e?.code !== 'string' || !/^PT4\d\d$/.test(e.code) || typeof e.message !== 'string') return undefined;
  const status = Number(e.code.slice(2));
  const message = typeof e.hint === 'string' && e.hint ? `${e.message} ${e.hint}` : e.message;
  return new ApiError(status, status === 402 ? 'plan_limit_reached' : 'refused', message);
}

/** Turns anything thrown into a response. Unknown errors are logged here and never echoed. */
export function errorResponse(err: unknown, headers: HeadersInit = {}): Response {
  err = databaseRefusal(err) ?? err;
  if (err instanceof ApiError) {
    const h = new Headers(headers);
    for (const [k, v] of Object.entries(err.headers)) h.set(k, v);
    return json(err.status, errorBody(err.code, err.message), h);
  }
  console.error('[functions] unexpected error:', err);
  return json(500, errorBody('internal_error', 'Something went wrong on our side. Please try again.'), headers);
}

export function requireMethod(req: Request, allowed: string[]): void {
  if (!allowed.includes(req.method)) {
    throw new ApiError(405, 'method_not_allowed', `Method ${req.method} is not allowed here; use ${allowed.join(' or ')}.`, {
      Allow: [...allowed, 'OPTIONS'].join(', '),
    });
  }
}

/** The media type of a request without parameters, lower-cased ('' when absent). */
export function mediaType(req: Request): string {
  return (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

export function requireContentType(req: Request, types: string[]): string {
  const type = mediaType(req);
  if (!types.includes(type)) {
    throw new ApiError(415, 'unsupported_media_type', `Content-Type must be ${types.join(' or ')}${type ? `, not ${type}` : ''}.`);
  }
  return type;
}

/**
 * Reads the body as bytes, counting as it goes: a body over `limit` is refused as soon as it
 * crosses the limit (or at once when Content-Length says so), so nobody can make us buffer more.
 */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The request body must not exceed ${limit} bytes.`);
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'bad_request', 'The request body could not be read.');
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Content-Type check, bounded read and JSON parse: 415, 413 and 400 `invalid_json` respectively. */
export async function readJson(req: Request, limit = MAX_JSON_BODY_BYTES): Promise<unknown> {
  requireContentType(req, ['application/json']);
  const bytes = await readBodyBytes(req, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid UTF-8.');
  }
  if (!text.trim()) throw new ApiError(400, 'invalid_json', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

/** The part of the path after `/functions/v1/NAME` (or `/NAME`), split into segments. */
export function subPath(req: Request, functionName: string): string[] {
  const path = new URL(req.url).pathname;
  const parts = path.split('/').filter(Boolean);
  const at = parts.indexOf(functionName);
  if (at === -1) return [];
  try {
    return parts.slice(at + 1).map((p) => decodeURIComponent(p));
  } catch {
    throw new ApiError(400, 'bad_request', 'The request path is not valid.');
  }
}
