// Users and identities in auth.users / auth.identities with GoTrue's columns, and the user object
// as GoTrue serialises it (internal/models/user.go: field order, omitted empty fields, "" for a
// missing email or phone).
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';

/** GoTrue keeps instance_id for history; every row carries the nil UUID. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const DEFAULT_AUD = 'authenticated';
export const DEFAULT_ROLE = 'authenticated';

type Json = Record<string, unknown>;

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  phone: string | null;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
  invited_at: string | null;
  phone_confirmed_at: string | null;
  confirmation_sent_at: string | null;
  confirmed_at: string | null;
  recovery_sent_at: string | null;
  email_change: string | null;
  email_change_sent_at: string | null;
  phone_change: string | null;
  phone_change_sent_at: string | null;
  reauthentication_sent_at: string | null;
  last_sign_in_at: string | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: string | null;
  updated_at: string | null;
  banned_until: string | null;
  deleted_at: string | null;
  is_anonymous: boolean;
  is_sso_user: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  email: string | null;
}

export interface User extends UserRow {
  identities: IdentityRow[];
}

const USER_COLUMNS = `id, aud, role, email, phone, encrypted_password, email_confirmed_at, invited_at,
  phone_confirmed_at, confirmation_sent_at, confirmed_at, recovery_sent_at, email_change, email_change_sent_at,
  phone_change, phone_change_sent_at, reauthentication_sent_at, last_sign_in_at, raw_app_meta_data,
  raw_user_meta_data, created_at, updated_at, banned_until, deleted_at, is_anonymous, is_sso_user`;

async function withIdentities(db: Db, rows: UserRow[]): Promise<User[]> {
  if (!rows.length) return [];
  const { rows: identities } = await db.query<IdentityRow>(
    `select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
       from auth.identities where user_id = any($1::uuid[]) order by created_at, id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({ ...r, identities: identities.filter((i) => i.user_id === r.id) }));
}

export async function findUserById(db: Db, id: string, opts: { forUpdate?: boolean } = {}): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users where id = $1${opts.forUpdate ? ' for update' : ''}`, [id],
  );
  return (await withIdentities(db, rows))[0] ?? null;
}

/** FindUserByEmailAndAudience: case-insensitive, SSO users excluded. */
export async function findUserByEmail(db: Db, email: string, aud = DEFAULT_AUD): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users
      where lower(email) = lower($1) and aud = $2 and is_sso_user = false order by created_at limit 1`,
    [email, aud],
  );
  return (await withIdentities(db, rows))[0] ?? null;
}

/** The columns an e-mailed one-time token is kept in, by what the link is for. */
export type TokenColumn = 'confirmation_token' | 'recovery_token';

/**
 * FindUserByConfirmationToken / FindUserByRecoveryToken: whom an e-mailed token belongs to; with
 * `email`, only that address's user (a code typed in with its address, verifyUserAndToken).
 */
export async function findUserByToken(db: Db, column: TokenColumn, hash: string, email?: string, aud = DEFAULT_AUD): Promise<User | null> {
  if (!hash) return null;
  const { rows } = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users
      where ${column} = $1 and is_sso_user = false and ($2::text is null or (lower(email) = lower($2) and aud = $3))
      limit 1`,
    [hash, email ?? null, aud],
  );
  return (await withIdentities(db, rows))[0] ?? null;
}

export async function findUserByPhone(db: Db, phone: string, aud = DEFAULT_AUD): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users where phone = $1 and aud = $2 and is_sso_user = false limit 1`, [phone, aud],
  );
  return (await withIdentities(db, rows))[0] ?? null;
}

/**
 * IsDuplicatedEmail: another user of the audience already owns this address, through an identity
 * or (as GoTrue double-checks) through auth.users.email.
 */
export async function findDuplicateEmailOwner(db: Db, email: string, aud: string, exceptUserId?: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `select u.id from auth.users u
      where u.aud = $2 and u.id is distinct from $3::uuid
        and (u.id in (select user_id from auth.identities where email = lower($1))
             or (lower(u.email) = lower($1) and u.is_sso_user = false))
      limit 1`,
    [email, aud, exceptUserId ?? null],
  );
  return rows[0]?.id ?? null;
}

export interface ListUsersOptions { page: number; perPage: number; filter?: string; ascending?: boolean; aud?: string }

export async function listUsers(db: Db, opts: ListUsersOptions): Promise<{ users: User[]; total: number }> {
  const args: unknown[] = [opts.aud ?? DEFAULT_AUD];
  let where = 'aud = $1';
  if (opts.filter) {
    args.push(`%${opts.filter}%`);
    where += ` and (email like $2 or raw_user_meta_data->>'full_name' ilike $2)`;
  }
  const { rows: [{ count }] } = await db.query<{ count: string }>(`select count(*) from auth.users where ${where}`, args);
  const { rows } = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users where ${where}
      order by created_at ${opts.ascending ? 'asc' : 'desc'}, id
      limit $${args.length + 1} offset $${args.length + 2}`,
    [...args, opts.perPage, (opts.page - 1) * opts.perPage],
  );
  return { users: await withIdentities(db, rows), total: Number(count) };
}

