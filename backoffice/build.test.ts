// The backoffice build: a static folder for any CDN, with the pages' <meta> placeholders left for
// the local stack to fill, the Supabase URL and key baked in, source maps, and a first load kept
// lean (uPlot only in the chunk the analytics page loads).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from './build.ts';

/** Gzipped bytes the first page load may fetch (supabase-js alone is ~60 KB of it). */
const FIRST_LOAD_BUDGET = 110_000;
const outDir = mkdtempSync(join(tmpdir(), 'emily-backoffice-build-'));
let result: BuildResult;

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('backoffice build', () => {
  it('writes the pages, the app, its chunks and source maps', { timeout: 60_000 }, async () => {
    result = await build({ quiet: true, outDir, supabaseUrl: 'https://ref.example.co/', anonKey: 'anon-key-for-test' });
    const files = Object.keys(result.files);
    expect(files).toEqual(expect.arrayContaining(['index.html', 'preview.html', 'assets/app.js', 'assets/app.css', 'assets/preview.js', 'assets/preview.css']));
    expect(readdirSync(join(outDir, 'assets'))).toEqual(expect.arrayContaining(['app.js.map', 'preview.js.map']));
    const index = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const name of ['API_URL', 'ANON_KEY', 'WIDGET_URL', 'DEMO_WEBSITE_ID']) expect(index).toContain(`{{${name}}}`);
    expect(index).toMatch(/assets\/app\.js\?v=[\w-]{12}"/);
    const app = readFileSync(join(outDir, 'assets', 'app.js'), 'utf8');
    expect(app).toContain('https://ref.example.co');
    expect(app).toContain('anon-key-for-test');
    expect(app).not.toMatch(/service_role/);
  });

  it('keeps the first load under its budget, with uPlot loaded on demand', () => {
    console.log(`[backoffice] first load ${(result.initialGzip / 1000).toFixed(1)} KB gzipped (budget ${FIRST_LOAD_BUDGET / 1000} KB)`);
    expect(result.initialGzip).toBeLessThan(FIRST_LOAD_BUDGET);
    const app = readFileSync(join(outDir, 'assets', 'app.js'), 'utf8');
    expect(app).not.toContain('uPlot');
    const chunk = Object.keys(result.files).find((f) => /chunks\/uplot-chart-/.test(f));
    expect(chunk).toBeDefined();
    expect(readFileSync(join(outDir, chunk!), 'utf8')).toContain('uplot');
  });
});
