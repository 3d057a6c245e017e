// One WebSocket connection: decodes its frames, routes them the way Phoenix.Socket does
// (heartbeat, join, leave, messages to joined channels, "unmatched topic" otherwise) and owns its
// channels. Frames of one socket are handled strictly in order, even while a join waits for
// the database, as Phoenix's socket process does.
import type { WebSocket } from 'ws';
import type { Claims } from '../jwt.ts';
import { handleAccessToken } from './access-token.ts';
import { handleClientBroadcast } from './broadcast.ts';
import type { Channel } from './channel.ts';
import { handleJoin } from './join.ts';
import { MAX_BUFFERED_BYTES } from './limits.ts';
import { handlePresence, untrack } from './presence.ts';
import { decodeFrame, encodeMessage, encodeReply, type Inbound, type Vsn } from './protocol.ts';
import type { RealtimeServer } from './server.ts';

const TEXT = { binary: false };
const BINARY = { binary: true };
/** Frames waiting behind a slow join; a client that floods past this is cut off. */
const MAX_BACKLOG = 1_000;

export class Session {
  readonly channels = new Map<string, Channel>();
  lastSeenAt = Date.now();
  closed = false;
  private busy = false;
  private backlog: Array<[Buffer, boolean]> | undefined;

  constructor(
    readonly server: RealtimeServer,
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    /** The socket's `apikey`: the token a join without access_token acts with. */
    readonly apiKey: string,
    readonly apiKeyClaims: Claims,
    /** `x-*` headers of the upgrade request, exposed to policies as request.headers. */
    readonly headers: Record<string, string>,
  ) {}

  send(data: string | Buffer, binary = false): void {
    const ws = this.ws;
    if (this.closed || ws.readyState !== 1) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.server.log(`[realtime] dropping a socket that does not read its messages (${ws.bufferedAmount} bytes queued)`);
      ws.terminate();
      return;
    }
    ws.send(data, typeof data === 'string' ? TEXT : binary ? BINARY : TEXT);
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    this.lastSeenAt = Date.now();
    if (this.busy) {
      const backlog = (this.backlog ??= []);
      if (backlog.length >= MAX_BACKLOG) { this.close(1008, 'too many pending messages'); return; }
      backlog.push([data, isBinary]);
      return;
    }
    this.process(data, isBinary);
  }

  private process(data: Buffer, isBinary: boolean): void {
    let pending: void | Promise<void>;
    try {
      pending = this.dispatch(data, isBinary);
    } catch (err) {
      this.server.log(`[realtime] UnknownErrorOnWebSocketMessage: ${(err as Error).stack ?? err}`);
      return;
    }
    if (!pending) return;
    this.busy = true;
    pending
      .catch((err) => this.server.log(`[realtime] UnknownErrorOnChannel: ${(err as Error).stack ?? err}`))
      .finally(() => {
        this.busy = false;
        while (!this.busy && this.backlog?.length && !this.closed) {
          const [d, b] = this.backlog.shift()!;
          this.process(d, b);
        }
        if (!this.busy) this.backlog = undefined;
      });
  }

  private dispatch(data: Buffer, isBinary: boolean): void | Promise<void> {
    if (this.closed) return;
    const msg = decodeFrame(this.vsn, data, isBinary);
    if (typeof msg === 'string') {
      // Supabase logs MalformedWebSocketMessage and keeps the socket open.
      this.server.log(`[realtime] MalformedWebSocketMessage: ${msg}`);
      return;
    }
    if (msg.topic === 'phoenix' && msg.event === 'heartbeat') {
      this.send(encodeReply(this.vsn, null, msg.ref, 'phoenix', 'ok', {}));
      return;
    }
    const channel = this.channels.get(msg.topic);
    if (msg.event === 'phx_join') {
      if (channel) this.closeChannel(channel, true);
      return handleJoin(this, msg);
    }
    if (!channel) {
      if (msg.event === 'phx_leave') this.send(encodeReply(this.vsn, msg.joinRef, msg.ref, msg.topic, 'ok', {}));
      else this.send(encodeReply(this.vsn, null, msg.ref, msg.topic, 'error', { reason: 'unmatched topic' }));
      return;
    }
    // A message for an earlier join of this topic raced a close: Phoenix ignores it.
    if (msg.joinRef !== null && msg.joinRef !== channel.joinRef) return;
    return this.onChannelEvent(channel, msg);
  }

  private onChannelEvent(channel: Channel, msg: Inbound): void | Promise<void> {
    switch (msg.event) {
      case 'phx_leave':
        channel.reply(msg.ref, 'ok', {});
        this.closeChannel(channel, true);
        return;
      case 'broadcast':
        return handleClientBroadcast(channel, msg);
      case 'presence':
        return handlePresence(channel, msg.ref, msg.payload);
      case 'access_token':
        return handleAccessToken(channel, msg.payload);
      default:
        // Supabase ignores events it does not know (it only logs them at info level).
        return;
    }
  }

  /** Removes a channel; `notify` sends phx_close (ref = join ref) as Phoenix does on a server close. */
  closeChannel(channel: Channel, notify: boolean): void {
    if (channel.closed) return;
    channel.closed = true;
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
    clearTimeout(channel.expiryTimer);
    // Out of the topic first, so the leave diff goes to the others only.
    channel.group.channels.delete(channel);
    untrack(channel);
    this.server.registry.remove(channel, channel.group);
    this.server.postgresChanges?.unsubscribe(channel);
    if (notify) this.send(encodeMessage(this.vsn, channel.joinRef, channel.joinRef, channel.topic, 'phx_close', '{}'));
  }

  /** Ends a channel with a system error message, as Supabase's shutdown_response does. */
  shutdownChannel(channel: Channel, message: string): void {
    if (channel.closed) return;
    channel.system('system', 'error', message);
    this.closeChannel(channel, true);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    try { this.ws.close(code, reason); } catch { this.ws.terminate(); }
    this.onClosed();
  }

  terminate(): void {
    this.ws.terminate();
    this.onClosed();
  }

  onClosed(): void {
    if (this.closed) return;
    for (const channel of [...this.channels.values()]) this.closeChannel(channel, false);
    this.closed = true;
    this.backlog = undefined;
    this.server.sessions.delete(this);
  }
}
