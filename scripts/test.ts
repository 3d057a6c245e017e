// `npm test`: the whole suite against one throw-away local stack.
//   1. build the widget and the backoffice (browser tests load them)
//   2. start a stack on free ports with a new cluster
//   3. pgTAP (supabase/tests/database) with pg_prove, and `supabase db lint`
//   4. Deno tests of the Edge Functions (supabase/functions/**/*_test.ts)
//   5. TypeScript: `tsc -p .` over the Node, test and widget code (Vitest runs TS without checking it;
//      Deno checks the functions and backoffice/typecheck.test.ts the backoffice)
//   6. Vitest: unit, conformance, integration and browser tests (they reuse the stack)
// Extra arguments go to vitest (e.g. `npm test -- tests/stack/auth.test.ts`).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { buildAll } from './build.ts';
import { ROOT_DIR } from './stack/config.ts';
import { cliDbUrl, runCli } from './stack/migrate.ts';
import { startTestStack } from '../tests/support/stack.ts';

const vitestArgs = process.argv.slice(2);
const only = process.env.EMILY_TEST_ONLY?.split(',').map((s) => s.trim());
const want = (step: string) => !only || only.includes(step);

function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd = ROOT_DIR): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (err) => { console.error(`${cmd}: ${err.message}`); resolve(127); });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const results: Array<{ step: string; ok: boolean; ms: number; note?: string }> = [];
async function step(name: string, fn: () => Promise<boolean | { ok: boolean; note: string }>) {
  console.log(`\n━━ ${name} ━━`);
  const t0 = performance.now();
  let outcome: boolean | { ok: boolean; note: string };
  try {
    outcome = await fn();
  } catch (err) {
    console.error(err);
    outcome = false;
  }
  const ok = typeof outcome === 'boolean' ? outcome : outcome.ok;
  const note = typeof outcome === 'boolean' ? undefined : outcome.note;
  results.push({ step: name, ok, ms: Math.round(performance.now() - t0), note });
}

const t0 = performance.now();
console.log('Emily test suite: building…');
await buildAll({ quiet: true });
console.log('Starting a throw-away local stack…');
const stack = await startTestStack();
const { info } = stack;
console.log(`Stack ready on ${info.apiUrl} (db ${info.dbUrl}) in ${Math.round(performance.now() - t0)} ms`);

try {
  const pgtapDir = join(ROOT_DIR, 'supabase', 'tests', 'database');
  const pgtapFiles = existsSync(pgtapDir) ? readdirSync(pgtapDir).filter((f) => f.endsWith('.sql')).sort() : [];
  if (want('pgtap')) {
    await step(`pgTAP (${pgtapFiles.length} files)`, async () => {
      if (!pgtapFiles.length) return { ok: true, note: 'no pgTAP files yet' };
      const client = new pg.Client({ connectionString: info.dbUrl });
      await client.connect();
      try {
        await client.query('create extension if not exists pgtap with schema extensions');
        return (await run('pg_prove', ['--ext', '.sql', '-d', info.dbUrl, ...pgtapFiles.map((f) => join(pgtapDir, f))], {
          PGOPTIONS: '-c search_path=public,extensions',
        })) === 0;
      } finally {
        // pgTAP's own plpgsql functions are not the project's: keep them out of `supabase db lint`.
        await client.query('drop extension if exists pgtap').catch(() => {});
        await client.end();
      }
    });
  }
  if (want('lint')) {
    await step('supabase db lint', async () => {
      const { code, out } = await runCli(['db', 'lint', '--db-url', cliDbUrl(info.dbUrl), '--level', 'warning', '--fail-on', 'warning']);
      console.log(out.trim());
      return code === 0;
    });
  }
  if (want('deno')) {
    await step('Deno tests (supabase/functions)', async () => {
      const deno = join(ROOT_DIR, 'node_modules', '.bin', 'deno');
      const dir = join(ROOT_DIR, 'supabase', 'functions');
      return (await run(deno, ['test', '--allow-all', '--quiet', '--permit-no-files'], { EMILY_TEST_STACK: JSON.stringify(info) }, dir)) === 0;
    });
  }
  if (want('types')) {
    await step('TypeScript (tsc -p .)', async () => (await run(join(ROOT_DIR, 'node_modules', '.bin', 'tsc'), ['-p', ROOT_DIR], {})) === 0);
  }
  if (want('vitest')) {
    await step('Vitest (unit, conformance, integration, browser)', async () =>
      (await run(join(ROOT_DIR, 'node_modules', '.bin', 'vitest'), ['run', ...vitestArgs], { EMILY_TEST_STACK: JSON.stringify(info) })) === 0);
  }
} finally {
  await stack.stop();
}

console.log('\n━━ Summary ━━');
for (const r of results) console.log(`${r.ok ? '✔' : '✘'} ${r.step}  ${r.ms} ms${r.note ? `  (${r.note})` : ''}`);
const failed = results.filter((r) => !r.ok);
console.log(failed.length ? `\n${failed.length} step(s) failed.` : `\nAll steps passed in ${Math.round((performance.now() - t0) / 1000)} s.`);
process.exit(failed.length ? 1 : 0);
