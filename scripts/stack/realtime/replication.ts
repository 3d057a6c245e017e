// The server's one logical replication stream (pgoutput) from a permanent slot named per stack.
// It resumes from the slot after any disconnect (a Postgres restart included) so nothing
// committed meanwhile is lost, recreates the slot if it disappeared (and says so, so subscribers
// can be told), acknowledges exact LSNs (the library's own acknowledgement is one byte ahead,
// which makes `pg_ctl stop -m fast` wait forever), and drops the slot on a clean stop so a
// stopped stack does not pin WAL.
// PostgreSQL 15 does not save a slot's confirmed position at shutdown unless something else
// dirtied the slot, so after a restart it may replay transactions already handed out: those
// are recognised by their commit LSN and skipped, which keeps delivery exactly-once.
// A connection still being opened is never ended from outside: pg's Client.end() during the
// handshake leaves connect() pending for ever (pg 8.23), so the library's subscribe() never
// settled and a stop right after the start (Ctrl-C during `npm start`) waited for ever; or the
// handshake completed anyway and left a connected client without an error listener.
import pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { describeSlotWait } from './slot-wait.ts';

/** pgoutput with every column left as the text Postgres sent, so values are converted our way. */
class RawTextPgoutputPlugin extends PgoutputPlugin {
  parse(buffer: Buffer): Pgoutput.Message {
    const msg = super.parse(buffer);
    // The parser caches this relation object and decodes later tuples with these parsers.
    if (msg.tag === 'relation') for (const column of msg.columns) column.parser = (raw: unknown) => raw;
    return msg;
  }
}

export interface ReplicationOptions {
  dbUrl: string;
  slotName: string;
  publications: string[];
  log: (line: string) => void;
  /** Every decoded message, in commit order. Must not throw (errors are logged and skipped). */
  onMessage: (msg: Pgoutput.Message) => void;
  /** The slot was gone and had to be recreated: changes committed meanwhile were not seen. */
  onSlotLost: () => void;
}

