// GET /user and PUT /user for the signed-in user (internal/api/user.go).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, sendJson } from '../../http.ts';
import { firstAudience } from '../access-tokens.ts';
import { authenticate } from '../authenticate.ts';
import type { AuthContext } from '../context.ts';
import { checkPasswordStrength, hashPassword, passwordMatches, validateEmail, validatePhone } from '../credentials.ts';
import { transaction, type Db } from '../db.ts';
import { badRequest, forbidden, orInternalError, unprocessable } from '../errors.ts';
import { readParams } from '../params.ts';
import { logout } from '../sessions.ts';
import {
  confirmEmail, DEFAULT_AUD, findDuplicateEmailOwner, findUserById, hasPassword, insertIdentity, mergeMetadata,
  setMetadata, userJson,
} from '../users.ts';

const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);

export async function getUser(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  const { claims, user } = await authenticate(req, ctx);
  // requestAud: the X-JWT-AUD header, else the token's own audience, else the default.
  const tokenAud = firstAudience(claims);
  const requested = header(req, 'x-jwt-aud')
    || (typeof claims.role === 'string' && !ADMIN_ROLES.has(claims.role) && tokenAud ? tokenAud : DEFAULT_AUD);
  if (!tokenAud || requested !== tokenAud) {
    throw badRequest('validation_failed', "Token audience doesn't match request audience");
  }
  sendJson(res, 200, userJson(user));
}

const USER_UPDATE_PARAMS = {
  email: 'string', password: 'string?', current_password: 'string?', nonce: 'string', data: 'map',
  app_metadata: 'map', phone: 'string', channel: 'string', code_challenge: 'string', code_challenge_method: 'string',
} as const;

export async function updateUser(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  const { user, session } = await authenticate(req, ctx);
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'UserUpdateParams', USER_UPDATE_PARAMS);
  const email = params.email ? validateEmail(params.email) : '';
  if (params.phone) validatePhone(params.phone);
  if (params.password !== undefined) checkPasswordStrength(params.password, ctx.settings().minimumPasswordLength);
  if (params.app_metadata !== undefined) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
  if (user.is_anonymous && params.password && !params.email && !params.phone) {
    throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
  }
  const changingEmail = email !== '' && email !== (user.email ?? '');
  if (changingEmail && await findDuplicateEmailOwner(ctx.pool, email, user.aud ?? DEFAULT_AUD, user.id)) {
    throw unprocessable('email_exists', 'A user with this email address has already been registered');
  }
  // Changing a phone number needs an SMS provider to confirm it, which a local stack has not.
  if (params.phone && params.phone !== user.phone) throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');

  let passwordHash: string | undefined;
  if (params.password !== undefined && params.password !== '') {
    if (hasPassword(user) && await passwordMatches(params.password, user.encrypted_password)) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
    passwordHash = await hashPassword(params.password);
  }

  const updated = await orInternalError('Error updating user', () => transaction(ctx.pool, async (tx) => {
    if (params.password !== undefined) {
      await tx.query(
        `update auth.users set encrypted_password = $2, confirmation_token = '', confirmation_sent_at = null,
            recovery_token = '', recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '',
            email_change_sent_at = null, phone_change_token = '', phone_change_sent_at = null,
            reauthentication_token = '', reauthentication_sent_at = null, updated_at = now()
          where id = $1`,
        [user.id, passwordHash ?? ''],
      );
      // A new password ends every other session of the user (UpdatePassword → LogoutAllExceptMe).
      await logout(tx, user.id, session?.id ?? null, session ? 'others' : 'global');
    }
    if (params.data !== undefined) {
      await setMetadata(tx, user.id, 'raw_user_meta_data', mergeMetadata(user.raw_user_meta_data, params.data));
    }
    if (changingEmail) await applyEmailChange(tx, user.id, email);
    return findUserById(tx, user.id);
  }));
  sendJson(res, 200, userJson(updated!));
}

/**
 * What confirming an e-mail change does (emailChangeVerify + ConfirmEmailChange). Supabase Auth
 * does it at once only for anonymous users; others must click a link sent to the new address.
 * The local stack has no mail server, so it confirms every change at once.
 */
async function applyEmailChange(tx: Db, userId: string, email: string): Promise<void> {
  const { rowCount } = await tx.query(
    `update auth.identities
        set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', true), updated_at = now()
      where user_id = $1 and provider = 'email'`,
    [userId, email],
  );
  if (!rowCount) await insertIdentity(tx, userId, 'email', { email, emailVerified: true });
  const { rows: [row] } = await tx.query<{ email_confirmed_at: string | null }>(
    `update auth.users set email = $2, email_change = '', email_change_token_current = '', email_change_token_new = '',
        email_change_confirm_status = 0, is_anonymous = false, updated_at = now()
      where id = $1 returning email_confirmed_at`,
    [userId, email],
  );
  if (!row.email_confirmed_at) await confirmEmail(tx, userId);
}
