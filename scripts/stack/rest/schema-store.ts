// Keeps the schema cache current: loads it at start, reloads on `NOTIFY pgrst, 'reload schema'`
// (LISTEN on a dedicated connection that reconnects after a Postgres restart), and when a request
// names a relation or function the cache does not know, so a table created after start-up is
// found without a restart or a NOTIFY. Loads are at most four a second: a request that needs a
// newer cache waits for the next permitted load instead of hammering the catalog.
import pg from 'pg';
import { loadSchemaCache, type SchemaCache } from './schema-cache.ts';

const MIN_RELOAD_INTERVAL_MS = 250;
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
  /** When the load that produced `cache` started: the cache reflects DDL committed before it. */
  private cacheLoadStart = 0;
  private loading?: { started: number; promise: Promise<SchemaCache> };
  private scheduled?: Promise<SchemaCache>;
  private lastLoadStart = 0;
  private listener?: pg.Client;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = RECONNECT_MIN_MS;
  private listenedBefore = false;
  private closed = false;

  constructor(private opts: SchemaStoreOptions) {}

  start(): void {
    void this.load().catch(() => {});
    this.listen();
  }

  /** The current cache, loading it first if there is none (throws when Postgres is unreachable). */
  async get(): Promise<SchemaCache> {
    if (this.cache) return this.cache;
    return this.freshSince(0);
  }

  /**
   * A cache whose load started at or after `since` (ms epoch): it knows every table and function
   * committed before then. Waits for a running or scheduled load when one qualifies.
   */
  freshSince(since: number): Promise<SchemaCache> {
    if (this.cache && this.cacheLoadStart >= since) return Promise.resolve(this.cache);
    if (this.loading && this.loading.started >= since) return this.loading.promise;
    if (!this.scheduled) {
      const wait = Math.max(0, this.lastLoadStart + MIN_RELOAD_INTERVAL_MS - Date.now());
      this.scheduled = new Promise<void>((resolve) => setTimeout(resolve, wait).unref())
        .then(() => this.loading?.promise.catch(() => undefined))
        .then(() => {
          this.scheduled = undefined;
          return this.load();
        });
      // A failed scheduled load must not surface as an unhandled rejection; callers see it.
      this.scheduled.catch(() => {});
    }
    return this.scheduled;
  }

  /** Starts a load now (or joins one that is running). */
  private load(): Promise<SchemaCache> {
    if (this.closed) return Promise.reject(new Error('the REST service is closed'));
    if (this.loading) return this.loading.promise;
    const started = Date.now();
    this.lastLoadStart = started;
    const promise = (async () => {
      const client = new pg.Client({ connectionString: this.opts.dbUrl, application_name: 'emily-rest-schema-cache' });
      client.on('error', () => {});
      try {
        await client.connect();
        const cache = await loadSchemaCache(client, this.opts.schemas());
        if (started >= this.cacheLoadStart) {
          this.cache = cache;
          this.cacheLoadStart = started;
        }
        return this.cache ?? cache;
      } finally {
        await client.end().catch(() => {});
        this.loading = undefined;
      }
    })();
    this.loading = { started, promise };
    return promise;
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
        this.freshSince(Date.now()).catch((e) => this.opts.log(`· REST schema cache reload failed: ${e.message}`));
      }
    });
    client.connect()
      .then(() => client.query('listen pgrst'))
      .then(() => {
        this.reconnectDelay = RECONNECT_MIN_MS;
        // After a reconnect anything may have changed while nobody was listening.
        if (this.listenedBefore) this.freshSince(Date.now()).catch(() => {});
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
    await this.loading?.promise.catch(() => {});
  }
}
