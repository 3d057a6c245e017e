// `npm start` as a user runs it (issue 2): package.json's start command (scripts/start.ts with the
// repo's tsx) in a child process, on free ports with a temp state dir. It writes local.json with the URLs and keys of
// those ports; Ctrl-C (SIGINT) exits 0 leaving no postmaster, no Deno child and no port behind; a
// second start reuses the cluster (same cluster, data kept, no re-seed); `--reset` starts from the
// migrations and the seed again. A Ctrl-C during the start-up stops everything too. `--no-build`: `npm test` has built dist/ and browser tests may be
// reading it at this moment, so the lifecycle runs must not rewrite it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ROOT_DIR, signApiKey } from '../../scripts/stack/config.ts';
import { DEMO_OWNER, DEMO_WEBSITE_ID } from '../../scripts/stack/stack.ts';
import { freePort } from '../support/ports.ts';

/** Exactly what `npm start` runs, without npm itself around it. */
const START_COMMAND = (JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 20_000;
const DEMO_NAME = 'Northside Cycles';

interface LocalJson {
  apiUrl: string;
  dbUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  mailDir: string;
  jwtSecret?: string;
  demo: { websiteId: string; siteUrl: string; backofficeUrl: string; ownerEmail: string; ownerPassword: string };
}

/** One `npm start`, leader of its own process group as a terminal's foreground job is. */
interface StartRun {
  child: ChildProcess;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

let stateDir: string;
let ports: { api: number; db: number; backoffice: number; demo: number };
const jwtSecret = randomBytes(24).toString('hex');
const runs: StartRun[] = [];

const localJsonPath = () => join(stateDir, 'local.json');
const pgdata = () => join(stateDir, 'db', 'pgdata');

function startEmily(extraArgs: string[] = []): StartRun {
  rmSync(localJsonPath(), { force: true }); // each run must write its own
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EMILY_STATE_DIR: stateDir,
    EMILY_API_PORT: String(ports.api),
    EMILY_DB_PORT: String(ports.db),
    EMILY_BACKOFFICE_PORT: String(ports.backoffice),
    EMILY_DEMO_PORT: String(ports.demo),
    SUPABASE_JWT_SECRET: jwtSecret,
    PATH: `${join(ROOT_DIR, 'node_modules', '.bin')}:${process.env.PATH}`,
  };
  delete env.SUPABASE_ANON_KEY;
  delete env.SUPABASE_SERVICE_ROLE_KEY;
  // `exec`: the shell becomes the start command, so child.pid is the process Ctrl-C reaches.
  const child = spawn('sh', ['-c', `exec ${START_COMMAND} "$@"`, 'sh', '--no-build', ...extraArgs], {
    cwd: ROOT_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => { text = (text + chunk.toString()).slice(-64_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const run: StartRun = {
    child,
    output: () => text,
    exited: false,
    exit: new Promise((resolve) => child.once('exit', (code, signal) => { run.exited = true; resolve({ code, signal }); })),
  };
  runs.push(run);
  return run;
}

async function waitFor<T>(what: string, run: StartRun | undefined, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (run?.exited) throw new Error(`${what}: npm start exited early.\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms.\n${run?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with local.json once start.ts says it is running. */
async function ready(run: StartRun): Promise<LocalJson> {
  try {
    return await waitFor('npm start ready', run, START_TIMEOUT_MS, () =>
      run.output().includes('Press Ctrl-C to stop.') ? (JSON.parse(readFileSync(localJsonPath(), 'utf8')) as LocalJson) : undefined);
  } catch (err) {
    const sessions = await databaseSessions();
    try { process.kill(-run.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    throw new Error(`${(err as Error).message}\nDatabase sessions: ${sessions}`);
  }
}

/** What the cluster is doing, for a start that does not finish. */
async function databaseSessions(): Promise<string> {
  const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${ports.db}/postgres`, connectionTimeoutMillis: 3_000 });
  try {
    await db.connect();
    const { rows } = await db.query(`select pid, application_name, backend_type, state, wait_event_type, wait_event, left(query, 160) as query
      from pg_stat_activity where pid <> pg_backend_pid()`);
    return JSON.stringify(rows, null, 1);
  } catch (err) {
    return (err as Error).message;
  } finally {
    await db.end().catch(() => {});
  }
}

/** pid → [parent pid, state, command line] of every process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string; cmdline: string }> {
  const table = new Map<number, { ppid: number; state: string; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      table.set(Number(entry), { ppid: Number(ppid), state, cmdline });
    } catch { /* it ended meanwhile */ }
  }
  return table;
}

function descendants(root: number): Array<{ pid: number; cmdline: string }> {
  const table = processTable();
  const found: Array<{ pid: number; cmdline: string }> = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, p] of table) if (p.ppid === parent) { found.push({ pid, cmdline: p.cmdline }); queue.push(pid); }
  }
  return found;
}

