// A loopback HTTP + WebSocket proxy in front of the stack's gateway that can break the network
// the way a phone does: it lets a request through to the server and then cuts the connection
// before the browser gets the answer. The widget is pointed at it (supabaseUrl) in tests of its
// retry path. Everything behind it is the real stack.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface FlakyProxy {
  url: string;
  /** Cut the connection after the server has received the next `count` requests matching `match`. */
  cutAfterForwarding(match: (req: IncomingMessage) => boolean, count?: number): void;
  /** Requests seen, as "METHOD /path". */
  log: string[];
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const log: string[] = [];
  let cut: { match: (req: IncomingMessage) => boolean; left: number } | undefined;

  const server: Server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    const cutThis = !!cut && cut.left > 0 && cut.match(req);
    if (cutThis) cut!.left--;
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
        answer.pipe(res);
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
    log.push(`UPGRADE ${req.url}`);
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
