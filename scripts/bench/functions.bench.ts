// Edge Functions through the local stack (/functions/v1: JWT check, relay, one Deno process per
// function) against a baseline measured in the same run: the same function module run as a plain
// Deno server and requested directly.
//   cold: first request to a function nobody has called yet (process start + module load + answer)
//   warm: N sequential requests to a running function, p50 and p95
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { denoBinary } from '../stack/functions/deno-binary.ts';
import { startTestStack } from '../../tests/support/stack.ts';

const WARM_REQUESTS = Number(process.env.BENCH_FUNCTIONS_N ?? 200);
const COLD_RUNS = Number(process.env.BENCH_FUNCTIONS_COLD ?? 5);
const FUNCTION_SOURCE = "Deno.serve(() => new Response('ok'));\n";

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (v: number) => `${v.toFixed(2)} ms`;

async function timedGet(url: string, headers: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  const text = await res.text();
  const elapsed = performance.now() - t0;
  if (res.status !== 200 || text !== 'ok') throw new Error(`${url} answered ${res.status} ${text.slice(0, 200)}`);
  return elapsed;
}

async function warm(url: string, headers: Record<string, string>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await timedGet(url, headers);
  const times: number[] = [];
  for (let i = 0; i < WARM_REQUESTS; i++) times.push(await timedGet(url, headers));
  return times;
}

/** The baseline: `deno run` of the module on a free port, timed until its first answer. */
async function plainDeno(file: string): Promise<{ coldMs: number; url: string; stop(): void }> {
  const t0 = performance.now();
  const child = spawn(denoBinary(), ['run', '--allow-all', file], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', DENO_SERVE_ADDRESS: 'tcp:127.0.0.1:0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('plain Deno did not listen in 30 s')), 30_000);
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d;
      const m = /Listening on (http:\/\/[^\s]+)/.exec(seen);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`plain Deno exited (${code}): ${seen}`)));
  });
  await timedGet(url, {});
  return { coldMs: performance.now() - t0, url, stop: () => child.kill('SIGTERM') };
}

const dir = mkdtempSync(join(tmpdir(), 'emily-bench-functions-'));
const names = Array.from({ length: COLD_RUNS }, (_, i) => `bench-${i}`);
for (const name of names) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'index.ts'), FUNCTION_SOURCE);
}
const baselineFile = join(dir, 'baseline.ts');
writeFileSync(baselineFile, FUNCTION_SOURCE);

const stack = await startTestStack({ extraFunctionsDirs: [dir] }, { noStatic: true });
try {
  const auth = { authorization: `Bearer ${stack.info.anonKey}` };
  const fnUrl = (name: string) => `${stack.info.apiUrl}/functions/v1/${name}`;

  // Interleaved, so both sides see the same machine load.
  const coldStack: number[] = [];
  const coldPlain: number[] = [];
  let plain: Awaited<ReturnType<typeof plainDeno>> | undefined;
  for (const name of names) {
    coldStack.push(await timedGet(fnUrl(name), auth));
    plain?.stop();
    plain = await plainDeno(baselineFile);
    coldPlain.push(plain.coldMs);
  }
  const warmStack = await warm(fnUrl(names[0]), auth);
  const warmPlain = await warm(plain!.url, {});
  plain!.stop();

  const row = (label: string, stackMs: number, plainMs: number) =>
    console.log(`${label.padEnd(22)} ${ms(stackMs).padStart(12)} ${ms(plainMs).padStart(14)} ${`${(stackMs / plainMs).toFixed(2)}×`.padStart(8)}`);
  console.log(`Edge Functions: ${COLD_RUNS} cold starts, ${WARM_REQUESTS} warm requests each`);
  console.log(`${''.padEnd(22)} ${'via stack'.padStart(12)} ${'plain Deno'.padStart(14)} ${'ratio'.padStart(8)}`);
  row('cold start (median)', percentile(coldStack, 50), percentile(coldPlain, 50));
  row('warm p50', percentile(warmStack, 50), percentile(warmPlain, 50));
  row('warm p95', percentile(warmStack, 95), percentile(warmPlain, 95));
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
