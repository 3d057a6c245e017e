// Carries one request from the gateway to a function process and its response back, streaming
// both ways: request body chunks go on as they arrive (with backpressure: the client is paused
// while the function does not read), the response is flushed chunk by chunk (SSE arrives as it is
// sent). It also enforces the request's limits: body size (413), the idle timeout (no response
// started in time: 504), the wall clock (546, or the stream is cut), and a client that goes
// away aborts the function's request (its `req.signal`).
import { request as httpRequest, type Agent, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { discardBody } from '../http.ts';
import { BootError } from './function-process.ts';
import { BODY_TOO_LARGE, BOOT_ERROR, IDLE_TIMEOUT, sendPlatformError, WORKER_ERROR, WORKER_LIMIT, type PlatformError } from './errors.ts';

export interface Upstream {
  port: number;
  agent: Agent;
}

export interface RelayOptions {
  /** The path the function sees: `/NAME/…?query`. */
  path: string;
  /** Resolves once the function listens (boot included, under the idle timeout). */
  connect(): Promise<Upstream>;
  maxBodyBytes: number;
  idleTimeoutMs: number;
  wallClockMs: number;
}

/** How a relayed request ended; the supervisor retires a process that timed out. */
export type RelayOutcome = 'done' | 'client-gone' | 'boot-error' | 'worker-error' | 'idle-timeout' | 'wall-clock' | 'too-large';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  const client = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${client}` : client;
  headers['x-forwarded-proto'] ??= 'http';
  if (req.headers.host) headers['x-forwarded-host'] ??= req.headers.host;
  return headers;
}

function responseHeaders(up: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  return headers;
}

export function relay(req: IncomingMessage, res: ServerResponse, opts: RelayOptions): Promise<RelayOutcome> {
  return new Promise<RelayOutcome>((resolve) => {
    let outcome: RelayOutcome | undefined;
    let upstreamReq: ReturnType<typeof httpRequest> | undefined;
    let upstreamRes: IncomingMessage | undefined;

    const finish = (result: RelayOutcome) => {
      if (outcome) return;
      outcome = result;
      clearTimeout(idleTimer);
      clearTimeout(wallTimer);
      resolve(result);
    };
    /** Ends everything: answers with `error` if the response has not started, else cuts it. */
    const fail = (result: RelayOutcome, error: PlatformError) => {
      if (outcome) return;
      // Settled first: destroying the upstream emits events that must not count as new failures.
      finish(result);
      upstreamReq?.destroy();
      upstreamRes?.destroy();
      if (!res.headersSent) sendPlatformError(res, error);
      else res.destroy();
    };

    const idleTimer = setTimeout(() => fail('idle-timeout', IDLE_TIMEOUT), opts.idleTimeoutMs);
    const wallTimer = setTimeout(() => fail('wall-clock', WORKER_LIMIT), opts.wallClockMs);

    res.on('close', () => {
      if (outcome) return;
      if (res.writableFinished) { finish('done'); return; }
      // The client went away before the end: the function's request is aborted (req.signal).
      finish('client-gone');
      upstreamReq?.destroy();
      upstreamRes?.destroy();
    });

    opts.connect().then((upstream) => {
      if (outcome) return;
      const out = httpRequest({
        host: '127.0.0.1',
        port: upstream.port,
        agent: upstream.agent,
        method: req.method,
        path: opts.path,
        headers: forwardedHeaders(req),
      });
      upstreamReq = out;
      out.on('error', () => fail('worker-error', WORKER_ERROR));
      out.on('response', (up) => {
        if (outcome) { up.destroy(); return; }
        upstreamRes = up;
        clearTimeout(idleTimer);
        res.writeHead(up.statusCode ?? 502, responseHeaders(up));
        // Headers now, even before the first body chunk (an SSE client sees the stream open).
        res.flushHeaders();
        up.on('error', () => fail('worker-error', WORKER_ERROR));
        up.on('aborted', () => fail('worker-error', WORKER_ERROR));
        up.pipe(res);
      });

      // The body, streamed: counted against the limit, paused while the function is not reading.
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        if (outcome) return;
        received += chunk.length;
        if (received > opts.maxBodyBytes) {
          // The function's request ends now; the client's 413 goes out once it has finished sending.
          finish('too-large');
          upstreamReq?.destroy();
          upstreamRes?.destroy();
          void discardBody(req).then(() => { if (!res.headersSent) sendPlatformError(res, BODY_TOO_LARGE(opts.maxBodyBytes)); else res.destroy(); });
          return;
        }
        if (!out.write(chunk)) req.pause();
      });
      out.on('drain', () => req.resume());
      req.on('end', () => { if (!outcome) out.end(); });
      req.on('error', () => fail('client-gone', { status: 400, code: 'BAD_REQUEST', message: 'The request body broke off' }));
    }, (err: unknown) => {
      fail(err instanceof BootError ? 'boot-error' : 'worker-error', err instanceof BootError ? BOOT_ERROR : WORKER_ERROR);
    });
  });
}
