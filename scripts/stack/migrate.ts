// Brings a cluster to the state a hosted Supabase project is in: the platform bootstrap first
// (what Supabase provides before any project migration), then the project's migrations applied
// by the real Supabase CLI (so supabase_migrations.schema_migrations is the same table production
// has), then supabase/seed.sql on a new database.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT_DIR } from './config.ts';

const PLATFORM_DIR = join(ROOT_DIR, 'scripts', 'stack', 'platform');

function platformSql(): { sql: string; hash: string } {
  const files = readdirSync(PLATFORM_DIR).filter((f) => f.endsWith('.sql')).sort();
  const sql = files.map((f) => `-- ${f}\n${readFileSync(join(PLATFORM_DIR, f), 'utf8')}`).join('\n');
  return { sql, hash: createHash('sha256').update(sql).digest('hex') };
}

/** Applies the platform bootstrap when it is missing or its text has changed. Returns true if applied. */
export async function applyPlatform(dbUrl: string): Promise<boolean> {
  const { sql, hash } = platformSql();
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists _emily_local;
      create table if not exists _emily_local.platform (id int primary key default 1, hash text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query('select hash from _emily_local.platform where id = 1');
    if (rows[0]?.hash === hash) return false;
    await client.query('begin');
    await client.query(sql);
    await client.query(`insert into _emily_local.platform (id, hash) values (1, $1)
      on conflict (id) do update set hash = excluded.hash, applied_at = now()`, [hash]);
    await client.query('commit');
    return true;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

export function supabaseCli(): string {
  const bin = join(ROOT_DIR, 'node_modules', '.bin', 'supabase');
  if (!existsSync(bin)) throw new Error('The Supabase CLI is missing: run npm install (it is the devDependency "supabase").');
  return bin;
}

/** Runs the Supabase CLI in the repository (it finds supabase/ from its working directory). */
export function runCli(args: string[], opts: { cwd?: string } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(supabaseCli(), args, {
      cwd: opts.cwd ?? ROOT_DIR,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

export function cliDbUrl(dbUrl: string): string {
  return `${dbUrl}${dbUrl.includes('?') ? '&' : '?'}sslmode=disable`;
}

/** Versions (timestamp prefixes) of the files in supabase/migrations, as the CLI names them. */
export function migrationVersions(dir = join(ROOT_DIR, 'supabase', 'migrations')): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^(\d+)_.*\.sql$/.exec(f)?.[1])
    .filter((v): v is string => !!v)
    .sort();
}

/** True when every migration file is already in the CLI's history table. */
async function allMigrationsApplied(dbUrl: string): Promise<boolean> {
  const versions = migrationVersions();
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows: [history] } = await client.query(`select to_regclass('supabase_migrations.schema_migrations') as t`);
    if (!history?.t) return false;
    const { rows } = await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    return versions.every((v) => applied.has(v));
  } finally {
    await client.end();
  }
}

/**
 * `supabase migration up --db-url …`: applies the migrations not yet in the history table.
 * When the history already lists every file, the CLI would do nothing, so it is not started:
 * that saves about half a second on every warm start.
 */
export async function applyMigrations(dbUrl: string): Promise<{ ran: boolean; out: string }> {
  if (await allMigrationsApplied(dbUrl)) return { ran: false, out: 'Local database is up to date.' };
  const { code, out } = await runCli(['migration', 'up', '--include-all', '--db-url', cliDbUrl(dbUrl)]);
  if (code !== 0) throw new Error(`supabase migration up failed:\n${out.trim()}`);
  return { ran: true, out };
}

/** Runs supabase/seed.sql once, on a database that has never been seeded. */
export async function applySeed(dbUrl: string, seedFile = join(ROOT_DIR, 'supabase', 'seed.sql')): Promise<boolean> {
  if (!existsSync(seedFile)) return false;
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query('create table if not exists _emily_local.seeded (id int primary key default 1, at timestamptz not null default now())');
    const { rowCount } = await client.query('select 1 from _emily_local.seeded');
    if (rowCount) return false;
    await client.query('begin');
    await client.query(readFileSync(seedFile, 'utf8'));
    await client.query('insert into _emily_local.seeded default values');
    await client.query('commit');
    return true;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw new Error(`supabase/seed.sql failed: ${(err as Error).message}`);
  } finally {
    await client.end();
  }
}
