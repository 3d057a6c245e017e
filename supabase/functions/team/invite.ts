// What an owner sends to invite a team member, checked field by field with messages that say what
// to fix. Pure: no I/O, so the rules are unit-tested on their own (invite_test.ts).
import { ApiError } from '../_shared/http.ts';
import { asObject, invalid, oneOf, uuid } from '../_shared/validate.ts';

export const ROLES = ['agent', 'owner'] as const;
export type Role = typeof ROLES[number];

/** RFC 5321: an address is at most 254 characters. */
export const MAX_EMAIL_CHARS = 254;

export interface Invite {
  websiteId: string;
  email: string;
  role: Role;
}

// Deliberately loose (one @, a dot in the domain, no spaces): Supabase Auth has the final word.
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function parseInvite(raw: unknown): Invite {
  const body = asObject(raw);
  // Nobody chooses the password of someone else's account: the person invited sets their own
  // after opening the link e-mailed to them (an owner-chosen password let anyone mint a
  // confirmed account for any address).
  if ('password' in body) {
    throw invalid('password', 'is not accepted: the person invited chooses their own password from the link in the invitation e-mail.');
  }
  const known = new Set(['website_id', 'email', 'role']);
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length) throw invalid(unknown[0], 'is not a field of an invitation (website_id, email, role).');
  const websiteId = uuid(body, 'website_id');

  const rawEmail = body.email;
  if (rawEmail === undefined || rawEmail === null) throw invalid('email', 'is required.');
  if (typeof rawEmail !== 'string') throw invalid('email', 'must be a string.');
  const email = rawEmail.trim().toLowerCase();
  if (!email) throw invalid('email', 'must not be empty.');
  if (email.length > MAX_EMAIL_CHARS) throw invalid('email', `must be at most ${MAX_EMAIL_CHARS} characters.`);
  if (!EMAIL_RE.test(email)) throw invalid('email', 'must be an e-mail address like alex@example.com.');

  const role = body.role === undefined || body.role === null ? 'agent' : oneOf(body, 'role', ROLES);

  return { websiteId, email, role };
}

/**
 * Where the invitation's link sends the person: the backoffice (EMILY_BACKOFFICE_URL, else the
 * Origin of the owner's request), whose start page takes the session from the URL and asks for a
 * password. Never with a fragment: Supabase Auth appends the session as one. Auth still checks it
 * against its redirect allow-list; undefined leaves the choice to Auth (its site_url).
 */
export function invitationRedirect(configured: string | undefined, origin: string | null): string | undefined {
  for (const candidate of [configured, origin]) {
    if (!candidate) continue;
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}/`;
  }
  return undefined;
}

export function forbidden(): ApiError {
  // One answer for "not your website", "you are an agent" and "no such website": the caller learns
  // nothing about websites they do not own.
  return new ApiError(403, 'forbidden', 'Only the website\'s owners can invite team members.');
}
