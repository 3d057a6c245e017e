// preview.html: the real widget (emily-loader.js from the widget's CDN folder, which loads
// emily-chat.js) on a page of the backoffice's origin, shown in the settings page's frame. The
// settings being edited (not saved yet) reach it by postMessage; the widget's own settings request
// (widget-init) is answered with them on this page only, so what you see is the real widget code
// drawing your unsaved settings. Each change reloads the frame, as a visitor's next page view would.
import { resolveConfig } from '../config.ts';
import { parseSettings, type PreviewSettings } from './protocol.ts';

const config = resolveConfig((name) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content, {
  apiUrl: __EMILY_SUPABASE_URL__,
  anonKey: __EMILY_ANON_KEY__,
  widgetUrl: __EMILY_WIDGET_URL__,
});

let started = false;

function answerWidgetInit(settings: PreviewSettings): void {
  const target = `${config.apiUrl}/functions/v1/widget-init`;
  const realFetch = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(`${target}?`) && new URL(url).searchParams.get('website_id') === settings.website.id) {
      const body = JSON.stringify({ website: settings.website, ai: settings.ai });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }));
    }
    return realFetch(input, init);
  };
}

function start(settings: PreviewSettings): void {
  started = true;
  answerWidgetInit(settings);
  document.body.dataset.state = 'loading';
  (window as unknown as { EmilyChat: unknown }).EmilyChat = {
    websiteId: settings.website.id,
    supabaseUrl: config.apiUrl,
    anonKey: config.anonKey,
    open: true,
  };
  const script = document.createElement('script');
  script.src = `${config.widgetUrl}/emily-loader.js`;
  script.async = true;
  script.onload = () => (document.body.dataset.state = 'ready');
  script.onerror = () => {
    document.body.dataset.state = 'failed';
    document.getElementById('preview-status')!.textContent = `The widget could not be loaded from ${config.widgetUrl}.`;
  };
  document.head.appendChild(script);
}

addEventListener('message', (event) => {
  if (event.origin !== location.origin || event.source !== parent || started) return;
  const settings = parseSettings(event.data);
  if (settings) start(settings);
});

if (parent !== window) parent.postMessage({ type: 'emily-preview:ready' }, location.origin);
