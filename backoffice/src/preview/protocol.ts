// The messages between the settings page and the widget preview frame (preview.html, served from
// the backoffice's own origin). Both sides post with the exact target origin (never '*') and
// accept only messages from that origin and from the expected window, so no other page can feed
// the preview or read the settings.

export interface PreviewWebsite {
  id: string;
  name: string;
  primary_color: string;
  widget_style: string;
  welcome_message: string;
  input_placeholder: string;
  offline_message: string;
  launcher_position: 'left' | 'right';
  language: string;
}

export interface PreviewSettings {
  type: 'emily-preview:settings';
  website: PreviewWebsite;
  ai: { enabled: boolean };
}

export interface PreviewReady {
  type: 'emily-preview:ready';
}

const STRING_FIELDS = ['id', 'name', 'primary_color', 'widget_style', 'welcome_message', 'input_placeholder', 'offline_message', 'language'] as const;

/** The settings message, checked field by field; anything else is null. */
export function parseSettings(data: unknown): PreviewSettings | null {
  const d = data as Partial<PreviewSettings> | null;
  if (!d || d.type !== 'emily-preview:settings' || !d.website || typeof d.website !== 'object') return null;
  const w = d.website as unknown as Record<string, unknown>;
  for (const f of STRING_FIELDS) if (typeof w[f] !== 'string') return null;
  if (!/^[0-9a-f-]{36}$/i.test(w.id as string)) return null;
  if (!/^#[0-9a-f]{6}$/i.test(w.primary_color as string)) return null;
  const position = w.launcher_position === 'left' ? 'left' : 'right';
  return {
    type: 'emily-preview:settings',
    website: { ...(Object.fromEntries(STRING_FIELDS.map((f) => [f, w[f]])) as Omit<PreviewWebsite, 'launcher_position'>), launcher_position: position },
    ai: { enabled: d.ai?.enabled !== false },
  };
}

export function isReady(data: unknown): data is PreviewReady {
  return (data as PreviewReady | null)?.type === 'emily-preview:ready';
}
