// POST /signup: anonymous sign-in (no email, no phone) and e-mail + password sign-up
// (internal/api/api.go's /signup route, signup.go, anonymous.go).
//
// The local stack has no mail server, so e-mail sign-ups are confirmed at once, as Supabase Auth
// does with GOTRUE_MAILER_AUTOCONFIRM: the answer is a session, not a user waiting for a
// confirmation link. This deliberately ignores `[auth.email] enable_confirmations`, which stays
// `true` in config.toml for the hosted project (where a link is really e-mailed).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http.ts';
import type { AuthContext } from '../context.ts';
import { checkPasswordStrength, hashPassword, validateEmail } from '../credentials.ts';
import { transaction } from '../db.ts';
import { badRequest, isUniqueViolation, orInternalError, unprocessable } from '../errors.ts';
import { readParams } from '../params.ts';
import { enforceRateLimit } from '../rate-limit.ts';
import { clientOf, startSession } from '../sessions.ts';
import { tokenResponse } from '../token-response.ts';
import { confirmEmail, DEFAULT_AUD, findDuplicateEmailOwner, insertIdentity, insertUser } from '../users.ts';

const SIGNUP_PARAMS = {
  email: 'string', phone: 'string', password: 'string', data: 'map', channel: 'string',
  code_challenge_method: 'string', code_challenge: 'string',
} as const;

const userExists = () => unprocessable('user_already_exists', 'User already registered');

export async function signup(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<void> {
  const settings = ctx.settings();
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'SignupParams', SIGNUP_PARAMS);
  const client = clientOf(req);

  if (!params.email && !params.phone) {
    if (!settings.enableAnonymousSignIns) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
    // [auth.rate_limit] anonymous_users per hour per client, bursts included (GoTrue's limiter).
    const perHour = settings.rateLimitAnonymousUsers;
    enforceRateLimit(ctx.limits.anonymousSignIns, req, perHour, perHour / 3600);
    if (!settings.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
    const body = await orInternalError('Database error creating anonymous user', () => transaction(ctx.pool, async (tx) => {
      const userId = await insertUser(tx, { userMetadata: params.data ?? {}, appMetadata: {}, isAnonymous: true });
      const { sessionId, refreshToken } = await startSession(tx, userId, 'anonymous', client);
      return tokenResponse(tx, ctx, userId, sessionId, refreshToken);
    }));
    sendJson(res, 200, body);
    return;
  }

  if (!settings.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
  if (!params.password) throw badRequest('validation_failed', 'Signup requires a valid password');
  checkPasswordStrength(params.password, settings.minimumPasswordLength);
  if (params.email && params.phone) {
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
  }
  validatePkceParams(params.code_challenge_method, params.code_challenge);
  // Phone sign-ups need an SMS provider, which a local stack has not ([auth.sms] enable_signup off).
  if (params.phone) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  const email = validateEmail(params.email);

  // Hashing costs ~0.1 s of CPU: done before the transaction, as GoTrue does.
  if (await findDuplicateEmailOwner(ctx.pool, email, DEFAULT_AUD)) throw userExists();
  const passwordHash = await hashPassword(params.password);
  const data = params.data ?? {};
  const body = await orInternalError('Database error saving new user', () => transaction(ctx.pool, async (tx) => {
    // GoTrue lets a sign-up proceed over an existing unconfirmed address; here any existing
    // address is refused, so a sign-up can never take over an account made by the admin API.
    if (await findDuplicateEmailOwner(tx, email, DEFAULT_AUD)) throw userExists();
    let userId: string;
    try {
      userId = await insertUser(tx, {
        email, passwordHash, userMetadata: data, appMetadata: { provider: 'email', providers: ['email'] },
      });
    } catch (err) {
      // Another sign-up of the same address won the race (users_email_partial_key).
      if (isUniqueViolation(err)) throw userExists();
      throw err;
    }
    await insertIdentity(tx, userId, 'email', { email }, data);
    await confirmEmail(tx, userId);
    const { sessionId, refreshToken } = await startSession(tx, userId, 'password', client);
    return tokenResponse(tx, ctx, userId, sessionId, refreshToken);
  }));
  sendJson(res, 200, body);
}

/** validatePKCEParams: both or neither, and a challenge of RFC 7636's length and alphabet. */
function validatePkceParams(method: string, challenge: string): void {
  if ((method === '') !== (challenge === '')) {
    throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  }
  if (!challenge) return;
  if (challenge.length < 43 || challenge.length > 128) {
    throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
  }
  if (!/^[A-Za-z0-9\-._~]+$/.test(challenge)) {
    throw badRequest('validation_failed', 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes');
  }
}
