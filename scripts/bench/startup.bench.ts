// Start-up time of `npm start`'s stack, end to end (a child process running scripts/start.ts, timed
// until its API answers), cold (a new cluster: initdb, bootstrap, migrations, seed) and warm (the
// cluster exists). Baseline, measured in the same run: PostgreSQL alone (initdb + pg_ctl start
// for cold, pg_ctl start for warm) on the same machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_DIR } from '../stack/config.ts';
import { startPostgres } from '../stack/postgres.ts';
import { freePort } from '../../tests/support/ports.ts';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const TIMEOUT_MS = 120_000;

async function waitForApi(url: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited early with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/auth/v1/health`, { headers: { apikey: 'x' } });
      if (res.status > 0) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('stack did not answer in time');
}

/** Starts scripts/start.ts in a child process and returns ms until its API answers, then stops it. */
async function timeStart(stateDir: string): Promise<{ startMs: number; stopMs: number }> {
  const apiPort = await freePort();
  const env = {
    ...process.env,
    EMILY_STATE_DIR: stateDir,
    EMILY_API_PORT: String(apiPort),
    EMILY_DB_PORT: String(await freePort()),
    EMILY_BACKOFFICE_PORT: String(await freePort()),
    EMILY_DEMO_PORT: String(await freePort()),
  };
  const t0 = performance.now();
  const child = spawn(join(ROOT_DIR, 'node_modules', '.bin', 'tsx'), [join(ROOT_DIR, 'scripts', 'start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  try {
    await waitForApi(`http://127.0.0.1:${apiPort}`, child, Date.now() + TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  const startMs = performance.now() - t0;
  const t1 = performance.now();
  await new Promise<void>((resolve) => { child.on('close', () => resolve()); child.kill('SIGINT'); });
  return { startMs, stopMs: performance.now() - t1 };
}

async function pgAlone(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const cluster = startPostgres({ dataDir, port: await freePort() });
  const ms = performance.now() - t0;
  cluster.stop();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${Math.round(ms)} ms`;

const cold: number[] = [], warm: number[] = [], stops: number[] = [], pgCold: number[] = [], pgWarm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'emily-bench-start-'));
  chmodSync(dir, 0o755);
  try {
    process.stdout.write(`run ${i + 1}/${RUNS}: cold… `);
    const c = await timeStart(dir);
    cold.push(c.startMs); stops.push(c.stopMs);
    process.stdout.write(`${fmt(c.startMs)}, warm… `);
    const w = await timeStart(dir);
    warm.push(w.startMs); stops.push(w.stopMs);
    process.stdout.write(`${fmt(w.startMs)}, postgres alone… `);
    const pgDir = join(dir, 'pg-baseline');
    pgCold.push(await pgAlone(pgDir));
    pgWarm.push(await pgAlone(pgDir));
    console.log(`${fmt(pgCold.at(-1)!)} / ${fmt(pgWarm.at(-1)!)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`
Start-up of the whole local stack (npm start → API answering), median of ${RUNS}:
  cold (new cluster, migrations, seed):  ${fmt(median(cold))}   vs PostgreSQL alone ${fmt(median(pgCold))}  → ×${(median(cold) / median(pgCold)).toFixed(1)}
  warm (existing cluster):               ${fmt(median(warm))}   vs PostgreSQL alone ${fmt(median(pgWarm))}  → ×${(median(warm) / median(pgWarm)).toFixed(1)}
  stop (Ctrl-C to exit):                 ${fmt(median(stops))}
  aim: warm start under 3000 ms → ${median(warm) < 3000 ? 'met' : 'NOT met'}`);
