/**
 * -------------------------------------------------------
 * Section - What identify verifies (security review M3)
 * -------------------------------------------------------
 * identify's HMAC covers the site's user id only. The name and e-mail the page sends along are
 * display hints: a visitor holding a valid hash for their own id can send any name or e-mail. The
 * backoffice shows them as not verified; these comments say so to every other reader of the table.
 */
comment on table public.visitors is
  'A widget visitor (anonymous user) of one website: locale, activity, the verified user id (external_id) and unverified name/e-mail hints. Service role writes.';
comment on column public.visitors.name is
  'Display name sent by the page with a verified identify. NOT covered by the HMAC: unverified.';
comment on column public.visitors.email is
  'E-mail sent by the page with a verified identify. NOT covered by the HMAC: unverified.';
comment on column public.visitors.identified_at is
  'When identify''s HMAC of external_id was last verified (it verifies external_id only).';
