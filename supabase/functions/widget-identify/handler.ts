// widget-identify (visitor JWT): the widget's identify({userId, userHash, name?, email?}) per
// contract §3. The site's backend computed user_hash = hex(HMAC-SHA256(user_id, identity secret));
// we recompute it and compare in constant time. Verified → the visitor row records the site's user
// id (external_id). The hash covers user_id only: name and email are display hints from the page,
// stored beside it and shown in the backoffice as not verified (anyone with a valid hash for their
// own id can send any name). Wrong → 403 `identity_not_verified` and nothing is stored: an
// unverified identity is ignored, never trusted. Rate-limited per visitor, so the hash cannot be
// guessed by trying.
import { authenticate } from '../_shared/auth.ts';
import { assertOriginAllowed } from '../_shared/cors.ts';
import { sql } from '../_shared/db.ts';
import { verifyUserHash } from '../_shared/hmac.ts';
import { env } from '../_shared/env.ts';
import { ApiError, json, readJson, requireMethod } from '../_shared/http.ts';
import { limitCaller } from '../_shared/rate-limit.ts';
import { asObject, invalid, text, uuid } from '../_shared/validate.ts';
import { requireWebsite } from '../_shared/website.ts';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function widgetIdentify(req: Request): Promise<Response> {
  requireMethod(req, ['POST']);
  const caller = await authenticate(req);
  const body = asObject(await readJson(req));
  const websiteId = uuid(body, 'website_id');
  const userId = text(body, 'user_id', { max: 255 });
  const userHash = text(body, 'user_hash', { max: 128 });
  if (!/^[0-9a-fA-F]{64}$/.test(userHash)) throw invalid('user_hash', 'must be the 64-character hex HMAC-SHA256 of user_id.');
  const name = text(body, 'name', { optional: true, max: 200 });
  const email = text(body, 'email', { optional: true, max: 320 });
  if (email !== undefined && !EMAIL_RE.test(email)) throw invalid('email', 'must be an e-mail address.');

  const website = await requireWebsite(websiteId);
  assertOriginAllowed(req, website.allowed_domains);
  await limitCaller('widget-identify', websiteId, caller.userId, env.identifyRateLimit());

  const [secret] = await sql()<{ identity_secret: string }[]>`
    select identity_secret from public.website_secrets where website_id = ${websiteId}`;
  if (!secret || !(await verifyUserHash(secret.identity_secret, userId, userHash))) {
    throw new ApiError(403, 'identity_not_verified', 'user_hash does not match user_id for this website; the identity was not stored.');
  }
  await sql()`
    insert into public.visitors as v (website_id, user_id, external_id, name, email, identified_at)
    values (${websiteId}, ${caller.userId}, ${userId}, ${name ?? null}, ${email ?? null}, now())
    on conflict (website_id, user_id) do update
    set external_id = excluded.external_id,
        name = coalesce(excluded.name, case when v.external_id = excluded.external_id then v.name end),
        email = coalesce(excluded.email, case when v.external_id = excluded.external_id then v.email end),
        identified_at = excluded.identified_at,
        last_seen_at = now()`;
  return json(200, { verified: true });
}
