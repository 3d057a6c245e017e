// widget-init (public, contract §4): what the widget needs before it draws anything: the
// website's public settings, whether the AI answers and which engine does, and whether identity
// verification is available. Cacheable with an ETag, but revalidated on every page load
// (`no-cache`): an owner who changes the colour and reloads their site must see it at once, and a
// 304 costs a returning visitor one small round trip, not the body.
import { engineKind } from '../_shared/answer/engine.ts';
import { assertOriginAllowed } from '../_shared/cors.ts';
import { sql } from '../_shared/db.ts';
import { ApiError, json, requireMethod } from '../_shared/http.ts';
import { limitByClient } from '../_shared/rate-limit.ts';
import { asObject, uuid } from '../_shared/validate.ts';
import { publicWebsite, requireWebsite } from '../_shared/website.ts';

export async function widgetInit(req: Request): Promise<Response> {
  requireMethod(req, ['GET', 'HEAD']);
  const params = new URL(req.url).searchParams;
  if (params.getAll('website_id').length > 1) throw new ApiError(400, 'invalid_request', 'website_id must be given once.');
  const websiteId = uuid(asObject(Object.fromEntries(params)), 'website_id');
  await limitByClient(req, 'widget-init', websiteId);
  const website = await requireWebsite(websiteId);
  assertOriginAllowed(req, website.allowed_domains);
  const [{ has_secret }] = await sql()<{ has_secret: boolean }[]>`
    select exists (select 1 from public.website_secrets where website_id = ${websiteId}) as has_secret`;
  const body = {
    website: publicWebsite(website),
    ai: { enabled: website.ai_enabled, engine: engineKind() },
    identity_verification: has_secret,
  };
  const text = JSON.stringify(body);
  const etag = `"${await sha256Base64Url(text)}"`;
  const headers = {
    ETag: etag,
    'Cache-Control': 'public, no-cache',
  };
  if (matchesEtag(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  return json(200, body, headers);
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

async function sha256Base64Url(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest.slice(0, 18))).replace(/\+/g, '-').replace(/\//g, '_');
}
