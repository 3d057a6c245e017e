// What an owner sends to invite a team member, checked field by field with messages that say what
// to fix. Pure: no I/O, so the rules are unit-tested on their own (invite_test.ts).
import { ApiError } from '../_shared/http.ts';
import { asObject, invalid, oneOf, uuid } from '../_shared/validate.ts';

export const ROLES = ['agent', 'owner'] as const;
export type Role = typeof ROLES[number];

/** bcrypt (Supabase Auth) reads at most 72 bytes of a password; more would be silently cut. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_CHARS = 8;
/** RFC 5321: an address is at most 254 characters. */
export const MAX_EMAIL_CHARS = 254;

export interface Invite {
  websiteId: string;
  email: string;
  role: Role;
  /** The initial password the owner chose; absent: one is generated and shown once. */
  password?: string;
}

// Deliberately loose (one @, a dot in the domain, no spaces): Supabase Auth has the final word.
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function parseInvite(raw: unknown): Invite {
  const body = asObject(raw);
  const known = new Set(['website_id', 'email', 'role', 'password']);
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length) throw invalid(unknown[0], 'is not a field of an invitation (website_id, email, role, password).');
  const websiteId = uuid(body, 'website_id');

  const rawEmail = body.email;
  if (rawEmail === undefined || rawEmail === null) throw invalid('email', 'is required.');
  if (typeof rawEmail !== 'string') throw invalid('email', 'must be a string.');
  const email = rawEmail.trim().toLowerCase();
  if (!email) throw invalid('email', 'must not be empty.');
  if (email.length > MAX_EMAIL_CHARS) throw invalid('email', `must be at most ${MAX_EMAIL_CHARS} characters.`);
  if (!EMAIL_RE.test(email)) throw invalid('email', 'must be an e-mail address like alex@example.com.');

  const role = body.role === undefined || body.role === null ? 'agent' : oneOf(body, 'role', ROLES);

  let password: string | undefined;
  if (body.password !== undefined && body.password !== null && body.password !== '') {
    if (typeof body.password !== 'string') throw invalid('password', 'must be a string.');
    password = body.password;
    if ([...password].length < MIN_PASSWORD_CHARS) throw invalid('password', `must be at least ${MIN_PASSWORD_CHARS} characters.`);
    if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
      throw invalid('password', `must be at most ${MAX_PASSWORD_BYTES} bytes.`);
    }
    if (password.trim() !== password) throw invalid('password', 'must not start or end with spaces.');
  }
  return { websiteId, email, role, password };
}

/** A readable random password (4 groups of 5 from 56 unambiguous characters, ~116 bits), shown once. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  // Bytes of 224 and above are dropped (224 = 4 × 56), so every character is equally likely.
  const chars: string[] = [];
  while (chars.length < 20) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < 224 && chars.length < 20) chars.push(alphabet[b % alphabet.length]);
    }
  }
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

export function forbidden(): ApiError {
  // One answer for "not your website", "you are an agent" and "no such website": the caller learns
  // nothing about websites they do not own.
  return new ApiError(403, 'forbidden', 'Only the website\'s owners can invite team members.');
}
