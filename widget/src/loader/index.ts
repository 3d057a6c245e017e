// emily-loader.js: the only code every page view pays for (budget: 3 KB gzipped). It reads
// window.EmilyChat, draws the launcher, preconnects to the API, fetches the public website
// settings, and loads the chat app on first interaction, at once with `open: true`, or when the
// browser is idle. On idle, a visitor with nothing stored for this website (a first-time visitor)
// only gets the app fetched into the HTTP cache: it runs on their first interaction, so the page
// pays for the launcher alone. window.EmilyChat becomes the JS API (contract §2).
import type { WidgetInit } from '../shared/bridge.ts';
import { readConfig } from './config.ts';
import { createJsApi } from './js-api.ts';
import { drawLauncher } from './launcher.ts';
import { appLoader, hasStored, warm, whenIdle } from './load-app.ts';

/** Without widget-init's colours after this long, the launcher shows in the default theme. */
const SHOW_LAUNCHER_AFTER_MS = 3000;

const page = window as unknown as { EmilyChat?: unknown };
const script = document.currentScript as HTMLScriptElement | null;
const current = page.EmilyChat as { on?: unknown } | undefined;

// Embedded twice: the first copy keeps running.
if (!current || typeof current.on !== 'function') {
  const config = readConfig(current);
  if (typeof config === 'string') console.error(`[Emily] ${config}`);
  else {
    const ui = drawLauncher(config);

    const link = document.createElement('link');
    link.rel = 'preconnect';
    link.href = config.supabaseUrl;
    link.crossOrigin = 'anonymous';
    document.head.appendChild(link);

    let unknownSite = false;
    // widget-init is public: a plain GET (no preflight) that the browser's HTTP cache can answer.
    const init: Promise<WidgetInit | null | 'unknown'> = fetch(`${config.supabaseUrl}/functions/v1/widget-init?website_id=${config.websiteId}`)
      .then((r) => (r.status === 404 ? 'unknown' : r.json()))
      // An error answer or one that is not JSON: the default theme, and the app asks again later.
      .then((body) => (body === 'unknown' || body?.website ? body : null), () => null);
    init.then((answer) => {
      if (answer === 'unknown') {
        unknownSite = true;
        console.error(`[Emily] unknown website ${config.websiteId}`);
        ui.host.remove();
        return;
      }
      if (answer) ui.setTheme(answer.website.primary_color, answer.website.launcher_position, answer.website.widget_style);
      ui.show();
    });
    setTimeout(() => unknownSite || ui.show(), SHOW_LAUNCHER_AFTER_MS);

    // The app sits next to the loader (the CDN folder it came from).
    const src = new URL('emily-chat.js', script?.src || `${config.supabaseUrl}/widget/`).href;
    const loadApp = appLoader(src, script?.nonce || undefined, (startApp) => {
      if (unknownSite) return;
      attach(startApp({ ...ui, config, init, emit }));
      emit('ready');
    });
    let wanted = false;
    const load = () => {
      wanted = true;
      if (!unknownSite) loadApp();
    };
    const { api, emit, attach } = createJsApi(load);

    ui.launcher.addEventListener('click', () => api.toggle());
    // Pointer events cover mouse, pen and touch alike.
    for (const type of ['pointerenter', 'focus']) ui.launcher.addEventListener(type, load, { once: true, passive: true });
    page.EmilyChat = api;
    // `open: true`: the app at once; it opens the chat itself, once per browser session (the app
    // remembers a closed chat; app/auto-open.ts).
    if (config.open) load();
    // On idle, only for a website that exists: a returning visitor (an open conversation's
    // unread badge, unsent messages, a session to identify) gets the app; a first-time one only
    // its download, and `ready` now (their queued calls wait for the app, which the first
    // interaction or open() loads).
    else {
      whenIdle(() =>
        init.then(() => {
          if (wanted || unknownSite) return;
          if (hasStored(config.websiteId)) load();
          else warm(src), emit('ready');
        }),
      );
    }
  }
}
