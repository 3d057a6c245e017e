// What Supabase Auth's mailer does with a message (internal/mailer/template.go): the link
// `{API}/verify?token=…&type=…&redirect_to=…` it carries and the message itself. No mail server
// runs locally: every message goes to the stack's outbox (outbox.ts) and is announced on the terminal.
import { issuer, type AuthContext } from './context.ts';
import { deliver, outboxDir } from './outbox.ts';

export interface AuthMail {
  /** GoTrue's email action type ("invite", "recovery"). */
  type: string;
  to: string;
  subject: string;
  /** The one-time code and its hash (the token the link carries). */
  otp: string;
  hash: string;
  redirectTo: string;
  /** The message's text and HTML, given the link (already HTML-escaped for `html`). */
  text(link: string): string;
  html(escapedLink: string): string;
  /** How the terminal names the message ("Invitation", "Password recovery"). */
  announce: string;
}

/** Writes the message to the outbox; a message that cannot be written throws. */
export function sendAuthMail(ctx: AuthContext, mail: AuthMail): void {
  const link = `${issuer(ctx)}/verify?token=${goQueryEscape(mail.hash)}&type=${mail.type}&redirect_to=${encodeRedirectUrl(mail.redirectTo)}`;
  const file = deliver(outboxDir(ctx.stack.config.stateDir), {
    type: mail.type,
    to: mail.to,
    subject: mail.subject,
    link,
    token: mail.otp,
    token_hash: mail.hash,
    redirect_to: mail.redirectTo,
    text: mail.text(link),
    html: mail.html(escapeHtml(link)),
  });
  ctx.stack.log(`✉ ${mail.announce} to ${mail.to} (no mail server locally; saved as ${file}):\n  ${link}`);
}

/** Go's url.QueryEscape. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** The mailer's encodeRedirectURL: escaped only when it holds "&", "=" or "#" (else taken as already encoded). */
function encodeRedirectUrl(url: string): string {
  return /[&=#]/.test(url) ? goQueryEscape(url) : url;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
