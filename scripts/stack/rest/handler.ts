// One /rest/v1 request from start to answer: action and auth, schema and query parameters,
// a plan checked against the schema cache, then ONE transaction as the JWT's role that runs one
// statement (plus EXPLAIN for planned counts), and PostgREST's answer for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import { asRole } from '../db.ts';
import { readProjectConfig } from '../project-config.ts';
import { authenticate, type AuthResult } from './auth.ts';
import {
  columnNotFound, fromDatabaseError, invalidPreferences, invalidPutFilters, maxAffectedViolation, PgrstError,
  putLimitNotAllowed, putMatchingPk, schemaCacheUnavailable, singularityError, tableNotFound, unacceptableFilter,
} from './errors.ts';
import { contentTypeOf, negotiate, type Output } from './media.ts';
import { deleteSql, insertSql, updateSql } from './mutate-sql.ts';
import { ALL_ROWS, type ReadNode, type ResolvedLogic } from './plan-types.ts';
import { parsePreferences, preferenceApplied, type Preferences } from './preferences.ts';
import { parseQueryParams, topLevelRange, type QueryParams } from './query-params.ts';
import { buildReadPlan } from './read-plan.ts';
import {
  actionOf, contentTypeIsJson, parseJsonBody, readRequestBody, requestCookies, requestHeaders, schemaOf, searchPathOf,
  type Action, type ParsedBody,
} from './request.ts';
import { applyGucs, contentRange, errorAnswer, rangeStatus, send, type Answer } from './response.ts';
import { callSql, findRoutine, resultTable, type CallArgs } from './rpc.ts';
import { tableKey, type Column, type SchemaCache, type Table } from './schema-cache.ts';
import type { SchemaStore } from './schema-store.ts';
import { Params, qualified } from './sql.ts';
import { callStatement, decodeRow, plannedCountStatement, readStatement, writeStatement, type ResultRow } from './statement.ts';
import { openApiDocument } from './openapi.ts';

export interface RestDeps {
  config: StackConfig;
  pool: pg.Pool;
  store: SchemaStore;
  log: (line: string) => void;
}

/** Codes that may mean "the schema changed since the cache was loaded". */
const STALE_CACHE_CODES = new Set(['PGRST200', 'PGRST202', 'PGRST204', 'PGRST205', '42703']);

interface Request {
  req: IncomingMessage;
  /** When the request arrived: names created before then must be found. */
  arrived: number;
  deps: RestDeps;
  action: Action;
  auth: AuthResult;
  schema: string;
  negotiated: boolean;
  params: QueryParams;
  prefs: Preferences;
  output: Output;
  pathname: string;
  maxRows?: number;
  extraSearchPath: string[];
}

export async function handleRest(deps: RestDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    const answer = await handle(deps, req, path);
    send(res, answer, method === 'HEAD');
  } catch (err) {
    let pgrstErr: PgrstError;
    try {
      pgrstErr = fromDatabaseError(err, false);
    } catch {
      deps.log(`· REST ${method} ${path}: ${(err as Error)?.stack ?? String(err)}`);
      pgrstErr = new PgrstError(500, { code: 'PGRSTX00', details: null, hint: null, message: 'Internal server error' });
    }
    send(res, errorAnswer(pgrstErr), method === 'HEAD');
  }
}

async function handle(deps: RestDeps, req: IncomingMessage, path: string): Promise<Answer> {
  const arrived = Date.now();
  const url = new URL(path, 'http://rest.local');
  const action = actionOf(req.method ?? 'GET', url.pathname);
  const auth = authenticate(req, deps.config.jwtSecret);
  let cache: SchemaCache;
  try {
    cache = await deps.store.get();
  } catch {
    throw schemaCacheUnavailable();
  }
  const { schema, negotiated } = schemaOf(req, cache.schemas);
  const isRpcRead = action.kind === 'call' && action.method !== 'POST';
  const params = parseQueryParams(url.search.slice(1), isRpcRead);
  const prefs = parsePreferences(req.headers.prefer);
  if (prefs.handling === 'strict' && prefs.invalid.length) throw invalidPreferences(prefs.invalid);
  const output = negotiate(header(req, 'accept'));
  const project = projectApiSettings();
  const r: Request = {
    req, arrived, deps, action, auth, schema, negotiated, params, prefs, output, pathname: url.pathname,
    maxRows: project.api.maxRows > 0 ? project.api.maxRows : undefined,
    extraSearchPath: project.api.extraSearchPath,
  };
  try {
    switch (action.kind) {
      case 'root': return rootAnswer(r, cache);
      case 'read': return await read(r, action, cache);
      case 'call': return await call(r, action, cache);
      default: return await mutate(r, action, cache);
    }
  } catch (err) {
    // Database errors depend on who asked: 42501 is 401 for anon, 403 for a signed-in role.
    throw fromDatabaseError(err, auth.authed);
  }
}

