// Direct Postgres access for the functions (SUPABASE_DB_URL, which the host provides): one small
// pool per function process. Direct SQL rather than REST because the widget's hot path needs a few
// statements in one transaction (store the visitor message idempotently, load the context) and
// every round trip counts against time-to-first-token. This connection bypasses RLS, like the
// service role, so each function checks who may do what itself.
import postgres from 'npm:postgres@3.4.9';
import { env } from './env.ts';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
export type JsonValue = postgres.JSONValue;

let pool: Sql | undefined;

export function sql(): Sql {
  if (!pool) {
    const url = env.dbUrl();
    if (!url) throw new Error('SUPABASE_DB_URL is not set');
    // Supavisor's transaction mode (port 6543) cannot keep prepared statements across transactions.
    const prepare = !/:6543\//.test(url);
    pool = postgres(url, {
      max: Number(Deno.env.get('EMILY_DB_POOL_SIZE') ?? 5),
      idle_timeout: 30,
      connect_timeout: 10,
      prepare,
      onnotice: () => {},
      connection: { application_name: 'emily-functions' },
    });
  }
  return pool;
}
