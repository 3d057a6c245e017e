// PostgREST's error answers: `{code, details, hint, message}` with its status codes (PostgREST
// 12/13, src/PostgREST/Error.hs). Errors raised by Postgres keep their SQLSTATE as `code` and are
// mapped to a status the way PostgREST maps them; its own errors use the PGRSTxxx codes.
import { closest } from './fuzzy.ts';

export interface ErrorBody {
  code: string;
  details: unknown;
  hint: unknown;
  message: string;
}

export class PgrstError extends Error {
  constructor(public status: number, public body: ErrorBody, public headers: Record<string, string> = {}) {
    super(body.message);
  }
}

function pgrst(status: number, code: string, message: string, details: unknown = null, hint: unknown = null, headers: Record<string, string> = {}) {
  return new PgrstError(status, { code, details, hint, message }, headers);
}

// ---- PGRST1xx: the request itself --------------------------------------------------------------

export const queryParamError = (message: string, details: string) => pgrst(400, 'PGRST100', message, details);
export const invalidRpcMethod = (method: string) => pgrst(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
export const invalidBody = (message: string) => pgrst(400, 'PGRST102', message);
export const invalidRange = (details: string) => pgrst(416, 'PGRST103', 'Requested range not satisfiable', details);
export const invalidPutFilters = () => pgrst(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators");
export const unacceptableSchema = (schema: string, exposed: string[]) =>
  pgrst(406, 'PGRST106', `Invalid schema: ${schema}`, null, `Only the following schemas are exposed: ${exposed.join(', ')}`);
export const mediaTypeError = (types: string[]) => pgrst(406, 'PGRST107', `None of these media types are available: ${types.join(', ')}`);
export const notEmbedded = (resource: string) =>
  pgrst(400, 'PGRST108', `'${resource}' is not an embedded resource in this request`, null,
    `Verify that '${resource}' is included in the 'select' query parameter.`);
export const gucHeadersError = () => pgrst(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value');
export const gucStatusError = () => pgrst(500, 'PGRST112', 'response.status guc must be a valid status code');
export const putLimitNotAllowed = () => pgrst(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT');
export const putMatchingPk = () => pgrst(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)');
export const singularityError = (rows: number) =>
  pgrst(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`);
export const unsupportedMethod = (method: string) => pgrst(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
export const relatedOrderNotToOne = (origin: string, target: string) =>
  pgrst(400, 'PGRST118', `A related order on '${target}' is not possible`, `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);
export const spreadNotToOne = (origin: string, target: string) =>
  pgrst(400, 'PGRST119', `A spread operation on '${target}' is not possible`, `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);
export const unacceptableFilter = (target: string) =>
  pgrst(400, 'PGRST120', `Bad operator on the '${target}' embedded resource`, 'Only is null or not is null filters are allowed on embedded resources');
export const invalidPreferences = (prefs: string[]) =>
  pgrst(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.join(', ')}`);
export const aggregatesNotAllowed = () => pgrst(400, 'PGRST123', 'Use of aggregate functions is not allowed');
export const maxAffectedViolation = (rows: number) =>
  pgrst(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${rows} rows`);
export const invalidResourcePath = () => pgrst(404, 'PGRST125', 'Invalid path specified in request URL');

// ---- PGRST2xx: the schema cache ----------------------------------------------------------------

export const schemaCacheUnavailable = () => pgrst(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.');

export function noRelationship(parent: string, child: string, hint: string | undefined, schema: string, suggestion?: string) {
  return pgrst(400, 'PGRST200',
    `Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
    `Searched for a foreign key relationship between '${parent}' and '${child}${hint ? `' using the hint '${hint}` : ''}' in the schema '${schema}', but no matches were found.`,
    suggestion ?? null);
}

export function ambiguousRelationship(parent: string, child: string, details: unknown[], hints: string[]) {
  return pgrst(300, 'PGRST201',
    `Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
    details,
    `Try changing '${child}' to one of the following: ${hints.join(', ')}. Find the desired relationship in the 'details' key.`);
}

export function noFunction(opts: {
  schema: string; name: string; keys: string[]; postMime: string | undefined;
  functionsInSchema: string[]; overloadParamLists: string[][];
}) {
  const { schema, name, keys, postMime } = opts;
  const fn = `${schema}.${name}`;
  const sorted = [...keys].sort();
  const list = sorted.join(', ');
  const single: Record<string, string> = {
    'text/plain': ' with a single unnamed text parameter',
    'text/xml': ' with a single unnamed xml parameter',
    'application/octet-stream': ' with a single unnamed bytea parameter',
  };
  const onlySingle = postMime !== undefined && postMime in single;
  const withParams = sorted.length ? ` with parameter${sorted.length > 1 ? 's' : ''} ${list}` : ' without parameters';
  const message = `Could not find the function ${fn}${onlySingle ? '' : sorted.length ? `(${list})` : ' without parameters'} in the schema cache`;
  const searched = onlySingle ? single[postMime!]
    : postMime === 'application/json' ? `${withParams} or with a single unnamed json/jsonb parameter` : withParams;
  const details = `Searched for the function ${fn}${searched}, but no matches were found in the schema cache.`;
  let suggestion: string | undefined;
  if (opts.overloadParamLists.length === 0) {
    suggestion = closest(name, opts.functionsInSchema);
  } else {
    const fmt = (names: string[]) => `(${[...names].sort().join(', ')})`;
    const best = closest(fmt(sorted), opts.overloadParamLists.map(fmt));
    suggestion = best ? `${name}${best}` : undefined;
  }
  const hint = onlySingle || !suggestion ? null : `Perhaps you meant to call the function ${schema}.${suggestion}`;
  return pgrst(404, 'PGRST202', message, details, hint);
}

export function ambiguousFunction(signatures: string[]) {
  return pgrst(300, 'PGRST203', `Could not choose the best candidate function between: ${signatures.join(', ')}`, null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved');
}

export const columnNotFound = (relation: string, column: string) =>
  pgrst(400, 'PGRST204', `Could not find the '${column}' column of '${relation}' in the schema cache`);

export function tableNotFound(schema: string, name: string, tablesInSchema: string[]) {
  const suggestion = closest(name, tablesInSchema);
  return pgrst(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null,
    suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null);
}

// ---- PGRST3xx: JWT -----------------------------------------------------------------------------

function jwtHeader(message: string) {
  return { 'WWW-Authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}` };
}
export const jwtDecodeError = (message: string, details: string | null = null) =>
  pgrst(401, 'PGRST301', message, details, null, jwtHeader(message));
export const jwtClaimsError = (message: string) => pgrst(401, 'PGRST303', message, null, null, jwtHeader(message));

/**
 * What Postgres itself would answer for a column that does not exist. The stack checks every
 * column against the schema cache before building SQL, so it answers this without running the query.
 */
export const undefinedColumn = (relation: string, column: string) =>
  pgrst(400, '42703', `column ${relation}.${column} does not exist`);

// ---- Errors raised by Postgres ------------------------------------------------------------------

interface PgLikeError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's SQLSTATE → HTTP status table (pgErrorStatus). `authed` is false for the anon role. */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  if (code.startsWith('08')) return 503;
  if (code.startsWith('09')) return 500;
  if (code.startsWith('0L') || code.startsWith('0P')) return 403;
  switch (code) {
    case '23503':
    case '23505': return 409;
    case '25006': return 405;
    case '21000': return message.endsWith('requires a WHERE clause') ? 400 : 500;
    case '22023': return /^role .* does not exist$/.test(message) ? 401 : 400;
    case '53400': return 500;
    case '57P01': return 503;
    case 'P0001': return 400;
    case '42883': return message.startsWith('function xmlagg(') ? 406 : 404;
    case '42P01': return 404;
    case '42P17': return 500;
    case '42501': return authed ? 403 : 401;
  }
  for (const prefix of ['25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX']) {
    if (code.startsWith(prefix)) return 500;
  }
  if (code.startsWith('53')) return 503;
  if (code.startsWith('28')) return 403;
  if (code.startsWith('PT')) {
    const n = Number(code.slice(2));
    return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
  }
  return 400;
}

/** `RAISE SQLSTATE 'PGRST' USING message = '{json}', detail = '{json}'`: full control of the answer. */
function raisedPgrst(err: PgLikeError): PgrstError {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(err.message ?? '');
    if (!msg || typeof msg !== 'object' || typeof msg.code !== 'string' || typeof msg.message !== 'string') throw new Error();
  } catch {
    return pgrst(500, 'PGRST121', 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
      `Invalid JSON value for MESSAGE: '${err.message ?? ''}'`,
      "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.");
  }
  const detailHint = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";
  if (err.detail === undefined || err.detail === null) {
    return pgrst(500, 'PGRST121', 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error', 'DETAIL is missing in the RAISE statement', detailHint);
  }
  let det: { status?: unknown; headers?: unknown };
  try {
    det = JSON.parse(err.detail);
    if (!det || typeof det !== 'object' || typeof det.status !== 'number' || !det.headers || typeof det.headers !== 'object') throw new Error();
  } catch {
    return pgrst(500, 'PGRST121', 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error', `Invalid JSON value for DETAIL: '${err.detail}'`, detailHint);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(det.headers as Record<string, unknown>)) if (typeof v === 'string') headers[k] = v;
  const status = det.status as number;
  return new PgrstError(status >= 100 && status <= 599 ? status : 500, {
    code: msg.code as string,
    message: msg.message as string,
    details: typeof msg.details === 'string' ? msg.details : null,
    hint: typeof msg.hint === 'string' ? msg.hint : null,
  }, headers);
}

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|connection.*(closed|ended)|Client has encountered a connection error/i;

/** Any error thrown while running a request's SQL, as PostgREST would answer it. */
export function fromDatabaseError(err: unknown, authed: boolean): PgrstError {
  if (err instanceof PgrstError) return err;
  const e = (err ?? {}) as PgLikeError & { errno?: unknown };
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    if (e.code === 'PGRST') return raisedPgrst(e);
    const message = e.message ?? '';
    const status = statusForSqlState(e.code, message, authed);
    return new PgrstError(status, { code: e.code, details: e.detail ?? null, hint: e.hint ?? null, message },
      status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
  }
  const text = err instanceof Error ? err.message : String(err);
  if (CONNECTION_ERRORS.test(text) || typeof e.code === 'string') {
    // Before a query started (refused) or in the middle of one (terminated): both are retryable.
    const connect = /ECONNREFUSED|connect/i.test(text);
    return pgrst(503, connect ? 'PGRST000' : 'PGRST001',
      connect ? 'Database connection error. Retrying the connection.' : 'Database client error. Retrying the connection.', text);
  }
  throw err;
}
