// Widget cost benchmark (`npm run bench -- widget-size`):
//  1. Sizes: emily-loader.js and emily-chat.js minified, gzip -9 and brotli, against their budgets
//     and against a baseline built in this run with the same esbuild settings: the full
//     @supabase/supabase-js client (what a widget built on createClient() would ship).
//  2. In Chromium, against a throw-away local stack: time from the loader's arrival to the
//     launcher being visible (first load on a cold cache, then warm), against a baseline measured
//     in the same runs: the least any launcher themed by the website can do (a few lines of script
//     that ask widget-init for the colour, then show a button in a shadow root); and the
//     main-thread time the widget adds to a page once it has settled after the browser's idle point (CDP
//     Performance.getMetrics TaskDuration and ThreadTime, with the widget minus without it, same
//     page), for a first-time visitor (nothing stored: the app is only downloaded) and for a
//     returning one with an open conversation (the app runs and joins its channel for the unread
//     badge), with the long tasks (> 50 ms) counted. Nothing polls inside the page while it is
//     measured.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ROOT_DIR } from '../stack/config.ts';
import { SIZE_BUDGETS, type WidgetFile } from '../../widget/budgets.ts';
import { build, sharedOptions } from '../../widget/build.ts';
import { startTestStack } from '../../tests/support/stack.ts';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from '../../tests/browser/support/chromium.ts';
import { serveTestSite } from '../../tests/browser/support/pages.ts';
import { embedPage } from '../../tests/browser/support/widget.ts';
import { widgetApi } from '../../widget/src/app/api/widget-api.ts';
import { authApi } from '../../widget/src/app/session/auth-api.ts';

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

