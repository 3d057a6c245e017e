// The stack applies the project's migrations with the real Supabase CLI, so the history table is
// the one production has and `supabase migration list` / `db push` agree with it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../scripts/stack/config.ts';
import { cliDbUrl, migrationVersions, runCli } from '../../scripts/stack/migrate.ts';

const stack = inject('stack');

describe('migrations', () => {
  it('are recorded by the CLI in supabase_migrations.schema_migrations, one row per file, with their statements', async () => {
    const files = readdirSync(join(ROOT_DIR, 'supabase', 'migrations')).filter((f) => f.endsWith('.sql')).sort();
    const client = new pg.Client({ connectionString: stack.dbUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; name: string; n: number }>(
        'select version, name, coalesce(array_length(statements, 1), 0) as n from supabase_migrations.schema_migrations order by version',
      );
      expect(rows.map((r) => r.version)).toEqual(migrationVersions());
      expect(rows.map((r) => `${r.version}_${r.name}.sql`)).toEqual(files);
      for (const row of rows) expect(row.n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('leave nothing for `supabase migration list` to report as pending', async () => {
    const { code, out } = await runCli(['migration', 'list', '--db-url', cliDbUrl(stack.dbUrl)]);
    expect(code).toBe(0);
    for (const version of migrationVersions()) {
      // Each line shows the version twice (local | remote, each in backticks): applied.
      expect(out).toMatch(new RegExp(`${version}\\W*\\|\\W*${version}`));
    }
  });
});
