// The website settings form: the editable columns, how a draft is checked before saving (the same
// rules as the table's check constraints, so errors show next to the field), and what is sent.
import { WIDGET_STYLES, type WidgetStyle } from '../../../widget/src/shared/styles.ts';
import type { Website } from './rows.ts';

export const EDITABLE = [
  'name', 'domain', 'primary_color', 'widget_style', 'welcome_message', 'input_placeholder', 'offline_message',
  'allowed_domains', 'launcher_position', 'ai_enabled', 'ai_instructions', 'language',
] as const;

export type Editable = typeof EDITABLE[number];
export type Draft = Pick<Website, Editable> & { allowed_domains_text: string };

/** Built-in PostgreSQL text search configurations (websites.language). */
export const LANGUAGES = [
  'simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch', 'english', 'finnish', 'french', 'german', 'greek',
  'hindi', 'hungarian', 'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese', 'romanian',
  'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish', 'yiddish',
];

/** How the style picker describes each style the widget draws (a new style needs its words here). */
const STYLE_LABELS: Record<WidgetStyle, string> = {
  bubble: 'Bubble (round launcher, chat panel)',
  pill: 'Pill (“Chat with us” button)',
  tab: 'Tab (“Chat with us” on the bottom edge)',
  compact: 'Compact (small square launcher, smaller panel)',
};

/**
 * The styles the widget draws, in the widget's own list and order; a custom value set elsewhere is
 * kept and shown as is (the widget draws it as a bubble).
 */
export const STYLES: Array<{ value: WidgetStyle; label: string }> = WIDGET_STYLES.map((value) => ({ value, label: STYLE_LABELS[value] }));

export const LIMITS = { name: 100, domain: 253, welcome_message: 500, input_placeholder: 120, offline_message: 500, ai_instructions: 8000 };

const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function draftOf(w: Website): Draft {
  const d = Object.fromEntries(EDITABLE.map((k) => [k, w[k]])) as Pick<Website, Editable>;
  return { ...d, domain: d.domain ?? '', allowed_domains_text: (w.allowed_domains ?? []).join('\n') };
}

/** "shop.example.com, *.example.org\nlocalhost" → lower-case hosts, one each. */
export function parseDomains(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((d) => d.trim().toLowerCase()).filter(Boolean))];
}

export function validate(d: Draft): Partial<Record<Editable, string>> {
  const errors: Partial<Record<Editable, string>> = {};
  if (!d.name.trim()) errors.name = 'Give the website a name.';
  for (const [k, max] of Object.entries(LIMITS) as Array<[keyof typeof LIMITS, number]>) {
    const v = (d[k] ?? '') as string;
    if (v.length > max) errors[k] = `At most ${max} characters (now ${v.length}).`;
  }
  if (!/^#[0-9a-fA-F]{6}$/.test(d.primary_color)) errors.primary_color = 'A colour like #2563eb.';
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(d.widget_style)) errors.widget_style = 'Pick a style.';
  const domains = parseDomains(d.allowed_domains_text);
  const bad = domains.filter((h) => h.length > 253 || !HOST.test(h));
  if (bad.length) errors.allowed_domains = `Not a host name: ${bad.slice(0, 3).join(', ')}. Write shop.example.com or *.example.com, without http:// or paths or ports.`;
  else if (domains.length > 100) errors.allowed_domains = 'At most 100 domains.';
  if (!LANGUAGES.includes(d.language)) errors.language = 'Pick a language.';
  return errors;
}

/** The update sent to REST: only the editable columns. */
export function patchOf(d: Draft): Pick<Website, Editable> {
  return {
    name: d.name.trim(),
    domain: d.domain?.trim() ? d.domain.trim() : null,
    primary_color: d.primary_color.toLowerCase(),
    widget_style: d.widget_style,
    welcome_message: d.welcome_message,
    input_placeholder: d.input_placeholder,
    offline_message: d.offline_message,
    allowed_domains: parseDomains(d.allowed_domains_text),
    launcher_position: d.launcher_position,
    ai_enabled: d.ai_enabled,
    ai_instructions: d.ai_instructions,
    language: d.language,
  };
}