/** A zombie (exited, not yet reaped by an init that may never reap) counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function postmasterPid(): number | undefined {
  try { return Number(readFileSync(join(pgdata(), 'postmaster.pid'), 'utf8').split('\n')[0]); } catch { return undefined; }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function client(info: LocalJson): SupabaseClient {
  return createClient(info.apiUrl, info.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });
}

async function ownerClient(info: LocalJson): Promise<SupabaseClient> {
  const owner = client(info);
  const { error } = await owner.auth.signInWithPassword({ email: info.demo.ownerEmail, password: info.demo.ownerPassword });
  expect(error).toBeNull();
  return owner;
}

async function demoWebsiteName(info: LocalJson): Promise<string> {
  const owner = await ownerClient(info);
  const { data, error } = await owner.from('websites').select('id, name').eq('id', DEMO_WEBSITE_ID);
  expect(error).toBeNull();
  expect(data).toHaveLength(1);
  return data![0].name as string;
}

/** Which cluster this is (initdb picks a new identifier) and when the seed ran. */
async function clusterFacts(info: LocalJson): Promise<{ systemId: string; seededAt: string }> {
  const db = new pg.Client({ connectionString: info.dbUrl });
  await db.connect();
  try {
    const { rows: [{ system_identifier }] } = await db.query('select system_identifier::text from pg_control_system()');
    const { rows: seeded } = await db.query('select at::text from _emily_local.seeded');
    expect(seeded).toHaveLength(1);
    return { systemId: system_identifier, seededAt: seeded[0].at };
  } finally {
    await db.end();
  }
}

/** An Edge Function request, so that the stack has a Deno child to stop; returns its pids. */
async function denoChildrenAfterFunctionCall(run: StartRun, info: LocalJson): Promise<number[]> {
  const res = await fetch(`${info.apiUrl}/functions/v1/widget-init?website_id=${DEMO_WEBSITE_ID}`, {
    headers: { apikey: info.anonKey, Origin: info.demo.siteUrl },
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { website: { id: string } }).website.id).toBe(DEMO_WEBSITE_ID);
  const deno = descendants(run.child.pid!).filter((p) => /(^|\/)deno /.test(p.cmdline) && p.cmdline.includes('bootstrap.ts'));
  expect(deno.length).toBeGreaterThan(0);
  return deno.map((p) => p.pid);
}

/**
 * Ctrl-C in a terminal signals the whole foreground process group; `kill -INT` only the one pid.
 * Either way: exit 0, and nothing it started is left running or listening.
 */
async function interruptAndCheck(run: StartRun, how: 'group' | 'pid', apiUrl: string) {
  const postmaster = postmasterPid();
  expect(postmaster && alive(postmaster)).toBe(true);
  const started = descendants(run.child.pid!).map((p) => p.pid);
  process.kill(how === 'group' ? -run.child.pid! : run.child.pid!, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    run.exit,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => void databaseSessions().then((sessions) => {
        try { process.kill(-run.child.pid!, 'SIGKILL'); } catch { /* gone */ }
        reject(new Error(`no exit ${STOP_TIMEOUT_MS} ms after SIGINT\n${run.output()}\nDatabase sessions: ${sessions}`));
      }), STOP_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  expect(exit, run.output()).toEqual({ code: 0, signal: null });
  expect(run.output()).toContain('SIGINT: stopping Emily…');
  expect(run.output()).toContain('Stopped.');

  expect(alive(postmaster!)).toBe(false);
  expect(existsSync(join(pgdata(), 'postmaster.pid'))).toBe(false);
  // Children that got SIGTERM may take a moment to be gone; bounded.
  const leftovers = () => {
    const mine = [...processTable()].filter(([pid, p]) => pid !== process.pid && p.state !== 'Z' && p.cmdline.includes(stateDir));
    const survivors = started.filter(alive);
    return mine.length || survivors.length ? { mine, survivors } : undefined;
  };
  await waitFor('no process left', undefined, 3_000, () => (leftovers() ? undefined : true)).catch(() => {
    throw new Error(`left running: ${JSON.stringify(leftovers())}`);
  });
  for (const port of [ports.api, ports.db, ports.backoffice, ports.demo]) expect(await portFree(port), `port ${port}`).toBe(true);
  await expect(fetch(`${apiUrl}/auth/v1/health`)).rejects.toThrow();
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'emily-start-'));
  chmodSync(stateDir, 0o755); // the postgres user must reach the cluster inside it
  ports = { api: await freePort(), db: await freePort(), backoffice: await freePort(), demo: await freePort() };
});

