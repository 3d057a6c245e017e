// Row visibility under RLS for Postgres Changes: may these users SELECT this changed row? Checked
// the way Supabase's apply_rls does (select exists(… where pk = …) as the user's role with their
// claims), for every distinct set of claims at once, in one round trip and a rolled-back
// transaction.
import pg from 'pg';
import { isConnectionError } from './db-errors.ts';
import type { TextRow } from './db-broadcast.ts';
import type { RelationInfo } from './pg-relations.ts';

/** How many 2 ms waits for a just-decoded transaction to become visible (it takes microseconds). */
const MAX_VISIBILITY_WAITS = 500;
const TIMEOUT = "set local statement_timeout = '5s'";

const lit = (v: string) => pg.escapeLiteral(v);
const ident = (v: string) => pg.escapeIdentifier(v);

/**
 * True once transaction `xid` (32 bits) is visible to new snapshots: the 64-bit id is rebuilt
 * from the current snapshot's epoch (one less if the counter wrapped since).
 */
function committedSql(xid: number): string {
  const xmax = 'pg_snapshot_xmax(pg_current_snapshot())::text::bigint';
  const epoch = `((${xmax} >> 32) - (case when ${xid}::bigint > (${xmax} & 4294967295) then 1 else 0 end))`;
  return `select pg_visible_in_snapshot(((${epoch} << 32) | ${xid}::bigint)::text::xid8, pg_current_snapshot()) as committed`;
}

function settingsSql(role: string, claims: string): string {
  const sub = String((JSON.parse(claims) as { sub?: unknown }).sub ?? '');
  return `select set_config('role', ${lit(role)}, true), set_config('request.jwt.claims', ${lit(claims)}, true), ` +
    `set_config('request.jwt.claim.sub', ${lit(sub)}, true), set_config('request.jwt.claim.role', ${lit(role)}, true)`;
}

/**
 * The subset of `claimsList` (JSON texts, all of role `role`) that may select `row`. A commit
 * reaches the WAL, and so this stream, a moment before other sessions can see it: the batch
 * first checks that transaction `xid` is visible and is retried until it is, or the row would
 * look forbidden to everyone. A policy that fails hides the row from that user only.
 */
export async function visibleTo(pool: pg.Pool, info: RelationInfo, row: TextRow, xid: number, role: string, claimsList: string[]): Promise<Set<string>> {
  const where = info.pk.map((c) => {
    const column = info.columns.find((x) => x.name === c)!;
    const value = row[c];
    return value == null ? `${ident(c)} is null` : `${ident(c)} = ${lit(value)}::${column.sqlType}`;
  }).join(' and ');
  const probe = `select exists(select 1 from ${ident(info.schema)}.${ident(info.table)} where ${where}) as visible`;
  const batch = (claims: string[]) =>
    ['begin', TIMEOUT, committedSql(xid), ...claims.flatMap((c) => [settingsSql(role, c), probe]), 'rollback'].join(';\n');

  const client = await pool.connect();
  let broken = false;
  const allowed = new Set<string>();
  const run = async (claims: string[]) => {
    for (let attempt = 0; ; attempt++) {
      const results = (await client.query(batch(claims))) as unknown as pg.QueryResult[];
      if (results[2].rows[0]?.committed !== true && attempt < MAX_VISIBILITY_WAITS) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      claims.forEach((c, i) => { if (results[4 + i * 2].rows[0]?.visible === true) allowed.add(c); });
      return;
    }
  };
  const rollback = () => client.query('rollback').catch(() => { broken = true; });
  try {
    try {
      await run(claimsList);
    } catch (err) {
      await rollback();
      if (isConnectionError(err)) throw err;
      for (const c of claimsList) {
        try {
          await run([c]);
        } catch (e) {
          await rollback();
          if (isConnectionError(e)) throw e;
        }
      }
    }
  } finally {
    client.release(broken);
  }
  return allowed;
}
