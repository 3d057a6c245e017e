// Reads the embed snippet's window.EmilyChat (contract §2) into a checked configuration.
import type { EmbedConfig } from '../shared/bridge.ts';

const UUID = /^[\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12}$/i;
/** Above the page's own overlays by default; a site can lower it with `zIndex`. */
export const DEFAULT_Z_INDEX = 2147483000;

export function readConfig(raw: unknown): EmbedConfig | string {
  const c = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const websiteId = str(c.websiteId);
  if (!websiteId || !UUID.test(websiteId)) return 'EmilyChat.websiteId must be a UUID';
  return {
    websiteId,
    supabaseUrl: (str(c.supabaseUrl) ?? __EMILY_SUPABASE_URL__).replace(/\/+$/, ''),
    // The loader never needs the anon key (widget-init is public): the app applies the baked-in default.
    anonKey: str(c.anonKey),
    locale: str(c.locale),
    open: c.open === true,
    // Anything but 'left' or 'right' falls back to the website's setting.
    position: /^(left|right)$/.test(c.position as string) ? (c.position as 'left' | 'right') : undefined,
    zIndex: Number.isInteger(c.zIndex) ? (c.zIndex as number) : DEFAULT_Z_INDEX,
    sound: c.sound === true,
  };
}