afterAll(async () => {
  // Whatever failed: no npm start and no postmaster of this file outlives it.
  for (const run of runs) if (!run.exited) try { process.kill(-run.child.pid!, 'SIGKILL'); } catch { /* gone */ }
  const postmaster = postmasterPid();
  if (postmaster && alive(postmaster)) {
    process.kill(postmaster, 'SIGQUIT'); // immediate shutdown
    await waitFor('postmaster gone', undefined, 10_000, () => (alive(postmaster) ? undefined : true)).catch(() => process.kill(postmaster, 'SIGKILL'));
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

describe('npm start: local.json, Ctrl-C, warm start and --reset', () => {
  let marker: string;
  let firstCluster: { systemId: string; seededAt: string };

  it('first start: new cluster, local.json with the given ports and keys, a working API; Ctrl-C stops it all', async () => {
    const run = startEmily();
    const info = await ready(run);
    expect(run.output()).toContain('Platform bootstrap: new cluster');
    expect(run.output()).toContain('Seed: supabase/seed.sql applied');

    expect(info).toEqual({
      apiUrl: `http://127.0.0.1:${ports.api}`,
      dbUrl: `postgresql://postgres:postgres@127.0.0.1:${ports.db}/postgres`,
      anonKey: signApiKey('anon', jwtSecret),
      serviceRoleKey: signApiKey('service_role', jwtSecret),
      mailDir: join(stateDir, 'mail'),
      demo: {
        websiteId: DEMO_WEBSITE_ID,
        siteUrl: `http://127.0.0.1:${ports.demo}`,
        backofficeUrl: `http://127.0.0.1:${ports.backoffice}`,
        ownerEmail: DEMO_OWNER.email,
        ownerPassword: DEMO_OWNER.password,
      },
    });
    expect(run.output()).toContain(info.anonKey);

    const health = await fetch(`${info.apiUrl}/auth/v1/health`, { headers: { apikey: info.anonKey } });
    expect(health.status).toBe(200);
    const demoPage = await fetch(info.demo.siteUrl);
    expect(demoPage.status).toBe(200);
    expect(await demoPage.text()).toContain('emily-loader.js');

    // RLS decides: an anonymous visitor reads no website, the owner reads the demo one and edits it.
    const visitor = client(info);
    const { data: anon, error: anonError } = await visitor.auth.signInAnonymously();
    expect(anonError).toBeNull();
    expect(anon.user?.is_anonymous).toBe(true);
    const { data: hidden, error: hiddenError } = await visitor.from('websites').select('id');
    expect(hiddenError).toBeNull();
    expect(hidden).toEqual([]);
    expect(await demoWebsiteName(info)).toBe(DEMO_NAME);
    marker = `${DEMO_NAME} ${randomUUID()}`;
    const owner = await ownerClient(info);
    const { data: updated, error } = await owner.from('websites').update({ name: marker }).eq('id', DEMO_WEBSITE_ID).select('name');
    expect(error).toBeNull();
    expect(updated).toEqual([{ name: marker }]);

    firstCluster = await clusterFacts(info);
    await denoChildrenAfterFunctionCall(run, info);
    await interruptAndCheck(run, 'group', info.apiUrl);
  }, 90_000);

  it('second start reuses the cluster: same cluster, no re-seed, the edit kept; kill -INT stops it all', async () => {
    expect(marker, 'needs the first start').toBeDefined();
    const run = startEmily();
    const info = await ready(run);
    expect(run.output()).toContain('Platform bootstrap: checking');
    expect(run.output()).toContain('Migrations: up to date');
    expect(run.output()).not.toContain('Seed: supabase/seed.sql applied');
    expect(await clusterFacts(info)).toEqual(firstCluster);
    expect(await demoWebsiteName(info)).toBe(marker);

    await denoChildrenAfterFunctionCall(run, info);
    await interruptAndCheck(run, 'pid', info.apiUrl);
  }, 60_000);

  it('Ctrl-C during the start-up: the start-up finishes, then everything stops', async () => {
    expect(marker, 'needs the first start').toBeDefined();
    const run = startEmily();
    // PostgreSQL runs (in a session of its own) and the stack is not ready yet.
    await waitFor('postmaster up', run, START_TIMEOUT_MS, () => {
      const pid = postmasterPid();
      return pid && alive(pid) ? true : undefined;
    });
    expect(run.output()).not.toContain('Emily is running');
    await interruptAndCheck(run, 'group', `http://127.0.0.1:${ports.api}`);
    expect(run.output()).not.toContain('Emily is running');
  }, 60_000);

  it('--reset starts from the migrations and the seed again: the edit is gone', async () => {
    expect(marker, 'needs the first start').toBeDefined();
    const run = startEmily(['--reset']);
    const info = await ready(run);
    expect(run.output()).toContain('Platform bootstrap: new cluster');
    expect(run.output()).toContain('Seed: supabase/seed.sql applied');
    const facts = await clusterFacts(info);
    expect(facts.systemId).not.toBe(firstCluster.systemId);
    expect(await demoWebsiteName(info)).toBe(DEMO_NAME);

    await interruptAndCheck(run, 'group', info.apiUrl);
  }, 90_000);
});
