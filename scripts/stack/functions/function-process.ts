// One running Edge Function: a Deno process of its own (bootstrap.ts loading the function's
// module) serving HTTP on a loopback port. One process per function is the isolation hosted
// Supabase gives (an isolate per function): a function that throws at import, crashes, leaks or
// spins forever harms only itself, its globals are its own, and it can be killed at any time.
// It costs ~40 ms to start and ~40 MB while it runs; idle processes are stopped (supervisor.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionSpec } from './catalog.ts';
import type { FunctionLogs } from './logs.ts';
import { MEMORY_LIMIT_MB } from './options.ts';

const BOOTSTRAP = join(dirname(fileURLToPath(import.meta.url)), 'bootstrap.ts');

/** The module could not be loaded (syntax error, bad import, no Deno.serve, process died). */
export class BootError extends Error {}

export type ProcessState = 'booting' | 'ready' | 'retiring' | 'exited';

export interface ProcessOptions {
  spec: FunctionSpec;
  /** Identifies the code version this process runs; a new key means a new process. */
  key: string;
  deno: string;
  env: Record<string, string>;
  logs: FunctionLogs;
}

export class FunctionProcess {
  readonly spec: FunctionSpec;
  readonly key: string;
  readonly startedAt = performance.now();
  /** Resolves with the port once the function listens; rejects with a BootError. */
  readonly ready: Promise<number>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Keep-alive connections from the gateway to this process only. */
  readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  state: ProcessState = 'booting';
  inFlight = 0;
  lastUsedAt = Date.now();
  private readonly child: ChildProcess;
  private retireGraceMs = Number.POSITIVE_INFINITY;

  constructor(opts: ProcessOptions) {
    this.spec = opts.spec;
    this.key = opts.key;
    const marker = randomBytes(12).toString('hex');
    const args = [
      'run', '--allow-all',
      // Hosted functions cannot start programs or load native libraries.
      '--deny-run', '--deny-ffi',
      `--v8-flags=--max-old-space-size=${MEMORY_LIMIT_MB}`,
      ...(opts.spec.denoConfig ? ['--config', opts.spec.denoConfig] : []),
      BOOTSTRAP,
    ];
    this.child = spawn(opts.deno, args, {
      cwd: dirname(opts.spec.entrypoint),
      env: { ...opts.env, EMILY_FUNCTION_ENTRY: pathToFileURL(opts.spec.entrypoint).href, EMILY_FUNCTION_MARKER: marker },
      // stdin stays open and unused: bootstrap.ts exits when it closes (the stack died).
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const name = opts.spec.name;
    let bootError = '';
    let settle: { resolve(port: number): void; reject(err: Error): void };
    this.ready = new Promise<number>((resolve, reject) => { settle = { resolve, reject }; });
    this.ready.catch(() => {}); // callers observe it; an unobserved boot failure is not a crash
    const onMarker = (line: string): boolean => {
      if (!line.startsWith(marker + ' ')) return true;
      try {
        const message = JSON.parse(line.slice(marker.length + 1)) as { port?: number; bootError?: string };
        if (typeof message.port === 'number') {
          if (this.state === 'booting') this.state = 'ready';
          settle.resolve(message.port);
        } else if (message.bootError) bootError = message.bootError;
      } catch { /* a malformed marker line is ignored */ }
      return false;
    };
    opts.logs.follow(name, this.child.stdout!, onMarker);
    opts.logs.follow(name, this.child.stderr!);
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise<void>((resolve) => {
      this.child.once('error', (err) => {
        opts.logs.line(name, `could not start Deno: ${err.message}`);
        this.state = 'exited';
        settle.reject(new BootError(err.message));
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        const wasBooting = this.state === 'booting';
        this.state = 'exited';
        this.agent.destroy();
        settle.reject(new BootError(bootError || `the function process exited (${signal ?? code}) before listening`));
        if (wasBooting) opts.logs.line(name, `boot failed: ${bootError || `exit ${signal ?? code}`}`);
        else if (signal !== 'SIGTERM' && signal !== 'SIGKILL') opts.logs.line(name, `process exited (${signal ?? `code ${code}`})`);
        resolve();
      });
    });
  }

  /** Counts a request in; the returned function counts it out. */
  acquire(): () => void {
    this.inFlight++;
    this.lastUsedAt = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.lastUsedAt = Date.now();
      if (this.state === 'retiring' && this.inFlight === 0) void this.stop(this.retireGraceMs);
    };
  }

  /**
   * Takes no new requests; stops once the ones in flight are done (they finish on this code),
   * giving its background work (EdgeRuntime.waitUntil) `graceMs` to end.
   */
  retire(graceMs: number) {
    if (this.state === 'exited') return;
    this.state = 'retiring';
    this.retireGraceMs = Math.min(this.retireGraceMs, graceMs);
    if (this.inFlight === 0) void this.stop(this.retireGraceMs);
  }

  /** SIGTERM (bootstrap.ts exits once background work is done), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.state !== 'exited') {
      this.state = 'retiring';
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      timer.unref();
      await this.exited;
      clearTimeout(timer);
    }
    this.agent.destroy();
  }
}
