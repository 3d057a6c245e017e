// /rest/v1: a PostgREST 12/13-compatible API over the exposed schemas, as supabase-js's
// postgrest-js speaks to it. Schema cache (schema-store.ts), query grammar (grammar.ts), plans
// checked against the cache (read-plan.ts), SQL with bind parameters only (sql.ts, read-sql.ts,
// mutate-sql.ts, rpc.ts, statement.ts), and PostgREST's answers and errors (handler.ts, errors.ts).
import { readProjectConfig } from '../project-config.ts';
import type { GatewayService, StackContext } from '../service.ts';
import { handleRest } from './handler.ts';
import { SchemaStore } from './schema-store.ts';

/** `[api] schemas` of supabase/config.toml, then the stack's extra (test fixture) schemas. */
export function exposedSchemas(extra: string[]): string[] {
  return [...new Set([...readProjectConfig().api.schemas, ...extra])];
}

export function createRestService(ctx: StackContext): GatewayService {
  const store = new SchemaStore({
    dbUrl: ctx.dbUrl,
    schemas: () => exposedSchemas(ctx.config.extraApiSchemas),
    log: ctx.log,
  });
  store.start();
  const deps = { config: ctx.config, pool: ctx.pool, store, log: (line: string) => console.error(line) };
  return {
    prefix: '/rest/v1',
    cors: true,
    requiresApiKey: true,
    handle: (req, res, path) => handleRest(deps, req, res, path),
    close: () => store.close(),
  };
}
