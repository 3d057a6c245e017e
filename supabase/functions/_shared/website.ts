// The website a widget call is about: its settings as the functions need them. The public subset
// (what widget-init returns) is listed here once, so no secret or owner-only field can slip out.
import { ApiError } from './http.ts';
import { sql } from './db.ts';

export interface Website {
  id: string;
  name: string;
  primary_color: string;
  widget_style: string;
  welcome_message: string;
  input_placeholder: string;
  offline_message: string;
  launcher_position: string;
  language: string;
  ai_enabled: boolean;
  ai_instructions: string;
  allowed_domains: string[];
  account_id: string;
}

/** Fields a browser may see (contract §4 widget-init). */
export const PUBLIC_WEBSITE_FIELDS = [
  'id', 'name', 'primary_color', 'widget_style', 'welcome_message', 'input_placeholder', 'offline_message',
  'launcher_position', 'language',
] as const;

export function publicWebsite(w: Website): Record<string, unknown> {
  return Object.fromEntries(PUBLIC_WEBSITE_FIELDS.map((f) => [f, w[f]]));
}

export async function findWebsite(id: string): Promise<Website | undefined> {
  const rows = await sql()<Website[]>`
    select id, name, primary_color, widget_style, welcome_message, input_placeholder, offline_message,
           launcher_position, language, ai_enabled, ai_instructions, allowed_domains, account_id
    from public.websites where id = ${id}`;
  return rows[0];
}

export async function requireWebsite(id: string): Promise<Website> {
  const w = await findWebsite(id);
  if (!w) throw new ApiError(404, 'website_not_found', `No website has the id ${id}.`);
  return w;
}