export interface NewUser {
  id?: string;
  email?: string;
  phone?: string;
  passwordHash?: string;
  userMetadata?: Json;
  appMetadata?: Json;
  isAnonymous?: boolean;
  role?: string;
  aud?: string;
}

/** Inserts a user as GoTrue's NewUser + tx.Create + SetRole do; the caller adds identities. */
export async function insertUser(db: Db, u: NewUser): Promise<string> {
  const id = u.id ?? randomUUID();
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, email, phone, encrypted_password, raw_app_meta_data,
        raw_user_meta_data, is_anonymous, is_sso_user, created_at, updated_at, confirmation_token, recovery_token,
        email_change_token_new, email_change, phone_change, phone_change_token, email_change_token_current,
        reauthentication_token)
      values ($1, $2, $3, $4, nullif($5, ''), nullif($6, ''), $7, $8, $9, $10, false, now(), now(),
        '', '', '', '', '', '', '', '')`,
    [NIL_UUID, id, u.aud ?? DEFAULT_AUD, u.role ?? DEFAULT_ROLE, u.email?.toLowerCase() ?? '', u.phone ?? '',
      u.passwordHash ?? '', u.appMetadata ?? {}, u.userMetadata ?? {}, u.isAnonymous ?? false],
  );
  return id;
}

/**
 * The identity GoTrue creates for an e-mail (or phone) user: provider_id is the user id and
 * identity_data is structs.Map(provider.Claims{…}) plus the sign-up data's own keys.
 */
export async function insertIdentity(
  db: Db, userId: string, provider: 'email' | 'phone', claims: { email?: string; phone?: string; emailVerified?: boolean },
  extra: Json = {},
): Promise<void> {
  const data: Json = { sub: userId };
  if (claims.email) data.email = claims.email.toLowerCase();
  data.email_verified = claims.emailVerified ?? false;
  if (claims.phone) data.phone = claims.phone;
  data.phone_verified = false;
  for (const [k, v] of Object.entries(extra)) if (!(k in data)) data[k] = v;
  await db.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      values ($1, $2, $3, $4, now(), now(), now())`,
    [userId, userId, data, provider],
  );
}

/** Merges metadata as GoTrue's UpdateUserMetaData/UpdateAppMetaData: a null value removes the key. */
export function mergeMetadata(current: Json | null, updates: Json): Json {
  const next: Json = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(updates)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

export async function setMetadata(db: Db, userId: string, column: 'raw_user_meta_data' | 'raw_app_meta_data', value: Json) {
  await db.query(`update auth.users set ${column} = $2, updated_at = now() where id = $1`, [userId, value]);
}

/** User.Confirm: e-mail confirmed now, and user_metadata.email_verified = true. */
export async function confirmEmail(db: Db, userId: string): Promise<void> {
  await db.query(
    `update auth.users set confirmation_token = '', email_confirmed_at = now(), updated_at = now(),
        raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
      where id = $1`,
    [userId],
  );
}

export function isBanned(user: Pick<UserRow, 'banned_until'>, now = Date.now()): boolean {
  return !!user.banned_until && Date.parse(user.banned_until) > now;
}

export function hasPassword(user: UserRow): boolean {
  return !!user.encrypted_password;
}

/** The user object exactly as GoTrue's JSON has it. */
export function userJson(u: User): Json {
  const out: Json = { id: u.id, aud: u.aud ?? '', role: u.role ?? '', email: u.email ?? '' };
  const optional = (key: string, value: unknown) => { if (value !== null && value !== undefined && value !== '') out[key] = value; };
  optional('email_confirmed_at', u.email_confirmed_at);
  optional('invited_at', u.invited_at);
  out.phone = u.phone ?? '';
  optional('phone_confirmed_at', u.phone_confirmed_at);
  optional('confirmation_sent_at', u.confirmation_sent_at);
  optional('confirmed_at', u.confirmed_at);
  optional('recovery_sent_at', u.recovery_sent_at);
  optional('new_email', u.email_change);
  optional('email_change_sent_at', u.email_change_sent_at);
  optional('new_phone', u.phone_change);
  optional('phone_change_sent_at', u.phone_change_sent_at);
  optional('reauthentication_sent_at', u.reauthentication_sent_at);
  optional('last_sign_in_at', u.last_sign_in_at);
  out.app_metadata = u.raw_app_meta_data ?? {};
  out.user_metadata = u.raw_user_meta_data ?? {};
  out.identities = u.identities.map(identityJson);
  out.created_at = u.created_at;
  out.updated_at = u.updated_at;
  optional('banned_until', u.banned_until);
  optional('deleted_at', u.deleted_at);
  out.is_anonymous = u.is_anonymous;
  return out;
}

/** GoTrue swaps the names for the client's sake: `identity_id` is the row id, `id` the provider's id. */
function identityJson(i: IdentityRow): Json {
  const out: Json = {
    identity_id: i.id,
    id: i.provider_id,
    user_id: i.user_id,
    identity_data: i.identity_data,
    provider: i.provider,
  };
  if (i.last_sign_in_at) out.last_sign_in_at = i.last_sign_in_at;
  out.created_at = i.created_at;
  out.updated_at = i.updated_at;
  if (i.email) out.email = i.email;
  return out;
}
