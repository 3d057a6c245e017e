// POST /recover {email} (internal/api/recover.go, mail.go sendPasswordRecovery): supabase-js
// auth.resetPasswordForEmail. An address with an account is sent a link to GET /verify?type=recovery,
// which signs them in so their app can ask for a new password (PUT /user). The answer is 200 {}
// whether or not the address has an account, so nobody learns which addresses do.
//
// Only the implicit flow is served (the backoffice's): the local stack has no PKCE flow state, so a
// code_challenge is refused in words rather than ignored.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http.ts';
import type { AuthContext } from '../context.ts';
import { validateEmail } from '../credentials.ts';
import { transaction } from '../db.ts';
import { badRequest, orInternalError, unprocessable } from '../errors.ts';
import { sendAuthMail } from '../mailer.ts';
import { generateOtp, tokenHash } from '../otp.ts';
import { readParams } from '../params.ts';
import { referrerUrl } from '../redirect-urls.ts';
import { DEFAULT_AUD, findUserByEmail } from '../users.ts';

const RECOVER_PARAMS = { email: 'string', code_challenge: 'string', code_challenge_method: 'string' } as const;

export async function recover(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, query: URLSearchParams): Promise<void> {
  const settings = ctx.settings();
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'RecoverParams', RECOVER_PARAMS);
  if (!params.email) throw unprocessable('validation_failed', 'Password recovery requires an email');
  const email = validateEmail(params.email);
  if (params.code_challenge || params.code_challenge_method) {
    throw badRequest('validation_failed', 'The local stack serves password recovery in the implicit flow only: create the client with flowType "implicit"');
  }
  const redirectTo = referrerUrl(req, query, settings);
  ctx.limits.recoveryMails.take(email, settings.emailMaxFrequency);

  const otp = generateOtp(settings.emailOtpLength);
  const hash = tokenHash(email, otp);
  await orInternalError('Unable to process request', () => transaction(ctx.pool, async (tx) => {
    const user = await findUserByEmail(tx, email, DEFAULT_AUD);
    if (!user) return;
    // A new link replaces the previous one, which stops working.
    await tx.query(`update auth.users set recovery_token = $2, recovery_sent_at = now(), updated_at = now() where id = $1`, [user.id, hash]);
    // Written before the commit: a message that cannot be written leaves no token behind.
    sendAuthMail(ctx, {
      type: 'recovery', to: email, subject: 'Reset Your Password', otp, hash, redirectTo, announce: 'Password recovery',
      text: (link) => `Reset Password\n\nFollow this link to reset the password for your user:\n\nReset Password: ${link}\n`,
      html: (link) => `<h2>Reset Password</h2>\n\n<p>Follow this link to reset the password for your user:</p>\n<p><a href="${link}">Reset Password</a></p>`,
    });
  }));
  sendJson(res, 200, {});
}
