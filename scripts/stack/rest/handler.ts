// One /rest/v1 request from start to answer: action and auth, schema and query parameters,
// then the action (read-action.ts, write-action.ts, call-action.ts), each a plan checked against
// the schema cache and ONE transaction as the JWT's role; errors become PostgREST's answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readProjectConfig } from '../project-config.ts';
import { authenticate } from './auth.ts';
import { call } from './call-action.ts';
import { header, type RestDeps, type RestRequest } from './context.ts';
import { fromDatabaseError, invalidPreferences, PgrstError, schemaCacheUnavailable } from './errors.ts';
import { negotiate } from './media.ts';
import { openApiDocument } from './openapi.ts';
import { parsePreferences } from './preferences.ts';
import { parseQueryParams } from './query-params.ts';
import { read } from './read-action.ts';
import { actionOf, schemaOf } from './request.ts';
import { errorAnswer, send, type Answer } from './response.ts';
import type { SchemaCache } from './schema-cache.ts';
import { mutate } from './write-action.ts';

export type { RestDeps };

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
  const r: RestRequest = {
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
    // Postgres itself found a name missing that the cache listed (dropped since): refresh it.
    const code = (err as { code?: unknown })?.code;
    if (!(err instanceof PgrstError) && typeof code === 'string' && SCHEMA_CHANGED_CODES.has(code)) {
      deps.store.freshSince(Date.now()).catch(() => {});
    }
    // Database errors depend on who asked: 42501 is 401 for anon, 403 for a signed-in role.
    throw fromDatabaseError(err, auth.authed);
  }
}

/** undefined_column, undefined_table, undefined_function raised by Postgres while running a request. */
const SCHEMA_CHANGED_CODES = new Set(['42703', '42P01', '42883']);

let projectCache: { at: number; api: ReturnType<typeof readProjectConfig>['api'] } | undefined;

/** `[api]` of supabase/config.toml, re-read at most once a second (edits apply without a restart). */
function projectApiSettings(): { api: ReturnType<typeof readProjectConfig>['api'] } {
  if (!projectCache || Date.now() - projectCache.at > 1000) projectCache = { at: Date.now(), api: readProjectConfig().api };
  return projectCache;
}

function rootAnswer(r: RestRequest, cache: SchemaCache): Answer {
  const body = JSON.stringify(openApiDocument(cache, r.schema, header(r.req, 'host') ?? 'localhost'));
  return { status: 200, headers: { 'Content-Type': 'application/openapi+json; charset=utf-8', ...(r.negotiated ? { 'Content-Profile': r.schema } : {}) }, body };
}
