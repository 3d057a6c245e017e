// The WebSocket side of the Realtime server: the handshake (API key, protocol version), the
// sessions, and the sweep that closes sockets which stopped talking (Phoenix's 60 s timeout).
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Authorizer } from './authorization.ts';
import type { Channel } from './channel.ts';
import { idleTimeoutMs, MAX_FRAME_BYTES } from './limits.ts';
import { negotiateVsn } from './protocol.ts';
import { Session } from './session.ts';
import { checkToken } from './tokens.ts';
import { TopicRegistry } from './topics.ts';

/** What the Postgres Changes extension offers the channels (absent until it is wired). */
export interface PostgresChangesPort {
  /** Registers a joining channel's bindings; returns the join reply's entries (with ids), in order. */
  subscribe(channel: Channel, bindings: unknown[]): Array<Record<string, unknown>>;
  /**
   * Checks the bindings against the publication; resolves with an error text or null when
   * subscribed, and (with `notify`) reports the outcome to the channel by system message.
   */
  activate(channel: Channel, notify?: boolean): Promise<string | null>;
  /** The channel's claims changed (access_token): RLS checks use the new ones. */
  updateClaims(channel: Channel): void;
  unsubscribe(channel: Channel): void;
}

export interface RealtimeServerOptions {
  jwtSecret: string;
  /** The server's own connections (replay reads, Postgres Changes checks). */
  pool: pg.Pool;
  authorizer: Authorizer;
  log: (line: string) => void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' };

function refuse(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export class RealtimeServer {
  readonly registry = new TopicRegistry();
  readonly sessions = new Set<Session>();
  readonly jwtSecret: string;
  readonly pool: pg.Pool;
  readonly authorizer: Authorizer;
  readonly log: (line: string) => void;
  postgresChanges: PostgresChangesPort | undefined;
  /** Whether the database change stream is up (for `broadcast.replication_ready` joins). */
  replicationReady: () => boolean = () => false;
  /** Refuses new sockets while the server restarts or stops. */
  accepting = true;
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    // Supabase skips UTF-8 validation too: text frames are JSON, and bad JSON is ignored.
    skipUTF8Validation: true,
  });
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs = idleTimeoutMs();

  constructor(opts: RealtimeServerOptions) {
    this.jwtSecret = opts.jwtSecret;
    this.pool = opts.pool;
    this.authorizer = opts.authorizer;
    this.log = opts.log;
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, Math.max(250, this.idleMs / 4)));
    this.sweeper.unref();
  }

  /** GET /realtime/v1/websocket?apikey=…&vsn=…: `path` is what follows the prefix. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    const url = new URL(path, 'http://realtime');
    if (!/^\/(socket\/)?websocket\/?$/.test(url.pathname)) return refuse(socket, 404, { message: 'no Route matched with those values' });
    if (!this.accepting) return refuse(socket, 503, { error: 'Realtime is restarting, please standby' });
    const headerKey = req.headers.apikey;
    const apiKey = url.searchParams.get('apikey') ?? (Array.isArray(headerKey) ? headerKey[0] : headerKey);
    if (!apiKey) return refuse(socket, 401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    const vsn = negotiateVsn(url.searchParams.get('vsn'));
    if (!vsn) return refuse(socket, 400, { error: `The client's requested transport version "${url.searchParams.get('vsn')}" does not match server's version requirements of "~> 1.0.0" or "~> 2.0.0"` });
    const check = checkToken(apiKey, this.jwtSecret);
    if (!check.ok) {
      // A key that does not verify at all is what Supabase's gateway refuses; claim problems are Realtime's.
      if (check.kind === 'malformed' || check.kind === 'signature' || check.kind === 'signer') {
        return refuse(socket, 401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
      }
      return refuse(socket, 401, { error: check.kind === 'expired' ? 'Token has expired' : check.message });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith('x-') && typeof value === 'string') headers[name] = value;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(this, ws, vsn, apiKey, check.claims, headers);
      this.sessions.add(session);
      ws.on('message', (data, isBinary) => session.onFrame(data as Buffer, isBinary));
      ws.on('ping', () => { session.lastSeenAt = Date.now(); });
      ws.on('close', () => session.onClosed());
      ws.on('error', () => session.terminate());
    });
  }

  private sweep(): void {
    const deadline = Date.now() - this.idleMs;
    for (const session of this.sessions) {
      if (session.lastSeenAt < deadline) session.close(1000, 'heartbeat timeout');
    }
  }

  /** Every channel on the server, for messages that concern them all. */
  *channels(): Generator<Channel> {
    for (const group of this.registry.all()) yield* group.channels;
  }

  /** Closes every socket (1012 "service restart" lets clients reconnect, 1001 on shutdown). */
  closeAll(code: number, reason: string): void {
    for (const session of [...this.sessions]) session.close(code, reason);
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.accepting = false;
    this.closeAll(1001, 'server shutting down');
    this.wss.close();
  }
}
