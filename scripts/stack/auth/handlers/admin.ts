// The admin API used server-side with the service_role key (internal/api/admin.go,
// pagination.go): list, create, read, update and delete users.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sendJson } from '../../http.ts';
import { UUID_PATTERN } from '../authenticate.ts';
import type { AuthContext } from '../context.ts';
import {
  checkPasswordStrength, hashPassword, MAX_PASSWORD_BYTES, randomPassword, validateEmail, validatePhone,
} from '../credentials.ts';
import { transaction, type Db } from '../db.ts';
import { badRequest, isUniqueViolation, notFound, orInternalError, unprocessable } from '../errors.ts';
import { parseGoDuration } from '../go-duration.ts';
import { readParams, readRawBody, decodeParams, type Params } from '../params.ts';
import { logout } from '../sessions.ts';
import {
  confirmEmail, DEFAULT_AUD, DEFAULT_ROLE, findDuplicateEmailOwner, findUserById, findUserByPhone, insertIdentity,
  insertUser, listUsers, mergeMetadata, NIL_UUID, setMetadata, userJson, type User,
} from '../users.ts';

const ADMIN_USER_PARAMS = {
  id: 'string', aud: 'string', role: 'string', email: 'string', phone: 'string', password: 'string?',
  password_hash: 'string', email_confirm: 'bool', phone_confirm: 'bool', user_metadata: 'map', app_metadata: 'map',
  ban_duration: 'string',
} as const;
type AdminUserParams = Params<typeof ADMIN_USER_PARAMS>;

const DEFAULT_PER_PAGE = 50;
/** Keeps LIMIT/OFFSET within bigint whatever a client asks for. */
const MAX_PAGE_ROWS = 1_000_000;

function parseUint(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    throw badRequest('validation_failed', `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Math.min(Number(raw), Number.MAX_SAFE_INTEGER);
}

export async function adminListUsers(res: ServerResponse, ctx: AuthContext, query: URLSearchParams): Promise<void> {
  let ascending = false;
  for (const value of query.getAll('sort')) {
    const [field, dir] = value.split(' ', 2);
    if (field !== 'created_at') throw badRequest('validation_failed', `Bad Sort Parameters: bad field for sort '${field}'`);
    if (dir !== undefined && !['ASC', 'DESC'].includes(dir.toUpperCase())) {
      throw badRequest('validation_failed', `Bad Sort Parameters: bad direction for sort '${dir}', only 'asc' and 'desc' allowed`);
    }
    ascending = dir?.toUpperCase() === 'ASC';
  }
  const page = parseUint(query.get('page'), 1);
  let perPage = parseUint(query.get('per_page'), DEFAULT_PER_PAGE);
  if (perPage < 1) perPage = 20; // what GoTrue's paginator does with 0
  perPage = Math.min(perPage, MAX_PAGE_ROWS);
  const effectivePage = Math.min(Math.max(page, 1), Math.floor(Number.MAX_SAFE_INTEGER / MAX_PAGE_ROWS));
  const { users, total } = await orInternalError('Database error finding users', () => listUsers(ctx.pool, {
    page: effectivePage, perPage, filter: query.get('filter') ?? undefined, ascending,
  }));
  sendJson(res, 200, { users: users.map(userJson), aud: DEFAULT_AUD }, {
    Link: paginationLink(query, page, perPage, total),
    'X-Total-Count': String(total),
  });
}

/**
 * addPaginationHeaders: `</admin/users?page=2&per_page=50>; rel="next", </admin/users?page=7&per_page=50>; rel="last"`,
 * the query re-encoded with sorted keys as Go's url.Values.Encode does (auth-js reads the page
 * number right after the first "=").
 */
function paginationLink(query: URLSearchParams, page: number, perPage: number, total: number): string {
  const totalPages = Math.ceil(total / perPage);
  const url = (p: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    q.sort();
    return `</admin/users?${q.toString()}>`;
  };
  let header = '';
  if (totalPages > page) header += `${url(page + 1)}; rel="next", `;
  return header + `${url(totalPages)}; rel="last"`;
}

function parseBanDuration(raw: string): number | null | undefined {
  if (!raw) return undefined;
  if (raw === 'none') return null;
  const ms = parseGoDuration(raw);
  if (ms === undefined) throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration ${JSON.stringify(raw)}`);
  return ms === 0 ? null : ms;
}

async function setBan(db: Db, userId: string, ms: number | null): Promise<void> {
  await db.query(
    `update auth.users set banned_until = case when $2::float8 is null then null else now() + make_interval(secs => $2::float8 / 1000) end,
        updated_at = now() where id = $1`,
    [userId, ms],
  );
}

