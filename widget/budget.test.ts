// The shipped files stay within their gzipped budgets: built here into a temporary folder with
// the same settings as dist/widget, then compressed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { SIZE_BUDGETS, type WidgetFile } from './budgets.ts';
import { build } from './build.ts';

const out = mkdtempSync(join(tmpdir(), 'emily-widget-budget-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('widget size budgets', () => {
  it('keeps the loader and the chat app (realtime client included) within their gzipped budgets', async () => {
    await build({ quiet: true, outDir: out });
    for (const file of Object.keys(SIZE_BUDGETS) as WidgetFile[]) {
      const code = readFileSync(join(out, file));
      const gz = gzipSync(code, { level: 9 }).length;
      expect(gz, `${file}: ${gz} B gzipped`).toBeLessThanOrEqual(SIZE_BUDGETS[file]);
      // Source maps are produced and linked.
      expect(code.toString()).toContain(`//# sourceMappingURL=${file}.map`);
      expect(JSON.parse(readFileSync(join(out, `${file}.map`), 'utf8')).sources.length).toBeGreaterThan(0);
    }
  });

  it('bakes in the given Supabase URL and anon key and bundles the realtime client, not auth-js', async () => {
    const dir = join(out, 'custom');
    await build({ quiet: true, outDir: dir, supabaseUrl: 'https://abc.supabase.co/', anonKey: 'baked-anon-key' });
    const loader = readFileSync(join(dir, 'emily-loader.js'), 'utf8');
    expect(loader).toContain('"https://abc.supabase.co"');
    const app = readFileSync(join(dir, 'emily-chat.js'), 'utf8');
    // The anon key is the app's only (the loader's one request, widget-init, is public).
    expect(app).toContain('"baked-anon-key"');
    expect(loader).not.toContain('baked-anon-key');
    const map = JSON.parse(readFileSync(join(dir, 'emily-chat.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.includes('realtime-js'))).toBe(true);
    expect(map.sources.some((s) => s.includes('auth-js'))).toBe(false);
    // Nothing leaks out of the bundles: both are wrapped in a function scope.
    for (const code of [loader, app]) expect(code.startsWith('"use strict";(()=>{')).toBe(true);
  });
});
