// Widget cost benchmark (`npm run bench -- widget-size`):
//  1. Sizes: emily-loader.js and emily-chat.js minified, gzip -9 and brotli, against their budgets
//     and against a baseline built in this run with the same esbuild settings: the full
//     @supabase/supabase-js client (what a widget built on createClient() would ship).
//  2. In Chromium, against a throw-away local stack: time from the loader's arrival to the
//     launcher being visible, and the main-thread time the loader plus the idle-loaded app add to a
//     page (CDP Performance.getMetrics TaskDuration, with the widget minus without it, same page).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ROOT_DIR } from '../stack/config.ts';
import { SIZE_BUDGETS, type WidgetFile } from '../../widget/budgets.ts';
import { build, sharedOptions } from '../../widget/build.ts';
import { startTestStack } from '../../tests/support/stack.ts';
import { launchChromium } from '../../tests/browser/support/chromium.ts';
import { serveTestSite } from '../../tests/browser/support/pages.ts';
import { embedPage } from '../../tests/browser/support/widget.ts';

const RUNS = Number(process.env.EMILY_BENCH_RUNS ?? 15);
/** HTTP Archive's main-thread time per page for Crisp, the lightest incumbent (issue 6). */
const CRISP_MAIN_THREAD_MS = 33;

const sizes = (code: Buffer) => ({
  min: code.length,
  gz: gzipSync(code, { level: 9 }).length,
  br: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
};

async function measureSizes(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'emily-bench-widget-'));
  try {
    await build({ quiet: true, outDir: dir });
    const entry = join(dir, 'baseline.ts');
    writeFileSync(entry, `import { createClient } from '@supabase/supabase-js';\n(globalThis as any).x = createClient;\n`);
    await esbuild.build({ ...sharedOptions(), entryPoints: [entry], outfile: join(dir, 'baseline.js'), nodePaths: [join(ROOT_DIR, 'node_modules')], sourcemap: false });
    const baseline = sizes(readFileSync(join(dir, 'baseline.js')));
    console.log(`Baseline, same esbuild settings: @supabase/supabase-js createClient  min ${kb(baseline.min)}  gzip ${kb(baseline.gz)}  brotli ${kb(baseline.br)}`);
    console.log('file               minified   gzip      brotli    budget (gzip)   vs supabase-js (gzip)');
    for (const file of Object.keys(SIZE_BUDGETS) as WidgetFile[]) {
      const s = sizes(readFileSync(join(dir, file)));
      const budget = SIZE_BUDGETS[file];
      const verdict = s.gz <= budget ? 'within' : 'OVER';
      console.log(
        `${file.padEnd(18)} ${kb(s.min).padEnd(10)} ${kb(s.gz).padEnd(9)} ${kb(s.br).padEnd(9)} ${kb(budget)} ${verdict} (${Math.round((100 * s.gz) / budget)}%)   ${(s.gz / baseline.gz).toFixed(2)}×`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Set before any page script: notes when the launcher becomes visible. */
const LAUNCHER_WATCH = `(() => {
  const tick = () => {
    const l = document.querySelector('emily-chat')?.shadowRoot?.querySelector('.launcher.shown');
    if (l && getComputedStyle(l).opacity !== '0') { document.documentElement.dataset.launcherAt = String(performance.now()); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

async function measureInChromium(): Promise<void> {
  const stack = await startTestStack({}, { noStatic: true });
  const site = await serveTestSite();
  const browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  const deadline = Date.now() + 5 * 60_000;
  try {
    const { apiUrl, anonKey, demo } = stack.info;
    const body = `<main><h1>Shop</h1>${'<p>Some page content to lay out and paint.</p>'.repeat(40)}</main>`;
    site.set('/with', { html: embedPage({ widgetUrl: `${apiUrl}/widget`, config: { websiteId: demo.websiteId, supabaseUrl: apiUrl, anonKey }, body }) });
    site.set('/without', { html: `<!doctype html><html><head><meta charset="utf-8"><title>Test shop</title></head><body>${body}</body></html>` });

    const launcher: number[] = [];
    const added: number[] = [];
    const withTask: number[] = [];
    const withoutTask: number[] = [];
    let cold = NaN;
    for (let run = 0; run < RUNS && Date.now() < deadline; run++) {
      for (const variant of ['without', 'with'] as const) {
        const page = await browser.context.newPage();
        await page.addInitScript(LAUNCHER_WATCH);
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.goto(`${site.origin}/${variant}`, { waitUntil: 'load' });
        if (variant === 'with') {
          // The app loads when the browser is idle; wait for it, then let it settle.
          await page.waitForFunction(() => !!document.querySelector('emily-chat')?.shadowRoot?.querySelector('.panel'), null, { timeout: 15_000 });
          const ms = await page.evaluate(() => {
            const loader = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/emily-loader.js')) as PerformanceResourceTiming;
            return Number(document.documentElement.dataset.launcherAt) - loader.responseEnd;
          });
          if (run === 0) cold = ms;
          else launcher.push(ms);
        }
        await page.waitForTimeout(500);
        const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
        const task = 1000 * (metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN);
        (variant === 'with' ? withTask : withoutTask).push(task);
        await cdp.detach();
        await page.close();
      }
      if (run > 0) added.push(withTask[withTask.length - 1] - withoutTask[withoutTask.length - 1]);
    }
    const f = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`\nChromium, ${launcher.length + 1} page loads per variant (first one cold, the rest with a warm HTTP cache):`);
    console.log(`loader arrived → launcher visible (incl. widget-init): cold ${f(cold)}; warm p50 ${f(median(launcher))}, p95 ${f(p95(launcher))}`);
    console.log(`main-thread time, page without widget (baseline): p50 ${f(median(withoutTask))}`);
    console.log(`main-thread time, page with loader + idle-loaded app: p50 ${f(median(withTask))}`);
    console.log(
      `main-thread time the widget adds: p50 ${f(median(added))}, p95 ${f(p95(added))}  ` +
        `(${(median(added) / median(withoutTask)).toFixed(2)}× the bare page; Crisp's HTTP Archive figure: ${CRISP_MAIN_THREAD_MS} ms)`,
    );
  } finally {
    await browser.close();
    await site.close();
    await stack.stop();
  }
}

await measureSizes();
if (process.env.EMILY_BENCH_SIZES_ONLY !== '1') await measureInChromium();
process.exit(0);
