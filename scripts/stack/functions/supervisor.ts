// Keeps at most one current process per function. A process starts on the function's first request
// (cold start), serves requests concurrently while warm, and is replaced when its code changed:
// new requests go to a new process while the old one finishes the requests it has (in-flight
// requests end on the old code), then exits once its background work (EdgeRuntime.waitUntil)
// is done, within the wall-clock limit. A process that crashed or broke a connection is replaced
// on the next request; one that let a request time out may be stuck, so it is retired and killed
// quickly; one idle for `idleShutdownMs` is stopped to give its memory back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionSpec } from './catalog.ts';
import { FunctionProcess } from './function-process.ts';
import type { FunctionLogs } from './logs.ts';
import type { FunctionsOptions } from './options.ts';
import { relay } from './relay.ts';

/** A process that may be stuck gets this long to exit on SIGTERM before SIGKILL. */
const STUCK_GRACE_MS = 1000;

export interface SupervisorDeps {
  deno: string;
  logs: FunctionLogs;
  options: FunctionsOptions;
  maxBodyBytes: number;
  /** The environment of a new process for this function. */
  envFor(spec: FunctionSpec): Record<string, string>;
  /** Settles when new processes may start (dependencies fetched). */
  beforeStart(): Promise<void>;
  /** Progress lines (verbose only). */
  log(line: string): void;
}

export class Supervisor {
  private readonly current = new Map<string, FunctionProcess>();
  private readonly all = new Set<FunctionProcess>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: SupervisorDeps) {
    const every = Math.max(1000, Math.min(30_000, deps.options.idleShutdownMs / 2));
    this.sweeper = setInterval(() => this.stopIdle(), every);
    this.sweeper.unref();
  }

  /** The process serving `spec` at code version `key`, started if needed. */
  private processFor(spec: FunctionSpec, key: string): FunctionProcess {
    const existing = this.current.get(spec.name);
    if (existing && existing.key === key && (existing.state === 'booting' || existing.state === 'ready')) return existing;
    if (existing) {
      if (existing.state !== 'exited' && existing.key !== key) this.deps.log(`· Functions: ${spec.name} changed, starting its new code`);
      existing.retire(this.deps.options.wallClockMs);
    }
    const proc = new FunctionProcess({ spec, key, deno: this.deps.deno, env: this.deps.envFor(spec), logs: this.deps.logs });
    proc.ready.then(
      () => this.deps.log(`· Functions: ${spec.name} booted in ${Math.round(performance.now() - proc.startedAt)} ms`),
      (err: Error) => this.deps.log(`· Functions: ${spec.name} failed to boot: ${err.message}`),
    );
    this.current.set(spec.name, proc);
    this.all.add(proc);
    void proc.exited.then(() => {
      this.all.delete(proc);
      if (this.current.get(spec.name) === proc) this.current.delete(spec.name);
    });
    return proc;
  }

  async serve(spec: FunctionSpec, key: string, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    let proc: FunctionProcess | undefined;
    let release: (() => void) | undefined;
    let ended = false;
    const outcome = await relay(req, res, {
      path,
      maxBodyBytes: this.deps.maxBodyBytes,
      idleTimeoutMs: this.deps.options.idleTimeoutMs,
      wallClockMs: this.deps.options.wallClockMs,
      connect: async () => {
        await this.deps.beforeStart();
        // The request may have ended (timeout, client gone) while dependencies were fetched.
        if (this.closed || ended) throw new Error('the request ended before the function started');
        proc = this.processFor(spec, key);
        release = proc.acquire();
        return { port: await proc.ready, agent: proc.agent };
      },
    });
    ended = true;
    // A timeout may mean a stuck event loop, a broken connection a dying process: either way the
    // next request gets a fresh process.
    if (proc && (outcome === 'idle-timeout' || outcome === 'wall-clock' || outcome === 'worker-error')) {
      this.deps.logs.line(spec.name, `request ${req.method} ${path} ended: ${outcome}`);
      proc.retire(STUCK_GRACE_MS);
    }
    release?.();
  }

  private stopIdle() {
    const cutoff = Date.now() - this.deps.options.idleShutdownMs;
    for (const proc of this.current.values()) {
      if (proc.inFlight === 0 && proc.state === 'ready' && proc.lastUsedAt < cutoff) proc.retire(this.deps.options.wallClockMs);
    }
  }

  /** Running processes (booting, serving or finishing requests). */
  get processCount(): number {
    return this.all.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.all].map((p) => p.stop(1000)));
  }
}
