// The loader in real Chromium on a site of its own origin: it draws the launcher under a strict
// Content-Security-Policy, only downloads the app on idle for a first-time visitor (it runs on
// the first interaction) and runs it on idle for a returning one, keeps the page's CSS and
// globals out (and its own in), queues JS API calls made before the app is loaded and replays
// them in order, and stays away from unknown websites. The widget files come from the stack's
// gateway (/widget/), as from a CDN.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { db } from '../integration/widget-api.support.ts';
import { launchChromium, type Browser } from './support/chromium.ts';
import { serveTestSite, type TestSite } from './support/pages.ts';
import { embedPage, eventually, openWidgetPage } from './support/widget.ts';

const stack = inject('stack');
const widgetUrl = `${stack.apiUrl}/widget`;
const websiteId = stack.demo.websiteId;
const config = (extra: Record<string, unknown> = {}) => ({ websiteId, supabaseUrl: stack.apiUrl, anonKey: stack.anonKey, ...extra });

/** The demo's strict policy: no 'unsafe-inline' for scripts or styles anywhere. */
const strictCsp = (nonce: string) =>
  [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' ${stack.apiUrl}`,
    "style-src 'self'",
    `connect-src 'self' ${stack.apiUrl} ${stack.apiUrl.replace(/^http/, 'ws')}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');

/** CSS a careless site might have: global resets, !important everywhere, hostile z-indexes. */
const HOSTILE_CSS = `<style>
  * { letter-spacing: 3px !important; font-family: "Comic Sans MS", serif !important; box-sizing: content-box !important; }
  body { color: rgb(255, 0, 0); font-size: 30px; line-height: 3; text-transform: uppercase; }
  button { background: rgb(255, 0, 255) !important; border-radius: 0 !important; width: 300px !important; }
  emily-chat { display: none !important; transform: scale(0.1) !important; opacity: 0 !important; }
  div, span, p { display: none !important; }
  .launcher, .panel, .bubble { display: none !important; }
  .overlay { position: fixed; inset: 0; z-index: 2147482000; background: rgba(0, 0, 0, 0.1); pointer-events: none; }
</style>`;

let browser: Browser;
let site: TestSite;

beforeAll(async () => {
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  site = await serveTestSite();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('widget loader', { timeout: 60_000 }, () => {
  it('draws the launcher in the site colour on a strict-CSP page; on idle a first-time visitor only downloads the app, which runs on the first hover', async () => {
    const nonce = randomUUID().replace(/-/g, '');
    site.set('/csp', { html: embedPage({ widgetUrl, config: config(), nonce }), headers: { 'Content-Security-Policy': strictCsp(nonce) } });
    const appRequests: string[] = [];
    const w = await openWidgetPage(browser.context, `${site.origin}/csp`, {
      beforeGoto: (page) => void page.on('request', (r) => r.url().endsWith('/emily-chat.js') && appRequests.push(r.resourceType())),
    });
    // `ready` on idle, without any interaction.
    await w.ready();
    const style = await w.launcher.evaluate((el) => {
      const s = getComputedStyle(el);
      return { position: s.position, radius: s.borderRadius, background: s.backgroundColor, color: s.color, visibility: s.visibility };
    });
    // The demo website's #14532d with the white text WCAG contrast picks for it.
    expect(style).toEqual({ position: 'fixed', radius: '28px', background: 'rgb(20, 83, 45)', color: 'rgb(255, 255, 255)', visibility: 'visible' });
    // Nothing stored for this website here: the app was fetched into the cache, not run.
    await eventually(() => appRequests).toEqual(['fetch']);
    expect(await w.page.evaluate(() => !!document.querySelector('script[src$="emily-chat.js"]'))).toBe(false);
    expect(await w.launcher.getAttribute('aria-label')).toBe('Chat with us');
    // The first hover runs it: the app names the launcher in the visitor's language.
    await w.launcher.hover();
    await eventually(() => w.launcher.getAttribute('aria-label')).toBe('Open chat');
    expect(appRequests).toEqual(['fetch', 'script']);
    await w.launcher.click();
    await w.input.waitFor({ state: 'visible' });
    expect(await w.panel.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 255, 255)');
    expect(w.problems).toEqual([]);
    await w.page.close();
  });

  it('runs the app on idle for a visitor with something stored for the website (its badge, its unsent messages)', async () => {
    site.set('/returning', { html: embedPage({ widgetUrl, config: config() }) });
    const w = await openWidgetPage(browser.context, `${site.origin}/returning`, {
      // As a previous visit leaves it: a session key for this website (not a usable one here).
      beforeGoto: async (page) => {
        await page.addInitScript((id) => localStorage.setItem(`emily:${id}:session`, '{}'), websiteId);
      },
    });
    await w.ready();
    await eventually(() => w.page.evaluate(() => !!document.querySelector('script[src$="emily-chat.js"]'))).toBe(true);
    // Run without any interaction: the app has named the launcher.
    await eventually(() => w.launcher.getAttribute('aria-label')).toBe('Open chat');
    await w.page.evaluate((id) => localStorage.removeItem(`emily:${id}:session`), websiteId);
    await w.page.close();
  });

  it('queues API calls made before the app is loaded and replays them in order', async () => {
    const after = `
      const events = [];
      const html = document.documentElement;
      html.dataset.appRequestedBeforeCalls = String(!!document.querySelector('script[src$="emily-chat.js"]'));
      for (const name of ['open', 'close', 'unread']) EmilyChat.on(name, () => events.push(name));
      const early = () => events.push('early-ready');
      EmilyChat.on('ready', () => {
        events.push('ready');
        html.dataset.events = events.join(',');
        // Subscribing after the fact still hears 'ready' at once.
        EmilyChat.on('ready', () => { html.dataset.late = 'yes'; });
      });
      EmilyChat.on('ready', early);
      EmilyChat.off('ready', early);
      EmilyChat.open();
      EmilyChat.close();
      EmilyChat.open();`;
    site.set('/queue', { html: embedPage({ widgetUrl, config: config(), after }) });
    const w = await openWidgetPage(browser.context, `${site.origin}/queue`);
    await w.page.waitForFunction(() => document.documentElement.dataset.events !== undefined);
    const data = await w.page.evaluate(() => ({ ...document.documentElement.dataset }));
    expect(data.appRequestedBeforeCalls).toBe('false');
    expect(data.events).toBe('open,close,open,ready');
    expect(data.late).toBe('yes');
    await eventually(() => w.panel.isVisible()).toBe(true);
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
    expect(w.problems).toEqual([]);
    await w.page.close();
  });

  it('keeps the page CSS out and adds no global but EmilyChat', async () => {
    const body = `<div class="overlay"></div><main><h1>Shop</h1></main>
      <script>document.documentElement.dataset.globals = JSON.stringify(Object.getOwnPropertyNames(window));</script>`;
    site.set('/hostile', { html: embedPage({ widgetUrl, config: config({ locale: 'de' }), head: HOSTILE_CSS, body }) });
    const w = await openWidgetPage(browser.context, `${site.origin}/hostile`);
    await w.ready();
    await w.launcher.click();
    await w.input.waitFor({ state: 'visible' });
    const seen = await w.page.evaluate(() => {
      const root = document.querySelector('emily-chat')!.shadowRoot!;
      const launcher = root.querySelector('.launcher')!;
      const panel = root.querySelector('.panel')!;
      const head = root.querySelector('.head h2')!;
      const box = launcher.getBoundingClientRect();
      // What the user sees at the launcher's centre is the launcher (the page's overlay is below it).
      const hit = root.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return {
        launcherWidth: (launcher as HTMLElement).offsetWidth,
        launcherBackground: getComputedStyle(launcher).backgroundColor,
        panelDisplay: getComputedStyle(panel).display,
        panelLetterSpacing: getComputedStyle(panel).letterSpacing,
        titleFont: getComputedStyle(head).fontFamily,
        titleTransform: getComputedStyle(head).textTransform,
        hostZ: getComputedStyle(document.querySelector('emily-chat')!).zIndex,
        hitIsLauncher: hit === launcher || launcher.contains(hit),
        pageButtonStillStyled: getComputedStyle(document.body).color,
        newGlobals: Object.getOwnPropertyNames(window).filter((k) => !JSON.parse(document.documentElement.dataset.globals!).includes(k)),
        label: launcher.getAttribute('aria-label'),
      };
    });
    expect(seen).toMatchObject({
      launcherWidth: 56,
      launcherBackground: 'rgb(20, 83, 45)',
      panelDisplay: 'flex',
      panelLetterSpacing: 'normal',
      titleTransform: 'none',
      hostZ: '2147483000',
      hitIsLauncher: true,
      pageButtonStillStyled: 'rgb(255, 0, 0)',
      label: 'Chat schließen',
    });
    expect(seen.titleFont).not.toContain('Comic Sans');
    // The page's globals before the loader ran, compared after the app has loaded: only EmilyChat.
    expect(seen.newGlobals).toEqual(['EmilyChat']);
    await w.page.close();
  });

  it('takes position and z-index from the embed, and picks dark text on a light site colour', async () => {
    const { rows } = await db(stack).query(
      `insert into public.websites (account_id, name, primary_color, launcher_position, allowed_domains)
       select account_id, 'Light shop', '#fde047', 'right', '{}' from public.websites where id = $1 returning id`,
      [websiteId],
    );
    // Removed afterwards: it counts towards the demo account's plan limit on websites, which a
    // second run on the same stack (or another test adding one) would otherwise hit.
    try {
      site.set('/light', { html: embedPage({ widgetUrl, config: { ...config(), websiteId: rows[0].id, position: 'left', zIndex: 1000 } }) });
      const w = await openWidgetPage(browser.context, `${site.origin}/light`);
      await w.ready();
      await eventually(() => w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(253, 224, 71)');
      const placed = await w.launcher.evaluate((el) => ({
        left: el.getBoundingClientRect().left,
        color: getComputedStyle(el).color,
        z: getComputedStyle(document.querySelector('emily-chat')!).zIndex,
      }));
      expect(placed).toEqual({ left: 20, color: 'rgb(17, 24, 39)', z: '1000' });
      await w.page.close();
    } finally {
      await db(stack).query('delete from public.websites where id = $1', [rows[0].id]);
    }
  });

  it('opens with `open: true` without taking the focus from a field the visitor is typing in', async () => {
    // The site adds the widget on the first key in its search box, so the chat opens while the
    // visitor types: every key is a user activation, which must not count as asking for the chat.
    site.set('/typing', {
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test shop</title></head>
<body><main><input aria-label="Search the shop"></main>
<script>window.EmilyChat = ${JSON.stringify(config({ open: true }))};
document.querySelector('input').addEventListener('input', () => {
  const loader = document.createElement('script');
  loader.src = ${JSON.stringify(`${widgetUrl}/emily-loader.js`)};
  document.body.append(loader);
}, { once: true });</script></body></html>`,
    });
    const w = await openWidgetPage(browser.context, `${site.origin}/typing`);
    const search = w.page.getByLabel('Search the shop');
    await search.click();
    // The panel gets its `open` class in the same animation frame as the focus would move.
    const opened = w.page.locator('emily-chat .panel.open');
    let typed = '';
    for (let i = 0; i < 400 && !(await opened.count()); i++) {
      await w.page.keyboard.type('a');
      typed += 'a';
    }
    expect(await opened.count()).toBe(1);
    await w.page.keyboard.type(' books');
    typed += ' books';
    expect(await search.inputValue()).toBe(typed);
    expect(await w.input.inputValue()).toBe('');
    expect(await w.page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    expect(w.problems).toEqual([]);
    await w.page.close();
  });

  it('stays away from an unknown website and refuses a missing websiteId', async () => {
    site.set('/unknown', { html: embedPage({ widgetUrl, config: config({ websiteId: randomUUID() }) }) });
    const w = await openWidgetPage(browser.context, `${site.origin}/unknown`);
    await eventually(() => w.page.evaluate(() => !!document.querySelector('emily-chat')), 10_000).toBe(false);
    expect(await w.page.evaluate(() => !!document.querySelector('script[src$="emily-chat.js"]'))).toBe(false);
    await w.page.close();

    site.set('/missing', { html: embedPage({ widgetUrl, config: { supabaseUrl: stack.apiUrl } }) });
    const m = await browser.context.newPage();
    const messages: string[] = [];
    m.on('console', (msg) => messages.push(msg.text()));
    await m.goto(`${site.origin}/missing`);
    await eventually(() => messages.join('\n')).toContain('[Emily] EmilyChat.websiteId must be a UUID');
    expect(await m.evaluate(() => !!document.querySelector('emily-chat'))).toBe(false);
    await m.close();
  });
});
