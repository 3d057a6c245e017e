// POST /invite (service role only; internal/api/invite.go, mail.go sendInvite): the user is created
// with `invited_at`, no password and the address not confirmed, and is sent a link to
// GET /verify?type=invite that signs them in (and then their app asks for a password). Inviting
// an address whose account is not confirmed yet sends a new link (the old one stops working);
// a confirmed account is 422 email_exists, as in GoTrue.
//
// No mail server runs locally: the message goes to the stack's outbox (mailer.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http.ts';
import type { AuthContext } from '../context.ts';
import { validateEmail } from '../credentials.ts';
import { transaction } from '../db.ts';
import { isUniqueViolation, orInternalError, unprocessable } from '../errors.ts';
import { generateOtp, tokenHash } from '../otp.ts';
import { sendAuthMail } from '../mailer.ts';
import { readParams } from '../params.ts';
import { referrerUrl } from '../redirect-urls.ts';
import { DEFAULT_AUD, findUserByEmail, findUserById, insertIdentity, insertUser, userJson } from '../users.ts';

const INVITE_PARAMS = { email: 'string', data: 'map' } as const;
const emailExists = () => unprocessable('email_exists', 'A user with this email address has already been registered');

export async function invite(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, query: URLSearchParams): Promise<void> {
  const settings = ctx.settings();
  const params = await readParams(req, ctx.stack.config.maxBodyBytes, 'InviteParams', INVITE_PARAMS);
  const email = validateEmail(params.email);
  const redirectTo = referrerUrl(req, query, settings);
  const otp = generateOtp(settings.emailOtpLength);
  const hash = tokenHash(email, otp);

  const user = await orInternalError('Database error inviting user', () => transaction(ctx.pool, async (tx) => {
    const existing = await findUserByEmail(tx, email, DEFAULT_AUD);
    if (existing?.email_confirmed_at) throw emailExists();
    let userId = existing?.id;
    if (!userId) {
      try {
        userId = await insertUser(tx, {
          email, userMetadata: params.data ?? {}, appMetadata: { provider: 'email', providers: ['email'] },
        });
      } catch (err) {
        // Another invitation or sign-up of the address won the race (users_email_partial_key).
        if (isUniqueViolation(err)) throw emailExists();
        throw err;
      }
      await insertIdentity(tx, userId, 'email', { email });
    }
    await tx.query(
      `update auth.users set confirmation_token = $2, confirmation_sent_at = now(), invited_at = now(), updated_at = now()
        where id = $1`,
      [userId, hash],
    );
    // Written before the commit: a message that cannot be written leaves no half-invited user.
    sendInvitation(ctx, email, otp, hash, redirectTo);
    return findUserById(tx, userId);
  }));
  sendJson(res, 200, userJson(user!));
}

/** GoTrue's default invite template. */
function sendInvitation(ctx: AuthContext, to: string, otp: string, hash: string, redirectTo: string): void {
  sendAuthMail(ctx, {
    type: 'invite', to, subject: "You've been invited", otp, hash, redirectTo, announce: 'Invitation',
    text: (link) => `You've been invited to create an account. Follow the link below to accept.\n\nAccept invitation: ${link}\n`,
    html: (link) => `<h2>You've been invited</h2>\n\n<p>You've been invited to create an account. Follow the link below to accept.</p>\n`
      + `<p><a href="${link}">Accept invitation</a></p>`,
  });
}
