// Request bodies decoded the way GoTrue's retrieveRequestParams does (Go's json.Unmarshal into a
// typed struct): unknown keys are ignored, keys match case-insensitively, `null` leaves a field at
// its zero value, and a value of the wrong type is a 400 `bad_json` naming the field. Bodies are
// capped like GoTrue's 1 MiB limit (or the stack's own limit when smaller): above it, 413.
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../http.ts';
import { AuthError, badRequest } from './errors.ts';

/** GoTrue's own request body limit (limitRequestBody(1 << 20) in internal/api/api.go). */
export const GOTRUE_MAX_BODY_BYTES = 1 << 20;

type FieldType = 'string' | 'string?' | 'bool' | 'map';
export type ParamSchema = Record<string, FieldType>;

type ValueOf<T extends FieldType> = T extends 'string' ? string
  : T extends 'string?' ? string | undefined
  : T extends 'bool' ? boolean
  : Record<string, unknown> | undefined;
export type Params<S extends ParamSchema> = { [K in keyof S]: ValueOf<S[K]> };

const GO_TYPE: Record<FieldType, string> = { string: 'string', 'string?': 'string', bool: 'bool', map: 'map[string]interface {}' };

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

export async function readRawBody(req: IncomingMessage, stackLimit: number): Promise<Buffer> {
  const limit = Math.min(stackLimit, GOTRUE_MAX_BODY_BYTES);
  try {
    return await readBody(req, limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw new AuthError(413, 'request_entity_too_large', `Request body too large (max ${limit} bytes)`);
    }
    throw badRequest('bad_json', 'Could not read the request body');
  }
}

/** Decodes `body` into the fields of `schema`; `struct` names the Go type in error messages. */
export function decodeParams<S extends ParamSchema>(body: Buffer, struct: string, schema: S): Params<S> {
  const fail = (why: string) => badRequest('bad_json', `Could not parse request body as JSON: ${why}`);
  let parsed: unknown;
  const text = body.toString('utf8');
  if (!text.trim()) throw fail('unexpected end of JSON input');
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw fail((err as Error).message);
  }
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(schema)) {
    out[name] = type === 'string' ? '' : type === 'bool' ? false : undefined;
  }
  if (parsed === null) return out as Params<S>;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail(`json: cannot unmarshal ${jsonKind(parsed)} into Go value of type api.${struct}`);
  }
  const names = Object.keys(schema);
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const name = names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (!name) continue;
    const type = schema[name];
    if (value === null) {
      continue;
    }
    const ok = type === 'bool' ? typeof value === 'boolean'
      : type === 'map' ? typeof value === 'object' && !Array.isArray(value)
      : typeof value === 'string';
    if (!ok) {
      throw fail(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${struct}.${name} of type ${GO_TYPE[type]}`);
    }
    out[name] = value;
  }
  return out as Params<S>;
}

export async function readParams<S extends ParamSchema>(
  req: IncomingMessage, stackLimit: number, struct: string, schema: S,
): Promise<Params<S>> {
  return decodeParams(await readRawBody(req, stackLimit), struct, schema);
}
