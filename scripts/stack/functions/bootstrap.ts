// Runs ONE Edge Function inside its own Deno process (started by function-process.ts; never
// imported by Node). It does what Supabase's edge-runtime does for a user worker: the function
// module calls `Deno.serve(handler)` as in Supabase's guides (or exports `default { fetch }`), and
// whatever address or port it asks for, the handler is served on a loopback port the host chose;
// then it tells the host the port.
//
// Protocol with the host, on stdout: one line `MARKER {"port":N}` once listening, or
// `MARKER {"bootError":"…"}` before exiting when the module cannot be loaded. MARKER is a random
// value the host passes in the environment; both it and the entry URL are removed from the
// environment before the function's code runs.

// Only the parts of Deno's API used here (this file is type-checked by Node's tsc, which has no
// Deno types).
type Handler = (req: Request, info: unknown) => Response | Promise<Response>;
interface ServeOptions {
  handler?: Handler;
  signal?: AbortSignal;
  onError?: (error: unknown) => Response | Promise<Response>;
  onListen?: (addr: { hostname: string; port: number }) => void;
  hostname?: string;
  port?: number;
}
interface DenoApi {
  serve(options: ServeOptions | Handler, handler?: Handler): unknown;
  env: { get(name: string): string | undefined; delete(name: string): void };
  stdout: { writeSync(bytes: Uint8Array): number };
  stdin: { readable: ReadableStream<Uint8Array> };
  addSignalListener(signal: 'SIGTERM', listener: () => void): void;
  exit(code?: number): never;
}
declare const Deno: DenoApi;

const entry = Deno.env.get('EMILY_FUNCTION_ENTRY');
const marker = Deno.env.get('EMILY_FUNCTION_MARKER');
Deno.env.delete('EMILY_FUNCTION_ENTRY');
Deno.env.delete('EMILY_FUNCTION_MARKER');
// Keep our own references: the function may replace console or Deno.stdout.
const stdout = Deno.stdout;
const realServe = Deno.serve.bind(Deno);
const encoder = new TextEncoder();

function report(message: Record<string, unknown>) {
  stdout.writeSync(encoder.encode(`\n${marker} ${JSON.stringify(message)}\n`));
}

// errors.ts's WORKER_ERROR (this file imports nothing: it runs before the function, in Deno).
const WORKER_ERROR = { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' };

function normalise(args: unknown[]): { options: ServeOptions; handler: Handler } {
  const [first, second] = args;
  if (typeof first === 'function') return { options: {}, handler: first as Handler };
  const options = (first ?? {}) as ServeOptions;
  const handler = typeof second === 'function' ? (second as Handler) : options.handler;
  if (typeof handler !== 'function') throw new TypeError('Deno.serve() needs a handler function');
  return { options, handler };
}

let served = false;
(Deno as { serve: unknown }).serve = (...args: unknown[]) => {
  if (served) throw new Error('Deno.serve() can be called only once per Edge Function');
  served = true;
  const { options, handler } = normalise(args);
  return realServe({
    hostname: '127.0.0.1',
    port: 0,
    signal: options.signal,
    onListen: ({ port }) => report({ port }),
    // An exception thrown by the handler: hosted Supabase answers 500 WORKER_ERROR and logs it.
    onError: options.onError ?? ((error) => {
      console.error(error);
      return new Response(JSON.stringify(WORKER_ERROR), {
        status: 500,
        headers: { 'content-type': 'application/json', 'sb-error-code': WORKER_ERROR.code },
      });
    }),
  }, handler);
};

// EdgeRuntime.waitUntil(promise), hosted Supabase's way to keep working after the response. When
// the host replaces or stops this process (SIGTERM), that work may finish first; the host kills
// the process if it takes longer than the wall-clock limit.
const background = new Set<Promise<unknown>>();
(globalThis as Record<string, unknown>).EdgeRuntime = {
  waitUntil<T>(promise: Promise<T>): Promise<T> {
    const tracked: Promise<unknown> = Promise.resolve(promise)
      .catch((error) => console.error(error))
      .finally(() => background.delete(tracked));
    background.add(tracked);
    return promise;
  },
};
Deno.addSignalListener('SIGTERM', () => {
  void Promise.allSettled([...background]).then(() => Deno.exit(0));
});

// The host keeps our stdin open; when it goes away (even killed), stdin ends and so do we, so a
// function process never outlives the stack.
(async () => {
  const reader = Deno.stdin.readable.getReader();
  try {
    while (!(await reader.read()).done) { /* nothing is ever sent */ }
  } catch { /* closed */ }
  Deno.exit(0);
})();

try {
  if (!entry || !marker) throw new Error('bootstrap.ts must be started by the Emily stack');
  const loaded = await import(entry) as { default?: { fetch?: Handler } };
  // The `export default { fetch }` style (`deno serve`, Supabase's newer examples) is served too.
  const fetchHandler = loaded.default?.fetch;
  if (!served && typeof fetchHandler === 'function') Deno.serve(fetchHandler.bind(loaded.default));
  if (!served) throw new Error('The function neither called Deno.serve(handler) nor exported default { fetch }');
} catch (error) {
  console.error(error);
  report({ bootError: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  Deno.exit(1);
}
export {};