async function passwordHashFor(params: AdminUserParams): Promise<string> {
  if (params.password_hash) {
    if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(params.password_hash)) {
      throw badRequest('validation_failed', 'password_hash must be a bcrypt hash');
    }
    return params.password_hash;
  }
  const password = params.password || randomPassword();
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw badRequest('validation_failed', 'bcrypt: password length exceeds 72 bytes');
  }
  return hashPassword(password);
}

export async function adminCreateUser(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'AdminUserParams', ADMIN_USER_PARAMS);
  const aud = params.aud || DEFAULT_AUD;
  if (!params.email && !params.phone) throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  const providers: string[] = [];
  let email = '';
  let phone = '';
  if (params.email) {
    email = validateEmail(params.email);
    if (await findDuplicateEmailOwner(ctx.pool, email, aud)) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    providers.push('email');
  }
  if (params.phone) {
    phone = validatePhone(params.phone);
    if (await findUserByPhone(ctx.pool, phone, aud)) throw unprocessable('phone_exists', 'Phone number already registered by another user');
    providers.push('phone');
  }
  if (params.password !== undefined && params.password_hash) {
    throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
  }
  let id: string | undefined;
  if (params.id) {
    if (!UUID_PATTERN.test(params.id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
    if (params.id === NIL_UUID) throw badRequest('validation_failed', 'ID cannot be a nil uuid');
    id = params.id.toLowerCase();
  }
  const ban = parseBanDuration(params.ban_duration);
  const passwordHash = await passwordHashFor(params);
  const appMetadata = mergeMetadata({ provider: providers[0], providers }, params.app_metadata ?? {});

  const user = await orInternalError('Database error creating new user', () => transaction(ctx.pool, async (tx) => {
    let userId: string;
    try {
      userId = await insertUser(tx, {
        id: id ?? randomUUID(), email, phone, passwordHash, aud, role: params.role || DEFAULT_ROLE,
        userMetadata: params.user_metadata ?? {}, appMetadata,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw unprocessable(email ? 'email_exists' : 'user_already_exists', email
        ? 'A user with this email address has already been registered' : 'User already registered');
      throw err;
    }
    if (email) await insertIdentity(tx, userId, 'email', { email });
    if (phone) await insertIdentity(tx, userId, 'phone', { phone });
    if (params.email_confirm) await confirmEmail(tx, userId);
    if (params.phone_confirm) await tx.query('update auth.users set phone_confirmed_at = now() where id = $1', [userId]);
    if (ban !== undefined) await setBan(tx, userId, ban);
    return findUserById(tx, userId);
  }));
  sendJson(res, 200, userJson(user!));
}

/** loadUser: the path's user id must be a UUID of an existing user (404 otherwise). */
async function loadUser(ctx: AuthContext, id: string): Promise<User> {
  if (!UUID_PATTERN.test(id)) throw notFound('validation_failed', 'user_id must be an UUID');
  const user = await orInternalError('Database error loading user', () => findUserById(ctx.pool, id));
  if (!user) throw notFound('user_not_found', 'User not found');
  return user;
}

export async function adminGetUser(res: ServerResponse, ctx: AuthContext, id: string): Promise<void> {
  sendJson(res, 200, userJson(await loadUser(ctx, id)));
}

export async function adminUpdateUser(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, id: string): Promise<void> {
  const user = await loadUser(ctx, id);
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'AdminUserParams', ADMIN_USER_PARAMS);
  const email = params.email ? validateEmail(params.email) : '';
  const phone = params.phone ? validatePhone(params.phone) : '';
  const ban = parseBanDuration(params.ban_duration);
  let passwordHash: string | null | undefined;
  if (params.password !== undefined) {
    checkPasswordStrength(params.password, ctx.settings().minimumPasswordLength);
    passwordHash = params.password === '' ? null : await hashPassword(params.password);
  }
  // GoTrue would fail on the unique index with a 500; a clear 422 says what is wrong.
  if (email && email !== user.email && await findDuplicateEmailOwner(ctx.pool, email, user.aud ?? DEFAULT_AUD, user.id)) {
    throw unprocessable('email_exists', 'A user with this email address has already been registered');
  }
  if (phone && phone !== user.phone && await findUserByPhone(ctx.pool, phone, user.aud ?? DEFAULT_AUD)) {
    throw unprocessable('phone_exists', 'Phone number already registered by another user');
  }

  const updated = await orInternalError('Error updating user', () => transaction(ctx.pool, async (tx) => {
    if (params.role) await tx.query('update auth.users set role = $2, updated_at = now() where id = $1', [user.id, params.role.trim()]);
    if (params.email_confirm) await confirmEmail(tx, user.id);
    if (params.phone_confirm) await tx.query('update auth.users set phone_confirmed_at = now(), updated_at = now() where id = $1', [user.id]);
    if (passwordHash !== undefined) {
      await tx.query(
        `update auth.users set encrypted_password = $2, confirmation_token = '', recovery_token = '',
            email_change_token_current = '', email_change_token_new = '', phone_change_token = '',
            reauthentication_token = '', updated_at = now() where id = $1`,
        [user.id, passwordHash],
      );
      // UpdatePassword(tx, nil): a password set by the admin signs the user out everywhere.
      await logout(tx, user.id, null, 'global');
    }
    if (email) {
      const { rowCount } = await tx.query(
        `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', $3::boolean),
            updated_at = now() where user_id = $1 and provider = 'email'`,
        [user.id, email, params.email_confirm],
      );
      if (!rowCount) await insertIdentity(tx, user.id, 'email', { email, emailVerified: params.email_confirm });
      await tx.query(
        `update auth.users set email = $2, is_anonymous = is_anonymous and not $3::boolean, updated_at = now() where id = $1`,
        [user.id, email, params.email_confirm],
      );
    }
    if (phone) {
      const { rowCount } = await tx.query(
        `update auth.identities set identity_data = identity_data || jsonb_build_object('phone', $2::text, 'phone_verified', $3::boolean),
            updated_at = now() where user_id = $1 and provider = 'phone'`,
        [user.id, phone, params.phone_confirm],
      );
      if (!rowCount) await insertIdentity(tx, user.id, 'phone', { phone });
      await tx.query(
        `update auth.users set phone = $2, is_anonymous = is_anonymous and not $3::boolean, updated_at = now() where id = $1`,
        [user.id, phone, params.phone_confirm],
      );
    }
    const current = (await findUserById(tx, user.id))!;
    if (params.app_metadata !== undefined) {
      await setMetadata(tx, user.id, 'raw_app_meta_data', mergeMetadata(current.raw_app_meta_data, params.app_metadata));
    }
    if (params.user_metadata !== undefined) {
      await setMetadata(tx, user.id, 'raw_user_meta_data', mergeMetadata(current.raw_user_meta_data, params.user_metadata));
    }
    if (ban !== undefined) await setBan(tx, user.id, ban);
    return findUserById(tx, user.id);
  }));
  sendJson(res, 200, userJson(updated!));
}

export async function adminDeleteUser(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, id: string): Promise<void> {
  const user = await loadUser(ctx, id);
  // The body is optional; when present it must be valid ({should_soft_delete}).
  const body = await readRawBody(req, ctx.stack.config.maxBodyBytes);
  const softDelete = body.length ? decodeParams(body, 'adminUserDeleteParams', { should_soft_delete: 'bool' }).should_soft_delete : false;
  await orInternalError('Database error deleting user', () => transaction(ctx.pool, async (tx) => {
    if (!softDelete) {
      await tx.query('delete from auth.users where id = $1', [user.id]);
      return;
    }
    if (user.deleted_at) return;
    // SoftDeleteUser: contact details replaced by hashes, metadata emptied, sessions ended.
    await tx.query(
      `update auth.users set
          email = nullif(translate(encode(sha256(convert_to(id::text || coalesce(email, ''), 'UTF8')), 'base64'), '+/=', '-_'), ''),
          phone = left(translate(encode(sha256(convert_to(id::text || coalesce(phone, ''), 'UTF8')), 'base64'), '+/=', '-_'), 15),
          encrypted_password = null, email_change = '', phone_change = '', confirmation_token = '', recovery_token = '',
          email_change_token_current = '', email_change_token_new = '', phone_change_token = '',
          deleted_at = now(), raw_user_meta_data = '{}', raw_app_meta_data = '{}', updated_at = now()
        where id = $1`,
      [user.id],
    );
    await tx.query(
      `update auth.identities set identity_data = '{}',
          provider_id = translate(encode(sha256(convert_to(user_id::text || provider || ':' || provider_id, 'UTF8')), 'base64'), '+/=', '-_')
        where user_id = $1`,
      [user.id],
    );
    await logout(tx, user.id, null, 'global');
  }));
  sendJson(res, 200, {});
}
