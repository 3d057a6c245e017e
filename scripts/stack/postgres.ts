// Runs the machine's own PostgreSQL binaries as the stack's database: no Docker needed.
// Postgres refuses to run as root, so when we are root every server command runs as the
// `postgres` user, and the cluster must sit where that user can reach it.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, lstatSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Finds initdb/pg_ctl/postgres on PATH or in Debian's /usr/lib/postgresql/N/bin (newest first). */
export function findPgBin(): string {
  const candidates: string[] = [];
  if (process.env.EMILY_PG_BIN) candidates.push(process.env.EMILY_PG_BIN);
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or in /usr/lib/postgresql/*/bin.\n' +
      'Install them, for example on Debian/Ubuntu: sudo apt-get install postgresql-15 (pgTAP tests also need postgresql-15-pgtap).',
  );
}

function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function run(bin: string, args: string[], what: string): string {
  const [cmd, argv] = asPostgresUser(bin, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: '/' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${(r.stderr || r.stdout || '').trim()}`);
  return r.stdout;
}

/** True when the `postgres` user can enter every folder on the way to `dir`. */
function reachableByPostgres(dir: string): boolean {
  if (!isRoot) return true;
  const probe = existsSync(dir) ? dir : dirname(dir);
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', probe], { cwd: '/' }).status === 0;
}

/**
 * Makes sure `dataDir` can hold a cluster owned by `postgres`. When the checkout sits in a folder
 * the postgres user cannot traverse (CI clones into root-only folders), the cluster lives in a
 * per-checkout folder under the system temp dir and `dataDir` becomes a symlink to it.
 */
export function prepareDataDir(dataDir: string): string {
  mkdirSync(dirname(dataDir), { recursive: true });
  if (existsSync(dataDir)) return realpathSync(dataDir);
  try { if (lstatSync(dataDir).isSymbolicLink()) rmSync(dataDir); } catch { /* absent */ }
  if (reachableByPostgres(dirname(dataDir))) {
    mkdirSync(dataDir, { recursive: true });
    return dataDir;
  }
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  const home = join(tmpdir(), `emily-pg-${key}`);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chmodSync(home, 0o755);
  symlinkSync(home, dataDir);
  return home;
}

export interface PgCluster {
  bin: string;
  dataDir: string;
  port: number;
  socketDir: string;
  logFile: string;
  created: boolean;
  stop(): void;
  /**
   * `pg_ctl restart -m fast` with the same settings (tests of reconnecting clients). Asynchronous
   * so that this process's own connections (replication clients) can answer during the shutdown.
   */
  restart(): Promise<void>;
}

export interface StartPgOptions {
  dataDir: string;
  port: number;
  host?: string;
  /** Delete the cluster first (npm start -- --reset). */
  reset?: boolean;
}

function chownToPostgres(path: string) {
  if (isRoot) spawnSync('chown', ['-R', 'postgres:postgres', path]);
}

/** Creates the cluster if needed and starts it; resolves once it accepts connections. */
export function startPostgres(opts: StartPgOptions): PgCluster {
  const bin = findPgBin();
  if (opts.reset && existsSync(opts.dataDir)) {
    const real = realpathSync(opts.dataDir);
    stopCluster(bin, real);
    rmSync(real, { recursive: true, force: true });
    rmSync(opts.dataDir, { recursive: true, force: true });
  }
  const dir = prepareDataDir(opts.dataDir);
  const pgdata = join(dir, 'pgdata');
  const socketDir = join(dir, 'sock');
  const logFile = join(dir, 'postgres.log');
  mkdirSync(socketDir, { recursive: true });
  chownToPostgres(dir);
  let created = false;
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    rmSync(pgdata, { recursive: true, force: true });
    run(join(bin, 'initdb'), ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], 'initdb');
    created = true;
  }
  // A cluster left running by a crashed start is stopped so that its settings (port) are ours.
  stopCluster(bin, dir);
  const settings = [
    `-p ${opts.port}`,
    `-c listen_addresses=${opts.host ?? '127.0.0.1'}`,
    `-k ${socketDir}`,
    '-c wal_level=logical',
    '-c max_wal_senders=20',
    '-c max_replication_slots=20',
    '-c max_connections=300',
    '-c fsync=off',
    // Commits write their WAL at once (no fsync: fsync is off), so logical replication (Realtime's
    // database broadcasts) sees each commit immediately instead of after the WAL writer's 200 ms.
    '-c synchronous_commit=on',
    '-c full_page_writes=off',
    '-c shared_buffers=256MB',
    '-c log_min_messages=warning',
    // pgTAP, plpgsql_check (supabase db lint) and our realtime server rely on these.
    "-c shared_preload_libraries=''",
  ].join(' ');
  try {
    run(join(bin, 'pg_ctl'), ['-D', pgdata, '-l', logFile, '-w', '-t', '60', '-o', settings, 'start'], 'pg_ctl start');
  } catch (err) {
    // pg_ctl interrupted (Ctrl-C reaches it too) or timed out: the server it launched runs in a
    // session of its own and would outlive us.
    stopCluster(bin, dir);
    throw err;
  }
  return {
    bin, dataDir: dir, port: opts.port, socketDir, logFile, created,
    stop: () => stopCluster(bin, dir),
    restart: () => new Promise<void>((resolve, reject) => {
      const [cmd, argv] = asPostgresUser(join(bin, 'pg_ctl'), ['-D', pgdata, '-l', logFile, '-w', '-t', '60', '-m', 'fast', '-o', settings, 'restart']);
      const child = spawn(cmd, argv, { cwd: '/', stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl restart failed (${code})`))));
    }),
  };
}

function stopCluster(bin: string, dir: string) {
  const pgdata = join(dir, 'pgdata');
  if (!existsSync(join(pgdata, 'postmaster.pid'))) return;
  const [cmd, argv] = asPostgresUser(join(bin, 'pg_ctl'), ['-D', pgdata, '-m', 'fast', '-w', '-t', '30', 'stop']);
  spawnSync(cmd, argv, { cwd: '/', stdio: 'ignore' });
}

/** Last lines of the server log, for error messages. */
export function tailLog(cluster: Pick<PgCluster, 'logFile'>, lines = 20): string {
  try { return readFileSync(cluster.logFile, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