const lsnToBig = (lsn: string) => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};
const bigToLsn = (n: bigint) => `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long slot creation may wait before the log says what it waits for. */
const SLOW_SLOT_MS = 3_000;

export class ReplicationStream {
  private readonly service: LogicalReplicationService;
  private readonly plugin: RawTextPgoutputPlugin;
  private stopped = false;
  private paused = false;
  private resumeWaiter: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private hadSlot = false;
  /** From subscribe() until the stream is up or the attempt has failed. */
  private connecting = false;
  /** Commit LSN of the last transaction handed out, and whether the current one is a replay. */
  private lastCommitLsn = 0n;
  private replaying = false;
  /** True while the stream is up (for health checks and tests). */
  streaming = false;

  constructor(private readonly opts: ReplicationOptions) {
    this.plugin = new RawTextPgoutputPlugin({ protoVersion: 1, publicationNames: opts.publications });
    this.service = new LogicalReplicationService(
      // The timeout bounds how long a stop waits for a connection being opened.
      { connectionString: opts.dbUrl, application_name: `${opts.slotName}_stream`, connectionTimeoutMillis: 10_000 },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    // Without an 'error' listener a Postgres restart would crash the process.
    this.service.on('error', (err: Error) => this.opts.log(`[realtime] replication connection: ${err.message}`));
    this.service.on('start', () => {
      this.connecting = false;
      this.streaming = true;
      // Stopped or paused while the connection was being set up: do not keep streaming.
      if (this.stopped || this.paused) void this.service.stop().catch(() => {});
    });
    this.service.on('data', (lsn: string, msg: Pgoutput.Message) => this.onData(lsn, msg));
    this.service.on('heartbeat', (lsn: string) => this.acknowledge(lsn));
  }

  /** Creates the slot (if needed) before returning, so every commit from now on is captured. */
  async start(): Promise<void> {
    await this.ensureSlot();
    this.running = this.run();
  }

  private async admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.opts.dbUrl, application_name: `${this.opts.slotName}_admin` });
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  private async ensureSlot(): Promise<void> {
    const existed = await this.admin(async (client) => {
      // pgoutput fails on a publication that does not exist (a migration may drop and recreate one).
      const pubs = await client.query<{ pubname: string }>('select pubname from pg_publication where pubname = any($1)', [this.opts.publications]);
      if (!pubs.rowCount) throw new Error(`none of the publications ${this.opts.publications.join(', ')} exists`);
      this.plugin.options.publicationNames = this.opts.publications.filter((p) => pubs.rows.some((r) => r.pubname === p));
      const { rowCount } = await client.query('select 1 from pg_replication_slots where slot_name = $1', [this.opts.slotName]);
      if (rowCount) return true;
      // Creation waits until every transaction holding an xid (autovacuum's ANALYZE too) has ended.
      const { rows: [{ pid }] } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      const slow = setTimeout(() => void describeSlotWait(this.opts.dbUrl, pid)
        .then((what) => this.opts.log(`[realtime] creating replication slot ${this.opts.slotName}: ${what}`)), SLOW_SLOT_MS);
      try {
        await client.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [this.opts.slotName]);
      } finally {
        clearTimeout(slow);
      }
      return false;
    });
    if (!existed && this.hadSlot) {
      this.opts.log(`[realtime] replication slot ${this.opts.slotName} was lost and has been recreated`);
      this.opts.onSlotLost();
    }
    this.hadSlot = true;
  }

  private async run(): Promise<void> {
    let delay = 250;
    let slotChecked = true; // start() has just made sure of it
    while (!this.stopped) {
      if (this.paused) await new Promise<void>((r) => (this.resumeWaiter = r));
      if (this.stopped) break;
      try {
        if (!slotChecked) await this.ensureSlot();
        slotChecked = false;
        if (this.stopped || this.paused) continue;
        delay = 250;
        // 0/0: always resume from the slot's confirmed position, never from what we last saw.
        this.connecting = true;
        await this.service.subscribe(this.plugin, this.opts.slotName, '0/00000000');
      } catch (err) {
        if (!this.stopped && !this.paused) this.opts.log(`[realtime] replication: ${(err as Error).message}; retrying`);
      }
      this.connecting = false;
      this.streaming = false;
      if (this.stopped || this.paused) continue;
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
  }

  private onData(_lsn: string, msg: Pgoutput.Message): void {
    if (msg.tag === 'begin') this.replaying = msg.commitLsn !== null && lsnToBig(msg.commitLsn) <= this.lastCommitLsn;
    if (!this.replaying || msg.tag === 'relation') {
      try {
        this.opts.onMessage(msg);
      } catch (err) {
        this.opts.log(`[realtime] UnableToBroadcastChanges: ${(err as Error).stack ?? err}`);
      }
    }
    if (msg.tag !== 'commit') return;
    if (!this.replaying && msg.commitLsn) this.lastCommitLsn = lsnToBig(msg.commitLsn);
    this.replaying = false;
    // Everything up to the end of this transaction has been handed out: confirm exactly that.
    if (msg.commitEndLsn) this.acknowledge(msg.commitEndLsn);
  }

  /** Reports `lsn` as flushed. Keep-alives carry the server's send position, so answering them
   * this way also tells `pg_ctl stop -m fast` that this client has caught up. */
  private acknowledge(lsn: string): void {
    if (!this.streaming) return;
    const exact = lsnToBig(lsn);
    if (exact === 0n) return;
    // The library reports `lsn + 1`; hand it one less so Postgres sees the exact position.
    void this.service.acknowledge(bigToLsn(exact - 1n)).catch(() => {});
  }

  /** Stops reading (the slot keeps everything committed meanwhile) until resume(). */
  async pause(): Promise<void> {
    this.paused = true;
    // A connection being opened is stopped by the 'start' handler once it is up.
    if (!this.connecting) await this.service.stop().catch(() => {});
    this.streaming = false;
  }

  resume(): void {
    this.paused = false;
    this.resumeWaiter?.();
    this.resumeWaiter = undefined;
  }

  async stop(opts: { dropSlot: boolean }): Promise<void> {
    this.stopped = true;
    this.resume();
    if (!this.connecting) await this.service.stop().catch(() => {});
    this.streaming = false;
    await this.running?.catch(() => {});
    this.service.removeAllListeners();
    this.service.on('error', () => {});
    if (opts.dropSlot) await this.dropSlot();
  }

  private async dropSlot(): Promise<void> {
    await this.admin(async (client) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const { rows } = await client.query<{ active_pid: number | null }>(
          'select active_pid from pg_replication_slots where slot_name = $1', [this.opts.slotName],
        );
        if (!rows.length) return;
        if (rows[0].active_pid === null) {
          try {
            await client.query('select pg_drop_replication_slot($1)', [this.opts.slotName]);
            return;
          } catch { /* became active again or already gone: look again */ }
        }
        await sleep(100);
      }
      this.opts.log(`[realtime] could not drop replication slot ${this.opts.slotName}: still in use`);
    }).catch((err) => this.opts.log(`[realtime] could not drop replication slot ${this.opts.slotName}: ${(err as Error).message}`));
  }
}
