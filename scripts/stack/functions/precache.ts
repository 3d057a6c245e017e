// Fetches the functions' npm dependencies when the stack starts, in the background, so that on a
// fresh clone the first request does not wait for downloads (after that nothing needs the
// network). One `deno install --entrypoint` per deno.json; if one function does not parse, the
// others are cached one by one so it cannot hold them back. Requests wait for this to finish
// rather than download the same packages at the same time.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { FunctionSpec } from './catalog.ts';
import { denoBaseEnv } from './env.ts';
import type { FunctionLogs } from './logs.ts';

export interface Precache {
  done: Promise<void>;
  stop(): void;
}

export function startPrecache(specs: FunctionSpec[], deno: string, logs: FunctionLogs, log: (line: string) => void): Precache {
  const children = new Set<ReturnType<typeof spawn>>();
  let stopped = false;
  let downloads = 0;

  const install = (config: string | undefined, entrypoints: string[]) => new Promise<boolean>((resolve) => {
    if (stopped) return resolve(false);
    const args = ['install', '--entrypoint', '--no-check', ...(config ? ['--config', config] : []), ...entrypoints];
    const child = spawn(deno, args, { cwd: dirname(config ?? entrypoints[0]), env: denoBaseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const progress = (line: string) => {
      if (/^Download\s/.test(line)) downloads++;
      return true;
    };
    logs.follow('functions:deps', child.stdout!, progress);
    logs.follow('functions:deps', child.stderr!, progress);
    child.on('error', () => { children.delete(child); resolve(false); });
    child.on('close', (code) => { children.delete(child); resolve(code === 0); });
  });

  const run = async () => {
    const groups = new Map<string | undefined, string[]>();
    for (const spec of specs) groups.set(spec.denoConfig, [...(groups.get(spec.denoConfig) ?? []), spec.entrypoint]);
    if (!specs.length) return;
    const t0 = performance.now();
    log(`· Functions: fetching npm dependencies of ${specs.length} function(s) in the background`);
    const failed: string[] = [];
    for (const [config, entrypoints] of groups) {
      if (await install(config, entrypoints)) continue;
      for (const entry of entrypoints) if (!(await install(config, [entry]))) failed.push(entry);
    }
    if (stopped) return;
    const took = ((performance.now() - t0) / 1000).toFixed(1);
    log(`· Functions: dependencies ready in ${took} s (${downloads} downloaded)` +
      (failed.length ? `; could not prepare ${failed.length} function(s), see ${logs.path}` : ''));
  };

  return {
    done: run().catch((err) => log(`· Functions: fetching dependencies failed: ${(err as Error).message}`)),
    stop() {
      stopped = true;
      for (const child of children) child.kill('SIGTERM');
    },
  };
}
