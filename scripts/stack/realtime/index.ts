// The local stack's Realtime server on /realtime/v1: what the unmodified supabase-js (realtime-js)
// talks to exactly as it talks to Supabase Realtime. WebSocket at /websocket (protocol 1.0.0 and
// 2.0.0), REST at /api/broadcast and /api/ping.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import type { GatewayService, StackContext } from '../service.ts';
import { Authorizer } from './authorization.ts';
import { ChangeFeed } from './change-feed.ts';
import { handleHttp } from './http-api.ts';
import { RelationCatalog } from './pg-relations.ts';
import { PostgresChanges } from './postgres-changes.ts';
import { ReplicationStream } from './replication.ts';
import { RealtimeServer } from './server.ts';

export interface RealtimeService extends GatewayService {
  readonly server: RealtimeServer;
  readonly replication: ReplicationStream;
  /**
   * Restarts the WebSocket side as a redeploy would: every socket is closed (1012), database
   * broadcasts wait in the slot until the channels that were open have rejoined (at most
   * `holdMs`), so reconnecting clients also get what was sent while they were away.
   */
  restart(opts?: { holdMs?: number }): Promise<void>;
}

/** Publications the stream reads: database broadcasts, and the tables of Postgres Changes. */
export const PUBLICATIONS = ['supabase_realtime_messages_publication', 'supabase_realtime'];

/** One permanent slot per stack (per cluster folder), so a restarted stack resumes its own. */
export function slotNameFor(dataDir: string): string {
  return `emily_realtime_${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
}

export function isRealtimeService(service: GatewayService): service is RealtimeService {
  return service.prefix === '/realtime/v1' && 'server' in service;
}

export async function createRealtimeService(ctx: StackContext): Promise<RealtimeService> {
  // The server's own connections act with its privileges (probe rows, replication); each
  // authorisation still runs as the user's role inside its transaction.
  const pool = new pg.Pool({ connectionString: ctx.dbUrl, max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, application_name: 'emily-realtime' });
  pool.on('error', () => {});
  const server = new RealtimeServer({ jwtSecret: ctx.config.jwtSecret, pool, authorizer: new Authorizer(pool), log: ctx.log });
  const feed = new ChangeFeed(server);
  const postgresChanges = new PostgresChanges(pool, new RelationCatalog(pool), ctx.log);
  server.postgresChanges = postgresChanges;
  feed.sink = postgresChanges;
  const replication = new ReplicationStream({
    dbUrl: ctx.dbUrl, slotName: slotNameFor(ctx.config.dataDir), publications: PUBLICATIONS,
    log: ctx.log, onMessage: feed.onMessage, onSlotLost: feed.onSlotLost,
  });
  server.replicationReady = () => replication.streaming;
  try {
    await replication.start();
  } catch (err) {
    server.stop();
    await pool.end().catch(() => {});
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    prefix: '/realtime/v1',
    cors: true,
    requiresApiKey: true,
    server,
    replication,
    handle: (req: IncomingMessage, res: ServerResponse, path: string) => handleHttp(server, req, res, path),
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, path: string) => server.upgrade(req, socket, head, path),
    restart: async ({ holdMs = 5_000 } = {}) => {
      const expected = [...server.channels()].length;
      await replication.pause();
      server.closeAll(1012, 'service restart');
      const deadline = Date.now() + holdMs;
      void (async () => {
        while (Date.now() < deadline && [...server.channels()].length < expected) await new Promise((r) => setTimeout(r, 50));
        replication.resume();
      })();
    },
    close: () => (closing ??= (async () => {
      server.stop();
      await replication.stop({ dropSlot: true });
      await pool.end().catch(() => {});
    })()),
  };
}
