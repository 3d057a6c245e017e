// Keeps the schema cache current: loads it at start, reloads on `NOTIFY pgrst, 'reload schema'`
// (LISTEN on a dedicated connection that reconnects after a Postgres restart), and, at most once
// per second, when a request names a relation or function the cache does not know, so a table
// created after start-up is found without a restart or a NOTIFY.
import pg from 'pg';
import { loadSchemaCache, type SchemaCache } from './schema-cache.ts';

const STALE_RELOAD_INTERVAL_MS = 1000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

export interface SchemaStoreOptions {
  dbUrl: string;
  /** The exposed schemas, read again at every load (supabase/config.toml may change). */
  schemas: () => string[];
  log: (line: string) => void;
}

export class SchemaStore {
  private cache?: SchemaCache;
  private loading?: Promise<SchemaCache>;
  private lastLoadStart = 0;
  private listener?: pg.Client;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = RECONNECT_MIN_MS;
  private closed = false;
  private listenedBefore = false;

  constructor(private opts: SchemaStoreOptions) {}

  start(): void {
    void this.reload().catch(() => {});
    this.listen();
  }

  /** The current cache, loading it first if there is none (throws when Postgres is unreachable). */
  async get(): Promise<SchemaCache> {
    if (this.cache) return this.cache;
    return this.reload();
  }

  /** Reloads now; concurrent callers share one load. */
  reload(): Promise<SchemaCache> {
    if (this.loading) return this.loading;
    this.lastLoadStart = Date.now();
    this.loading = (async () => {
      const client = new pg.Client({ connectionString: this.opts.dbUrl, application_name: 'emily-rest-schema-cache' });
      client.on('error', () => {});
      try {
        await client.connect();
        const cache = await loadSchemaCache(client, this.opts.schemas());
        this.cache = cache;
        return cache;
      } finally {
        await client.end().catch(() => {});
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /**
   * Called when a request names something unknown: reloads unless a load started less than a
   * second ago (then waits for that one), so hostile requests cannot hammer the catalog.
   */
  async refreshIfStale(): Promise<SchemaCache> {
    if (this.loading) return this.loading;
    if (this.cache && Date.now() - this.lastLoadStart < STALE_RELOAD_INTERVAL_MS) return this.cache;
    return this.reload();
  }

  private listen(): void {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.dbUrl, application_name: 'emily-rest-listener' });
    this.listener = client;
    let failed = false;
    const retry = () => {
      if (failed || this.closed) return;
      failed = true;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      this.reconnectTimer = setTimeout(() => this.listen(), this.reconnectDelay);
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (msg) => {
      const payload = (msg.payload ?? '').trim();
      // PostgREST reloads the schema cache for 'reload schema' and for an empty payload.
      if (payload === '' || payload === 'reload schema') {
        void this.reload().catch((e) => this.opts.log(`· REST schema cache reload failed: ${e.message}`));
      }
    });
    client.connect()
      .then(() => client.query('listen pgrst'))
      .then(() => {
        this.reconnectDelay = RECONNECT_MIN_MS;
        // After a reconnect anything may have changed while nobody was listening.
        if (this.listenedBefore) void this.reload().catch(() => {});
        this.listenedBefore = true;
      })
      .catch(retry);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
    }
    await this.loading?.catch(() => {});
  }
}
