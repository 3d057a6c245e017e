// What each part of the API (auth, rest, functions, realtime) plugs into the gateway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { StackConfig } from './config.ts';

export interface StackContext {
  config: StackConfig;
  /** Superuser connection string (migrations, replication, admin work). */
  dbUrl: string;
  /** Pool connected as `authenticator`, for requests run as the JWT's role. */
  pool: pg.Pool;
  /** Prints a progress line when the stack is verbose. */
  log: (line: string) => void;
}

export interface GatewayService {
  /** Path prefix the service owns, e.g. "/auth/v1". */
  prefix: string;
  /**
   * True when the gateway answers CORS preflights and adds CORS headers for the service (as
   * Supabase's gateway does for auth, rest and realtime). Edge Functions answer CORS themselves.
   */
  cors: boolean;
  /**
   * True when the gateway must check the `apikey` header (or query parameter) first; a function
   * decides per path (what follows the prefix), for routes Supabase's gateway leaves open.
   */
  requiresApiKey: boolean | ((path: string) => boolean);
  /** `path` is what follows the prefix, query string included ("/token?grant_type=password"). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> | void;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void;
  close?(): Promise<void>;
}
