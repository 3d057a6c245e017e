// Where the backoffice finds its Supabase project. The URL and anon key are baked in at build time
// (a CDN copy uses them as they are); the local stack's static server substitutes `{{API_URL}}`,
// `{{ANON_KEY}}`, `{{WIDGET_URL}}` and `{{DEMO_WEBSITE_ID}}` in the page's <meta> tags, which then
// win, so one build serves whatever ports the stack chose.

export interface BackofficeConfig {
  apiUrl: string;
  anonKey: string;
  /** Folder of emily-loader.js (for the live preview and the embed snippet). */
  widgetUrl: string;
  /** The apiUrl this build was made for: the embed snippet names the URL only when it differs. */
  bakedApiUrl: string;
  /** Set only by the local stack: the seeded demo website (shown as a hint on the sign-in page). */
  demoWebsiteId?: string;
}

export interface Baked {
  apiUrl: string;
  anonKey: string;
  widgetUrl: string;
}

/** A meta value the server did not substitute (still `{{NAME}}`) or left empty counts as absent. */
export function substituted(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v && !/^\{\{[A-Z_]+\}\}$/.test(v) ? v : undefined;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function resolveConfig(meta: (name: string) => string | null | undefined, baked: Baked): BackofficeConfig {
  const apiUrl = trimSlash(substituted(meta('emily-api-url')) ?? baked.apiUrl);
  return {
    apiUrl,
    anonKey: substituted(meta('emily-anon-key')) ?? baked.anonKey,
    widgetUrl: trimSlash(substituted(meta('emily-widget-url')) ?? (baked.widgetUrl || `${apiUrl}/widget`)),
    bakedApiUrl: trimSlash(baked.apiUrl),
    demoWebsiteId: substituted(meta('emily-demo-website-id')),
  };
}
