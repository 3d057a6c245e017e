// The local stack's Realtime server on /realtime/v1: what the unmodified supabase-js (realtime-js)
// talks to exactly as it talks to Supabase Realtime. WebSocket at /websocket (protocol 1.0.0 and
// 2.0.0), REST at /api/broadcast and /api/ping.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import type { GatewayService, StackContext } from '../service.ts';
import { Authorizer } from './authorization.ts';
import { handleHttp } from './http-api.ts';
import { RealtimeServer } from './server.ts';

export interface RealtimeService extends GatewayService {
  readonly server: RealtimeServer;
}

export function isRealtimeService(service: GatewayService): service is RealtimeService {
  return service.prefix === '/realtime/v1' && 'server' in service;
}

export async function createRealtimeService(ctx: StackContext): Promise<RealtimeService> {
  // The server's own connections act with its privileges (probe rows, replication); each
  // authorisation still runs as the user's role inside its transaction.
  const pool = new pg.Pool({ connectionString: ctx.dbUrl, max: 10, idleTimeoutMillis: 30_000, application_name: 'emily-realtime' });
  pool.on('error', () => {});
  const server = new RealtimeServer({ jwtSecret: ctx.config.jwtSecret, authorizer: new Authorizer(pool), log: ctx.log });

  let closing: Promise<void> | undefined;
  return {
    prefix: '/realtime/v1',
    cors: true,
    requiresApiKey: true,
    server,
    handle: (req: IncomingMessage, res: ServerResponse, path: string) => handleHttp(server, req, res, path),
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, path: string) => server.upgrade(req, socket, head, path),
    close: () => (closing ??= (async () => {
      server.stop();
      await pool.end().catch(() => {});
    })()),
  };
}