let projectCache: { at: number; api: ReturnType<typeof readProjectConfig>['api'] } | undefined;

/** `[api]` of supabase/config.toml, re-read at most once a second (edits apply without a restart). */
function projectApiSettings(): { api: ReturnType<typeof readProjectConfig>['api'] } {
  if (!projectCache || Date.now() - projectCache.at > 1000) projectCache = { at: Date.now(), api: readProjectConfig().api };
  return projectCache;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Plans against the cache; when a name is unknown, once more against a cache loaded since the request arrived. */
async function withFreshCache<T>(r: Request, cache: SchemaCache, plan: (cache: SchemaCache) => T): Promise<T> {
  try {
    return plan(cache);
  } catch (err) {
    if (!(err instanceof PgrstError) || !STALE_CACHE_CODES.has(err.body.code)) throw err;
    const fresh = await r.deps.store.freshSince(r.arrived).catch(() => cache);
    if (fresh === cache) throw err;
    return plan(fresh);
  }
}

function findTable(cache: SchemaCache, schema: string, name: string): Table {
  const table = cache.tables.get(tableKey(schema, name));
  if (!table) {
    throw tableNotFound(schema, name, [...cache.tables.values()].filter((t) => t.schema === schema).map((t) => t.name));
  }
  return table;
}

/** One transaction as the request's role, with PostgREST's per-request settings. */
function transaction<T>(r: Request, cache: SchemaCache, readOnly: boolean, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

async function runStatement(client: pg.PoolClient, sql: string, p: Params): Promise<ResultRow> {
  const result = await client.query({ text: sql, values: p.values });
  return decodeRow(result.rows[0]);
}

async function plannedRows(client: pg.PoolClient, node: ReadNode): Promise<number | null> {
  const p = new Params();
  const result = await client.query({ text: plannedCountStatement(node, p), values: p.values });
  const plan = result.rows[0]?.['QUERY PLAN'];
  const rows = Array.isArray(plan) ? plan[0]?.Plan?.['Plan Rows'] : undefined;
  return typeof rows === 'number' ? rows : null;
}

function baseHeaders(r: Request, output?: Output): Record<string, string> {
  const headers: Record<string, string> = {};
  if (output) headers['Content-Type'] = contentTypeOf(output);
  if (r.negotiated) headers['Content-Profile'] = r.schema;
  return headers;
}

function countPreference(prefs: Preferences) {
  return { count: prefs.count, transaction: prefs.transaction, handling: prefs.handling, maxAffected: prefs.maxAffected };
}

// ---- GET / HEAD on a table or view --------------------------------------------------------------

async function read(r: Request, action: Extract<Action, { kind: 'read' }>, cache: SchemaCache): Promise<Answer> {
  const topRange = topLevelRange(r.params, r.req.method === 'GET' ? header(r.req, 'range') : undefined);
  const { node, table } = await withFreshCache(r, cache, (c) => {
    const table = findTable(c, r.schema, action.relation);
    const node = buildReadPlan(c, { table, fromSql: qualified(table.schema, table.name) }, r.params, { maxRows: r.maxRows, topRange });
    return { node, table };
  });
  const count = r.prefs.count;
  const row = await transaction(r, cache, true, async (client) => {
    const p = new Params();
    const sql = readStatement(node, { output: r.output, none: action.head }, count === 'planned' ? undefined : count, p, r.maxRows);
    const result = await runStatement(client, sql, p);
    failNotSingular(r.output, result);
    if (count === 'planned' || (count === 'estimated' && r.maxRows !== undefined && Number(result.total) > r.maxRows)) {
      const planned = await plannedRows(client, node);
      if (planned !== null) result.total = String(count === 'planned' ? planned : Math.max(planned, Number(result.total)));
    }
    return result;
  });
  const { status, contentRange: range } = rangeStatus(topRange.lower, row.pageTotal, row.total);
  const headers: Record<string, string> = {
    'Content-Range': range,
    'Content-Location': `/${table.name}${r.params.canonical ? `?${r.params.canonical}` : ''}`,
    ...baseHeaders(r, r.output),
  };
  const applied = preferenceApplied(countPreference(r.prefs));
  if (applied) headers['Preference-Applied'] = applied;
  if (status === 416) {
    const err = new PgrstError(416, {
      code: 'PGRST103', message: 'Requested range not satisfiable', hint: null,
      details: `An offset of ${topRange.lower} was requested, but there are only ${row.total ?? 0} rows.`,
    });
    const answer = errorAnswer(err);
    return { ...answer, headers: { ...answer.headers, 'Content-Range': range } };
  }
  return applyGucs({ status, headers, body: action.head ? '' : row.body }, row.responseStatus, row.responseHeaders);
}

function failNotSingular(output: Output, row: ResultRow) {
  if (output.kind === 'single' && row.pageTotal !== 1) throw singularityError(row.pageTotal);
}

// ---- POST / PATCH / DELETE / PUT on a table -----------------------------------------------------

function payloadColumns(table: Table, keys: string[]): Column[] {
  return keys.map((k) => {
    const col = table.columns.get(k);
    if (!col) throw columnNotFound(table.name, k);
    return col;
  });
}

/** Columns the representation needs from the written rows (PostgREST's `returnings`). */
function returningColumns(node: ReadNode): string[] {
  const cols = new Set<string>();
  if (node.select.some((s) => s.kind === 'star') || (node.select.length === 0 && node.children.length === 0)) {
    for (const c of node.table.columnList) cols.add(c.name);
  }
  for (const s of node.select) if (s.kind === 'field') cols.add(s.field.column);
  for (const child of node.children) {
    if (child.rel?.cardinality === 'm2m') child.rel.junction?.sourceColumns.forEach(([, c]) => cols.add(c));
    else child.rel?.columns.forEach(([c]) => cols.add(c));
  }
  for (const o of node.order) if (!o.child) cols.add(o.field.column);
  return [...cols];
}

function rootWhere(node: ReadNode): ResolvedLogic[] {
  const check = (t: ResolvedLogic): void => {
    if (t.kind === 'null-embed') throw unacceptableFilter(t.child.relAlias ?? t.child.relName);
    if (t.kind === 'expr') t.children.forEach(check);
  };
  node.where.forEach(check);
  return node.where;
}

async function mutate(r: Request, action: Extract<Action, { kind: 'insert' | 'update' | 'delete' | 'upsert' }>, cache: SchemaCache): Promise<Answer> {
  const needsBody = action.kind !== 'delete';
  let body: ParsedBody | undefined;
  if (needsBody) {
    const text = await readRequestBody(r.req, r.deps.config.maxBodyBytes);
    body = parseJsonBody(text, { columnsGiven: r.params.columns !== undefined });
  }
  if (action.kind === 'upsert' && r.params.ranges.has('')) throw putLimitNotAllowed();
  const rep = r.prefs.representation;
  const representation = rep === 'full';

  const planned = await withFreshCache(r, cache, (c) => {
    const table = findTable(c, r.schema, action.relation);
    const node = buildReadPlan(c, { table, fromSql: 'pgrst_source', alias: table.name }, r.params, { topRange: ALL_ROWS });
    const keys = body ? r.params.columns ?? body.keys : [];
    const columns = payloadColumns(table, keys);
    let returning = representation ? returningColumns(node) : [];
    if (rep === 'headers-only' && action.kind === 'insert') returning = [...table.pk];
    return { table, node, columns, returning };
  });
  const { table, node, columns, returning } = planned;
  const p = new Params();
  let mutation: string;
  let upsertMerge = false;
  let resolutionApplied: Preferences['resolution'];
  switch (action.kind) {
    case 'insert':
    case 'upsert': {
      let onConflict: { resolution: 'merge-duplicates' | 'ignore-duplicates'; columns: string[] } | undefined;
      if (action.kind === 'upsert') {
        onConflict = { resolution: 'merge-duplicates', columns: table.pk };
        checkPutFilters(table, node, body!);
      } else if (r.prefs.resolution) {
        const conflictCols = r.params.onConflict ?? table.pk;
        for (const c of conflictCols) if (!table.columns.has(c)) throw undefinedColumnOnConflict(c);
        onConflict = { resolution: r.prefs.resolution, columns: conflictCols };
        if (r.params.onConflict || table.pk.length) resolutionApplied = r.prefs.resolution;
      }
      upsertMerge = onConflict?.resolution === 'merge-duplicates' && onConflict.columns.length > 0;
      mutation = insertSql({
        table, columns, body: body!, applyDefaults: r.prefs.missing === 'default', onConflict, returning,
      }, p);
      break;
    }
    case 'update':
      mutation = updateSql({ table, columns, body: body!, where: rootWhere(node), returning }, p);
      break;
    case 'delete':
      mutation = deleteSql({ table, where: rootWhere(node), returning }, p);
      break;
  }
  const locationKeys = action.kind === 'insert' && rep === 'headers-only' ? table.pk : undefined;
  const sql = writeStatement({ mutation, node, shape: { output: r.output, none: !representation }, p, locationKeys, upsertMerge });

  const row = await transaction(r, cache, false, async (client) => {
    const result = await runStatement(client, sql, p);
    failNotSingular(r.output, result);
    if (r.prefs.handling === 'strict' && r.prefs.maxAffected !== undefined && (action.kind === 'update' || action.kind === 'delete')
      && result.pageTotal > r.prefs.maxAffected) {
      throw maxAffectedViolation(result.pageTotal);
    }
    return result;
  });

  const counted = r.prefs.count === 'exact' || r.prefs.count === 'planned' || r.prefs.count === 'estimated';
  const total = counted ? String(row.pageTotal) : null;
  const headers: Record<string, string> = representation ? baseHeaders(r, r.output) : {};
  const applied = preferenceApplied({
    resolution: resolutionApplied, missing: r.prefs.missing, representation: rep, count: r.prefs.count,
    transaction: r.prefs.transaction, handling: r.prefs.handling, maxAffected: r.prefs.maxAffected,
  });
  if (applied) headers['Preference-Applied'] = applied;
  let status: number;
  if (action.kind === 'insert') {
    headers['Content-Range'] = contentRange(1, 0, total);
    if (row.location && row.location.length) {
      headers.Location = `/${encodeURIComponent(table.name)}?${row.location.map(locationPair).join('&')}`;
    }
    status = upsertMerge && (row.inserted ?? 0) <= 0 ? 200 : 201;
  } else if (action.kind === 'upsert') {
    status = representation ? ((row.inserted ?? 0) > 0 ? 201 : 200) : 204;
  } else {
    headers['Content-Range'] = action.kind === 'update' ? contentRange(0, row.pageTotal - 1, total) : contentRange(1, 0, total);
    status = representation ? 200 : 204;
  }
  return applyGucs({ status, headers, body: representation ? row.body : undefined }, row.responseStatus, row.responseHeaders);
}

function locationPair(kv: string): string {
  const eq = kv.indexOf('=');
  return `${encodeURIComponent(kv.slice(0, eq))}=${encodeURIComponent(kv.slice(eq + 1)).replace(/%2C/gi, ',')}`;
}

function undefinedColumnOnConflict(column: string): PgrstError {
  return new PgrstError(400, { code: '42703', details: null, hint: null, message: `column "${column}" does not exist` });
}

/** PUT: the filters must be `eq` on exactly the primary key, matching the single payload row. */
function checkPutFilters(table: Table, node: ReadNode, body: ParsedBody) {
  const eqs = new Map<string, string>();
  for (const w of node.where) {
    if (w.kind !== 'filter' || w.not || w.field.json.length || w.operation.kind !== 'quant' || w.operation.op !== 'eq' || w.operation.quantifier) {
      throw invalidPutFilters();
    }
    eqs.set(w.field.column, w.operation.value);
  }
  if (!table.pk.length || eqs.size !== table.pk.length || !table.pk.every((c) => eqs.has(c))) throw invalidPutFilters();
  const rows = Array.isArray(body.value) ? body.value : [body.value];
  if (rows.length !== 1) throw putMatchingPk();
  const row = rows[0] as Record<string, unknown>;
  for (const c of table.pk) if (row[c] === undefined || String(row[c]) !== eqs.get(c)) throw putMatchingPk();
}

// ---- /rpc/NAME ----------------------------------------------------------------------------------

async function call(r: Request, action: Extract<Action, { kind: 'call' }>, cache: SchemaCache): Promise<Answer> {
  const isPost = action.method === 'POST';
  const contentIsJson = contentTypeIsJson(r.req);
  let body: ParsedBody | undefined;
  if (isPost) {
    const text = await readRequestBody(r.req, r.deps.config.maxBodyBytes);
    body = parseJsonBody(text, { emptyAsObject: true, columnsGiven: r.params.columns !== undefined });
  }
  const queryArgs = new Map<string, string[]>();
  for (const [k, v] of r.params.rpcArgs) queryArgs.set(k, [...(queryArgs.get(k) ?? []), v]);
  const keys = new Set(isPost ? r.params.columns ?? body!.keys : queryArgs.keys());
  const topRange = topLevelRange(r.params, action.method === 'GET' ? header(r.req, 'range') : undefined);

  const { routine, node } = await withFreshCache(r, cache, (c) => {
    const routine = findRoutine(c, r.schema, action.fn, keys, isPost, contentIsJson);
    const table = resultTable(routine);
    const node = buildReadPlan(c, { table, fromSql: 'pgrst_source', alias: table.name }, r.params, { maxRows: r.maxRows, topRange });
    return { routine, node };
  });
  const singleUnnamed = routine.params.length === 1 && routine.params[0].name === '';
  const args: CallArgs = !isPost ? { kind: 'query', values: queryArgs }
    : singleUnnamed ? { kind: 'single', raw: body!.raw }
      : { kind: 'json', body: body! };
  const readOnly = !isPost || routine.volatility !== 'volatile';
  const shape = { output: r.output, scalar: !routine.returnsComposite, single: !routine.returnsSet, none: action.method === 'HEAD' };
  const count = r.prefs.count;

  const row = await transaction(r, cache, readOnly, async (client) => {
    const p = new Params();
    const sql = callStatement({ call: callSql(routine, args, p), node, shape, count: count === 'planned' ? undefined : count, p, maxRows: r.maxRows });
    const result = await runStatement(client, sql, p);
    failNotSingular(r.output, result);
    return result;
  });
  const { status, contentRange: range } = rangeStatus(topRange.lower, row.pageTotal, row.total);
  const headers: Record<string, string> = { 'Content-Range': range };
  const applied = preferenceApplied(countPreference(r.prefs));
  if (applied) headers['Preference-Applied'] = applied;
  if (routine.returnsVoid) return applyGucs({ status: 204, headers }, row.responseStatus, row.responseHeaders);
  Object.assign(headers, baseHeaders(r, r.output));
  return applyGucs({ status, headers, body: action.method === 'HEAD' ? '' : row.body }, row.responseStatus, row.responseHeaders);
}

// ---- GET / ----------------------------------------------------------------------------------------

function rootAnswer(r: Request, cache: SchemaCache): Answer {
  const body = JSON.stringify(openApiDocument(cache, r.schema, header(r.req, 'host') ?? 'localhost'));
  return { status: 200, headers: { 'Content-Type': 'application/openapi+json; charset=utf-8', ...(r.negotiated ? { 'Content-Profile': r.schema } : {}) }, body };
}
