// What every /rest/v1 action shares: the request as parsed, planning against a schema cache
// that is refreshed when a name is unknown, the one transaction as the JWT's role with
// PostgREST's per-request settings, and the headers common to answers.
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import { asRole } from '../db.ts';
import type { AuthResult } from './auth.ts';
import { PgrstError, singularityError, tableNotFound } from './errors.ts';
import { contentTypeOf, type Output } from './media.ts';
import type { ReadNode } from './plan-types.ts';
import type { Preferences } from './preferences.ts';
import type { QueryParams } from './query-params.ts';
import { requestCookies, requestHeaders, searchPathOf, type Action } from './request.ts';
import { tableKey, type SchemaCache, type Table } from './schema-cache.ts';
import type { SchemaStore } from './schema-store.ts';
import { Params } from './sql.ts';
import { decodeRow, plannedCountStatement, type ResultRow } from './statement.ts';

export interface RestDeps {
  config: StackConfig;
  pool: pg.Pool;
  store: SchemaStore;
  log: (line: string) => void;
}

export interface RestRequest {
  req: IncomingMessage;
  /** When the request arrived: names created before then must be found. */
  arrived: number;
  deps: RestDeps;
  action: Action;
  auth: AuthResult;
  schema: string;
  /** True when the schema was chosen by a profile header (or several are exposed). */
  negotiated: boolean;
  params: QueryParams;
  prefs: Preferences;
  output: Output;
  pathname: string;
  maxRows?: number;
  extraSearchPath: string[];
}

/** Codes that may mean "the schema changed since the cache was loaded". */
const STALE_CACHE_CODES = new Set(['PGRST200', 'PGRST202', 'PGRST204', 'PGRST205', '42703']);

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Plans against the cache; when a name is unknown, once more against a cache loaded since the request arrived. */
export async function withFreshCache<T>(r: RestRequest, cache: SchemaCache, plan: (cache: SchemaCache) => T): Promise<T> {
  try {
    return plan(cache);
  } catch (err) {
    if (!(err instanceof PgrstError) || !STALE_CACHE_CODES.has(err.body.code)) throw err;
    const fresh = await r.deps.store.freshSince(r.arrived).catch(() => cache);
    if (fresh === cache) throw err;
    return plan(fresh);
  }
}

export function findTable(cache: SchemaCache, schema: string, name: string): Table {
  const table = cache.tables.get(tableKey(schema, name));
  if (!table) {
    throw tableNotFound(schema, name, [...cache.tables.values()].filter((t) => t.schema === schema).map((t) => t.name));
  }
  return table;
}

/** One transaction as the request's role, with PostgREST's per-request settings. */
export function transaction<T>(r: RestRequest, cache: SchemaCache, readOnly: boolean, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return asRole(r.deps.pool, r.auth.claims, fn, {
    readOnly,
    rollback: r.prefs.transaction === 'rollback',
    request: { method: r.req.method, path: r.pathname, headers: requestHeaders(r.req) },
    settings: {
      ...(cache.roleSettings.get(r.auth.role) ?? {}),
      search_path: searchPathOf(r.schema, r.extraSearchPath),
      'request.cookies': JSON.stringify(requestCookies(r.req)),
    },
  });
}

export async function runStatement(client: pg.PoolClient, sql: string, p: Params): Promise<ResultRow> {
  const result = await client.query({ text: sql, values: p.values });
  return decodeRow(result.rows[0]);
}

/** The planner's row estimate for the read (Prefer: count=planned). */
export async function plannedRows(client: pg.PoolClient, node: ReadNode): Promise<number | null> {
  const p = new Params();
  const result = await client.query({ text: plannedCountStatement(node, p), values: p.values });
  const plan = result.rows[0]?.['QUERY PLAN'];
  const rows = Array.isArray(plan) ? plan[0]?.Plan?.['Plan Rows'] : undefined;
  return typeof rows === 'number' ? rows : null;
}

export function baseHeaders(r: RestRequest, output?: Output): Record<string, string> {
  const headers: Record<string, string> = {};
  if (output) headers['Content-Type'] = contentTypeOf(output);
  if (r.negotiated) headers['Content-Profile'] = r.schema;
  return headers;
}

/** The preferences a read or a call honours (for Preference-Applied). */
export function countPreference(prefs: Preferences) {
  return { count: prefs.count, transaction: prefs.transaction, handling: prefs.handling, maxAffected: prefs.maxAffected };
}

/** `Accept: application/vnd.pgrst.object+json` needs exactly one row (else 406, rolled back). */
export function failNotSingular(output: Output, row: ResultRow) {
  if (output.kind === 'single' && row.pageTotal !== 1) throw singularityError(row.pageTotal);
}
