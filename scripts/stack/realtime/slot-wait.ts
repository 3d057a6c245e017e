// Says what a pending pg_create_logical_replication_slot() waits for, so a slow start-up explains
// itself. Postgres starts logical decoding only once every transaction that held a transaction id
// when the creation began (and those begun while it builds its snapshot) has ended; it then logs
// its own running-xacts record, so the wait lasts exactly as long as those transactions.
import pg from 'pg';

interface Holder { pid: number; who: string; query: string; seconds: string }

/** One line: the sessions holding a transaction id, or what the creating backend waits on. */
export async function describeSlotWait(dbUrl: string, creatorPid: number): Promise<string> {
  const client = new pg.Client({ connectionString: dbUrl, application_name: 'emily_realtime_slot_wait', connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows: holders } = await client.query<Holder>(
      `select pid, coalesce(nullif(application_name, ''), backend_type) as who, left(query, 80) as query,
              round(extract(epoch from now() - xact_start)::numeric, 1)::text as seconds
         from pg_stat_activity where backend_xid is not null and pid <> $1 order by xact_start`, [creatorPid]);
    const { rows: [creator] } = await client.query<{ wait: string | null }>(
      `select wait_event_type || ':' || wait_event as wait from pg_stat_activity where pid = $1`, [creatorPid]);
    const waitsOn = creator?.wait ? ` (creating backend waits on ${creator.wait})` : '';
    if (!holders.length) return `still waiting, no session holds a transaction id now${waitsOn}`;
    const list = holders.map((h) => `pid ${h.pid} ${h.who} "${h.query.replace(/\s+/g, ' ')}" open ${h.seconds} s`).join('; ');
    return `waiting for ${holders.length} transaction(s) holding a transaction id to end${waitsOn}: ${list}`;
  } catch (err) {
    return `still waiting (could not look at pg_stat_activity: ${(err as Error).message})`;
  } finally {
    void client.end().catch(() => {});
  }
}
