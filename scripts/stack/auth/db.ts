// Auth's own database connection. Like hosted Supabase Auth it connects as supabase_auth_admin
// (never as an API role), so triggers a project puts on auth.users run with the same rights as in
// production. Timestamps come back as the RFC 3339 strings GoTrue puts in its JSON (UTC, with
// microseconds), not as millisecond Dates.
import pg from 'pg';

const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

/** Postgres' "2024-05-01 10:00:00.123456+00" (session in UTC) → "2024-05-01T10:00:00.123456Z". */
export function pgTimestampToIso(text: string): string {
  return text.replace(' ', 'T').replace(/(\+00(:00)?)?$/, 'Z');
}

export function createAuthPool(superuserUrl: string, max = 10): pg.Pool {
  const url = new URL(superuserUrl);
  url.username = 'supabase_auth_admin';
  url.password = 'postgres';
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max,
    idleTimeoutMillis: 30_000,
    application_name: 'emily-local-auth',
    options: '-c TimeZone=UTC -c search_path=auth',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID) return pgTimestampToIso;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server (Postgres restarted) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export type Db = pg.Pool | pg.PoolClient;

/** Runs `fn` in one transaction; commits on success, rolls back on any error. */
export async function transaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let ok = false;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    ok = true;
    return result;
  } finally {
    let broken = false;
    if (!ok) await client.query('rollback').catch(() => { broken = true; });
    client.release(broken);
  }
}