/** Set before any page script of the launcher-timing pass: notes when the launcher becomes visible. */
const LAUNCHER_WATCH = `(() => {
  const tick = () => {
    const l = document.querySelector('emily-chat, baseline-launcher')?.shadowRoot?.querySelector('.launcher.shown');
    if (l && getComputedStyle(l).visibility === 'visible') { document.documentElement.dataset.launcherAt = String(performance.now()); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/**
 * The launcher-timing baseline, loaded the way the loader is (an async script at the end of the
 * page): the same widget-init request, then a plain button in a shadow root, shown when the answer
 * is in. What the loader adds over it is its own parsing, configuration, styles and drawing.
 */
const BASELINE_LAUNCHER = (apiUrl: string, websiteId: string) => `(() => {
  const host = document.createElement('baseline-launcher');
  const button = document.createElement('button');
  button.className = 'launcher';
  button.style.cssText = 'position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:28px;border:0;visibility:hidden';
  host.attachShadow({ mode: 'open' }).append(button);
  document.body.append(host);
  fetch(${JSON.stringify(`${apiUrl}/functions/v1/widget-init?website_id=${websiteId}`)})
    .then((r) => r.json())
    .then((init) => { button.style.background = init.website.primary_color; button.classList.add('shown'); button.style.visibility = 'visible'; });
})();`;

/** Set before any page script of the main-thread pass: counts long tasks (> 50 ms), nothing else. */
const LONG_TASKS = `(() => {
  window.__longTasks = 0;
  try { new PerformanceObserver((list) => { window.__longTasks += list.getEntries().length; }).observe({ type: 'longtask' }); } catch {}
})();`;

/** After the app has loaded (or the socket joined), the page is left alone this long before the reading. */
const SETTLE_MS = 1500;

/**
 * first-visit: a new browser profile for every load (cold HTTP and code caches, nothing stored),
 * as a visitor's very first page view; first-time: nothing stored, warm caches (a first-time
 * visitor's next pages); returning: a session and an open conversation stored, warm caches.
 */
type Visitor = 'first-visit' | 'first-time' | 'returning';

interface Reading {
  /** Wall time of the main thread's tasks (what HTTP Archive reports). */
  taskMs: number;
  /** CPU time of the main thread: what the page cost without the time other processes took the core. */
  cpuMs: number;
  longTasks: number;
}

async function measureInChromium(): Promise<void> {
  const stack = await startTestStack({}, { noStatic: true });
  const site = await serveTestSite();
  const browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  const deadline = Date.now() + 8 * 60_000;
  try {
    const { apiUrl, anonKey, demo } = stack.info;
    const body = `<main><h1>Shop</h1>${'<p>Some page content to lay out and paint.</p>'.repeat(40)}</main>`;
    site.set('/with', { html: embedPage({ widgetUrl: `${apiUrl}/widget`, config: { websiteId: demo.websiteId, supabaseUrl: apiUrl, anonKey }, body }) });
    site.set('/without', { html: `<!doctype html><html><head><meta charset="utf-8"><title>Test shop</title></head><body>${body}</body></html>` });
    site.set('/baseline', { html: `<!doctype html><html><head><meta charset="utf-8"><title>Test shop</title></head><body>${body}<script src="/baseline-launcher.js" async></script></body></html>` });
    site.set('/baseline-launcher.js', { html: BASELINE_LAUNCHER(apiUrl, demo.websiteId), headers: { 'Content-Type': 'text/javascript' } });

    // A returning visitor: a session and an open conversation in this browser's storage, as the
    // widget left them after a first chat (made here through the same Edge Functions).
    const session = await authApi(apiUrl, anonKey).signUpAnonymously();
    const sent = await widgetApi(apiUrl, anonKey, demo.websiteId).send(
      session.access_token,
      { website_id: demo.websiteId, content: 'Do you repair e-bikes?', client_id: randomUUID() },
      { conversation: () => {}, message: () => {}, delta: () => {}, done: () => {}, error: () => {} },
    );
    if (sent.kind !== 'stream' || !sent.stored) throw new Error('could not start the returning visitor\'s conversation');
    const conversationId = (await (await fetch(`${apiUrl}/functions/v1/widget-conversations?website_id=${demo.websiteId}`, {
      headers: { apikey: anonKey, authorization: `Bearer ${session.access_token}` },
    })).json()).conversations[0].id as string;
    const seed = {
      [`emily:${demo.websiteId}:session`]: JSON.stringify(session),
      [`emily:${demo.websiteId}:state`]: JSON.stringify({ user_id: session.user_id, conversation_id: conversationId, seen: null }),
    };

    /** One page load; the main-thread time its renderer spent, read once the widget is settled. */
    const load = async (variant: 'with' | 'without', visitor: Visitor): Promise<Reading> => {
      const fresh = visitor === 'first-visit' ? await launchChromium({ viewport: { width: 1280, height: 800 } }) : undefined;
      try {
        return await loadIn(fresh?.context ?? browser.context, variant, visitor);
      } finally {
        await fresh?.close();
      }
    };
    const loadIn = async (context: BrowserContext, variant: 'with' | 'without', visitor: Visitor): Promise<Reading> => {
      if (visitor !== 'first-visit') {
        const setup = await context.newPage();
        await setup.goto(`${site.origin}/without`);
        await setup.evaluate((items) => {
          localStorage.clear();
          for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
        }, visitor === 'returning' ? seed : {});
        await setup.close();
      }

      const page = await context.newPage();
      await page.addInitScript(LONG_TASKS);
      // Waits watch the network from outside the page: nothing polls inside it while it is measured.
      const appLoaded = variant === 'with' ? page.waitForResponse((r) => r.url().endsWith('/emily-chat.js'), { timeout: 20_000 }) : undefined;
      const joined = new Promise<void>((resolve) => page.on('websocket', (ws) => ws.on('framereceived', (f) => {
        if (String(f.payload).includes(`"realtime:conversation:${conversationId}","phx_reply",{"status":"ok"`)) resolve();
      })));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(`${site.origin}/${variant}`, { waitUntil: 'load' });
      if (variant === 'with') {
        await appLoaded;
        if (visitor === 'returning') await Promise.race([joined, new Promise((r) => setTimeout(r, 15_000))]);
      }
      await page.waitForTimeout(SETTLE_MS);
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
      const metric = (name: string) => 1000 * (metrics.find((m) => m.name === name)?.value ?? NaN);
      const taskMs = metric('TaskDuration');
      const cpuMs = metric('ThreadTime');
      const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number }).__longTasks);
      if (variant === 'with') {
        // Read after the measurement: the widget announced itself (first-time: the loader, on idle).
        const ready = await page.evaluate(() => new Promise<boolean>((resolve) => {
          (window as unknown as { EmilyChat: { on(e: string, f: () => void): void } }).EmilyChat.on('ready', () => resolve(true));
          setTimeout(() => resolve(false), 5000);
        }));
        if (!ready) throw new Error('the widget was not ready after the idle point');
      }
      await cdp.detach();
      await page.close();
      return { taskMs, cpuMs, longTasks };
    };

    const f = (n: number) => `${n.toFixed(1)} ms`;
    // First, on a cold HTTP cache: the launcher's appearance, from its script's arrival (the loader,
    // or the baseline's few lines) to the launcher visible. Its watcher polls every frame, so this
    // pass is kept apart from the main-thread readings. The two pages alternate, run by run; the
    // baseline's first load comes after the loader's, so its widget-init is already cached (the
    // warm figures are the fair comparison).
    const launcherVisible = async (path: 'with' | 'baseline', script: string): Promise<number> => {
      const page = await browser.context.newPage();
      await page.addInitScript(LAUNCHER_WATCH);
      await page.goto(`${site.origin}/${path}`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.documentElement.dataset.launcherAt, null, { timeout: 15_000 });
      const ms = await page.evaluate((name) => {
        const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith(name)) as PerformanceResourceTiming;
        return Number(document.documentElement.dataset.launcherAt) - entry.responseEnd;
      }, script);
      await page.close();
      return ms;
    };
    const launcher: number[] = [];
    const baseline: number[] = [];
    let cold = NaN;
    let coldBaseline = NaN;
    for (let run = 0; run < RUNS && Date.now() < deadline; run++) {
      const ms = await launcherVisible('with', '/emily-loader.js');
      const base = await launcherVisible('baseline', '/baseline-launcher.js');
      if (run === 0) [cold, coldBaseline] = [ms, base];
      else launcher.push(ms), baseline.push(base);
    }
    console.log(`\nChromium: loader arrived → launcher visible (incl. widget-init): first load ${f(cold)}; then p50 ${f(median(launcher))}, p95 ${f(p95(launcher))}`);
    console.log(
      `  baseline, same runs (a bare launcher shown after the same widget-init request): first load ${f(coldBaseline)}; then p50 ${f(median(baseline))}, p95 ${f(p95(baseline))}` +
        `; loader vs baseline: first load ${(cold / coldBaseline).toFixed(2)}×, p50 ${(median(launcher) / median(baseline)).toFixed(2)}×`,
    );
    console.log(`\nChromium, main-thread time (CDP TaskDuration; CPU time: ThreadTime) of the page with the widget minus the same page without it,`);
    console.log(`read ${SETTLE_MS} ms after the app's file arrived on idle (first-time visitor: downloaded only; returning: after its conversation channel joined):`);
    const summary: Record<Visitor, number> = { 'first-visit': NaN, 'first-time': NaN, returning: NaN };
    for (const visitor of ['first-visit', 'first-time', 'returning'] as const) {
      const added: number[] = [];
      const addedCpu: number[] = [];
      const without: number[] = [];
      let longWith = 0;
      let longWithout = 0;
      if (visitor !== 'first-visit') await load('with', visitor); // warms the HTTP cache and the code cache
      for (let run = 0; run < RUNS && Date.now() < deadline; run++) {
        const a = await load('without', visitor);
        const b = await load('with', visitor);
        added.push(b.taskMs - a.taskMs);
        addedCpu.push(b.cpuMs - a.cpuMs);
        without.push(a.taskMs);
        longWith += b.longTasks;
        longWithout += a.longTasks;
      }
      summary[visitor] = median(added);
      console.log(
        `  ${visitor.padEnd(11)} visitor: adds p50 ${f(median(added))}, p95 ${f(p95(added))} over ${added.length} loads ` +
          `(bare page p50 ${f(median(without))}); main-thread CPU time added p50 ${f(median(addedCpu))}; ` +
          `long tasks: ${longWith} with the widget, ${longWithout} without`,
      );
    }
    console.log(
      `  vs Crisp's HTTP Archive figure (${CRISP_MAIN_THREAD_MS} ms): first visit ${(summary['first-visit'] / CRISP_MAIN_THREAD_MS).toFixed(2)}×, ` +
        `first-time ${(summary['first-time'] / CRISP_MAIN_THREAD_MS).toFixed(2)}×, returning ${(summary.returning / CRISP_MAIN_THREAD_MS).toFixed(2)}×`,
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
