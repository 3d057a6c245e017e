// Server-Sent Events writer: `event:` + `data:` (JSON) per event, each enqueued as its own chunk so
// the host flushes it at once; a comment line as heartbeat while nothing else is sent (proxies and
// browsers keep the stream open), and an AbortSignal that fires when the client goes away.

export interface SseOptions {
  /** Milliseconds of silence after which a `: ping` comment is sent. 0 disables heartbeats. */
  heartbeatMs?: number;
  /** The request's signal: a client that disconnects aborts the stream. */
  signal?: AbortSignal;
  headers?: HeadersInit;
}

export interface SseStream {
  response: Response;
  /** Aborted when the client disconnects or the stream is closed. */
  signal: AbortSignal;
  /** Sends one event; returns false when the client is gone. */
  send(event: string, data: unknown): boolean;
  comment(text: string): boolean;
  close(): void;
  readonly closed: boolean;
}

const encoder = new TextEncoder();

export function formatEvent(event: string, data: unknown): string {
  if (/[\r\n]/.test(event)) throw new Error('SSE event names cannot contain line breaks');
  // JSON.stringify never emits raw line breaks, so one `data:` line always suffices.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function createSseStream(opts: SseOptions = {}): SseStream {
  const aborter = new AbortController();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;

  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!aborter.signal.aborted) aborter.abort();
  };
  const arm = () => {
    if (!heartbeatMs || closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      write(': ping\n\n');
    }, heartbeatMs);
  };
  const write = (text: string): boolean => {
    if (closed) return false;
    try {
      controller.enqueue(encoder.encode(text));
      arm();
      return true;
    } catch {
      closed = true;
      stop();
      return false;
    }
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      // The client went away: stop generating and free everything.
      closed = true;
      stop();
    },
  });
  if (opts.signal) {
    if (opts.signal.aborted) {
      closed = true;
      stop();
    } else {
      opts.signal.addEventListener('abort', () => {
        if (closed) return;
        closed = true;
        stop();
        try {
          controller.close();
        } catch { /* already closed */ }
      }, { once: true });
    }
  }

  const headers = new Headers(opts.headers);
  headers.set('Content-Type', 'text/event-stream; charset=utf-8');
  headers.set('Cache-Control', 'no-cache, no-transform');
  headers.set('X-Accel-Buffering', 'no');
  arm();

  return {
    response: new Response(body, { status: 200, headers }),
    signal: aborter.signal,
    send: (event, data) => write(formatEvent(event, data)),
    comment: (text) => write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`),
    close() {
      if (closed) return;
      closed = true;
      stop();
      try {
        controller.close();
      } catch { /* already closed */ }
    },
    get closed() {
      return closed;
    },
  };
}

/** Parses an SSE body (for tests and for clients written in TypeScript). */
export function parseSse(text: string): Array<{ event: string; data: unknown }> {
  const out: Array<{ event: string; data: unknown }> = [];
  for (const block of text.split(/\n\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) out.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return out;
}
