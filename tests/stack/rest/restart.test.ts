// The REST service across a Postgres restart, on a private stack: requests work again once
// Postgres is back, and the schema-cache LISTEN connection reconnects so NOTIFY still reloads.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../scripts/stack/postgres.ts';
import type { RunningStack } from '../../../scripts/stack/stack.ts';
import { FIXTURE_SCHEMA, startTestStack } from '../../support/stack.ts';

let stack: RunningStack;
const TABLES = ['r0'];

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: stack.info.dbUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function get(table: string) {
  const res = await fetch(`${stack.info.apiUrl}/rest/v1/${table}?select=id`, {
    headers: { apikey: stack.info.anonKey, 'Accept-Profile': FIXTURE_SCHEMA },
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

/**
 * `pg_ctl stop -m fast`, asynchronously: this process's own replication clients (realtime) must
 * keep answering while Postgres shuts down.
 */
function stopPostgres(): Promise<void> {
  const { bin, dataDir } = stack.cluster;
  const args = ['-D', join(dataDir, 'pgdata'), '-m', 'fast', '-w', '-t', '60', 'stop'];
  const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args]] : [join(bin, 'pg_ctl'), args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: '/', stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl stop failed (${code})`))));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  stack = await startTestStack({}, { noStatic: true });
  await admin((c) => c.query(`create schema if not exists ${FIXTURE_SCHEMA}; grant usage on schema ${FIXTURE_SCHEMA} to anon;
    ${TABLES.map((t) => `create table ${FIXTURE_SCHEMA}.${t} (id int); grant select on ${FIXTURE_SCHEMA}.${t} to anon;`).join('\n')}
    create function ${FIXTURE_SCHEMA}.anon_timeout() returns text language sql stable as $$ select current_setting('statement_timeout') $$;
    notify pgrst, 'reload schema'`));
  for (const t of TABLES) await until(`${t} to be served`, async () => ((await get(t)).status === 200 ? true : undefined));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('Postgres restart', () => {
  it('answers 503 with a PostgREST connection error while Postgres is down, then serves again', async () => {
    await stopPostgres();
    try {
      const down = await fetch(`${stack.info.apiUrl}/rest/v1/r0?select=id`, {
        headers: { apikey: stack.info.anonKey, 'Accept-Profile': FIXTURE_SCHEMA },
      });
      expect(down.status).toBe(503);
      const body = await down.json();
      expect(['PGRST000', 'PGRST001', '57P01']).toContain(body.code);
      expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message']);
    } finally {
      startPostgres({ dataDir: stack.config.dataDir, port: stack.config.dbPort, host: stack.config.host });
    }
    await until('requests to work again', async () => ((await get('r0')).status === 200 ? true : undefined));
  }, 60_000);

  it('serves again after a restart and still reloads its schema cache on NOTIFY', async () => {
    await stack.cluster.restart();
    await until('requests to work again', async () => ((await get('r0')).status === 200 ? true : undefined));
    await until('the LISTEN connection to come back', () => admin(async (c) => {
      const { rows } = await c.query("select count(*)::int as n from pg_stat_activity where application_name = 'emily-rest-listener'");
      return rows[0].n === 1 ? true : undefined;
    }));

    // Role settings are read into the schema cache and nothing but a reload refreshes them, so a
    // changed statement_timeout shows through /rest/v1 only once the NOTIFY has been heard. A
    // reload racing the first check spoils a round; the next value is tried.
    const timeout = async () => {
      const res = await fetch(`${stack.info.apiUrl}/rest/v1/rpc/anon_timeout`, {
        headers: { apikey: stack.info.anonKey, 'Accept-Profile': FIXTURE_SCHEMA },
      });
      return res.json();
    };
    let proven = false;
    let current = await timeout();
    for (const value of ['4s', '5s', '6s', '7s']) {
      await admin((c) => c.query(`alter role anon set statement_timeout = '${value}'`));
      const stale = await timeout();
      if (stale !== current) {
        current = stale;
        continue;
      }
      await admin((c) => c.query("notify pgrst, 'reload schema'"));
      current = await until('the NOTIFY reload', async () => ((await timeout()) === value ? value : undefined));
      proven = true;
      break;
    }
    expect(proven).toBe(true);
  }, 60_000);
});
