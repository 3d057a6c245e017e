// Database access for the API services. Like PostgREST, the stack connects as `authenticator`
// and runs each request in one transaction as the JWT's role with the JWT's claims set, so the
// project's real RLS policies decide what a request may see and do.
import pg from 'pg';
import type { Claims } from './jwt.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(connectionString: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: 'emily-local-api' });
  // An idle client that loses its server (Postgres restarted) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/** The API roles a JWT may name; anything else is refused before it reaches Postgres. */
export const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);

export interface RequestInfo {
  method?: string;
  path?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Runs `fn` inside one transaction as `role` with `request.jwt.claims` (and the legacy
 * `request.jwt.claim.*` settings) set, exactly as PostgREST does. Commits on success,
 * rolls back on error or when `rollback` is true (used for authorisation probes).
 */
export async function asRole<T>(
  pool: pg.Pool,
  claims: Claims,
  fn: (client: pg.PoolClient) => Promise<T>,
  opts: { readOnly?: boolean; rollback?: boolean; request?: RequestInfo; settings?: Record<string, string> } = {},
): Promise<T> {
  const role = String(claims.role ?? 'anon');
  if (!API_ROLES.has(role)) throw Object.assign(new Error(`role "${role}" does not exist`), { code: '22023' });
  const client = await pool.connect();
  let ok = false;
  try {
    const settings: Record<string, string> = {
      role,
      'request.jwt.claims': JSON.stringify(claims),
      'request.jwt.claim.role': role,
      'request.jwt.claim.sub': typeof claims.sub === 'string' ? claims.sub : '',
      'request.jwt.claim.email': typeof claims.email === 'string' ? claims.email : '',
      'request.method': opts.request?.method ?? '',
      'request.path': opts.request?.path ?? '',
      'request.headers': JSON.stringify(opts.request?.headers ?? {}),
      ...opts.settings,
    };
    // BEGIN and the settings travel as one simple-protocol query: one round trip instead of two on
    // every API request. Values are quoted with escapeLiteral (claims carry user-controlled metadata).
    const assignments = Object.entries(settings)
      .map(([name, value]) => `set_config(${client.escapeLiteral(name)}, ${client.escapeLiteral(value)}, true)`)
      .join(', ');
    await client.query(`${opts.readOnly ? 'begin isolation level read committed read only' : 'begin'}; select ${assignments}`);
    const result = await fn(client);
    await client.query(opts.rollback ? 'rollback' : 'commit');
    ok = true;
    return result;
  } finally {
    let broken = false;
    if (!ok) await client.query('rollback').catch(() => { broken = true; });
    // A connection that cannot even roll back (server gone) is discarded, not reused.
    client.release(broken);
  }
}
