// The running page's configuration: the <meta> tags the local stack substituted, else the values
// baked in at build time (see config.ts).
import { resolveConfig, type BackofficeConfig } from './config.ts';

function metaContent(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? null;
}

export const config: BackofficeConfig = resolveConfig(metaContent, {
  apiUrl: __EMILY_SUPABASE_URL__,
  anonKey: __EMILY_ANON_KEY__,
  widgetUrl: __EMILY_WIDGET_URL__,
});
