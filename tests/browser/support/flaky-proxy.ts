// A loopback HTTP + WebSocket proxy in front of the stack's gateway that can break the network
// the way a phone does: it lets a request through to the server and then cuts the connection
// before the browser gets the answer, it holds the rest of an answer after its first event (a slow
// AI), and it drops the WebSocket alone. The widget is pointed at it (supabaseUrl) in tests of its
// retry and catch-up paths. Everything behind it is the real stack.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface FlakyProxy {
  url: string;
  /** Cut the connection after the server has received the next `count` requests matching `match`. */
  cutAfterForwarding(match: (req: IncomingMessage) => boolean, count?: number): void;
  /**
   * Delivers the next answer matching `match` (an SSE stream) up to and including its first event
   * named `event`, then holds the rest (a slow AI) until the returned function is called.
   */
  holdAfterEvent(match: (req: IncomingMessage) => boolean, event: string): () => void;
  /** Drops every WebSocket and refuses new ones (the socket alone is down) until `socketsUp()`. */
  socketsDown(): void;
  socketsUp(): void;
  /** Requests seen, as "METHOD /path" ("UPGRADE /path" for WebSockets, "REFUSED /path" while down). */
  log: string[];
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const log: string[] = [];
  let cut: { match: (req: IncomingMessage) => boolean; left: number } | undefined;
  let hold: { match: (req: IncomingMessage) => boolean; event: string; released: Promise<void> } | undefined;
  const upgraded = new Set<Socket>();
  let socketsRefused = false;

  const server: Server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    const cutThis = !!cut && cut.left > 0 && cut.match(req);
    if (cutThis) cut!.left--;
    const holdThis = hold && hold.match(req) ? hold : undefined;
    if (holdThis) hold = undefined;
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        if (cutThis) {
          // The server has the request (and is answering): the browser never hears back.
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (holdThis) holdAfter(answer, res, holdThis.event, holdThis.released);
        else answer.pipe(res);
      },
    );
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // WebSockets: a raw TCP pipe once the upgrade request has been replayed upstream.
  server.on('upgrade', (req, socket, head) => {
    if (socketsRefused) {
      log.push(`REFUSED ${req.url}`);
      socket.destroy();
      return;
    }
    log.push(`UPGRADE ${req.url}`);
    upgraded.add(socket as Socket);
    socket.on('close', () => upgraded.delete(socket as Socket));
    const up = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${k === 'host' ? upstream.host : v}`), '', ''];
      up.write(lines.join('\r\n'));
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    // A dropped browser socket is gone for the server too (it stops sending to it).
    socket.on('close', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    cutAfterForwarding(match, count = 1) {
      cut = { match, left: count };
    },
    holdAfterEvent(match, event) {
      let release!: () => void;
      hold = { match, event, released: new Promise<void>((resolve) => (release = resolve)) };
      return release;
    },
    socketsDown() {
      socketsRefused = true;
      for (const s of upgraded) s.destroy();
    },
    socketsUp() {
      socketsRefused = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Passes an SSE answer through up to the end of its first `event`; the rest once `released`. */
function holdAfter(answer: IncomingMessage, res: ServerResponse, event: string, released: Promise<void>): void {
  let state: 'before' | 'holding' | 'after' = 'before';
  let pending = '';
  let ended = false;
  const flush = () => {
    if (pending) res.write(pending);
    pending = '';
    if (ended) res.end();
  };
  answer.setEncoding('utf8');
  answer.on('data', (chunk: string) => {
    if (state === 'after') return void res.write(chunk);
    pending += chunk;
    if (state === 'holding') return;
    const at = pending.indexOf(`event: ${event}\n`);
    const end = at < 0 ? -1 : pending.indexOf('\n\n', at);
    if (end < 0) return;
    res.write(pending.slice(0, end + 2));
    pending = pending.slice(end + 2);
    state = 'holding';
    void released.then(() => {
      state = 'after';
      flush();
    });
  });
  answer.on('end', () => {
    ended = true;
    if (state !== 'holding') flush();
  });
}
