// The local stack's outgoing mail. There is no mail server on a developer's machine, so each
// message Supabase Auth would send (an invitation) is written as one JSON file to
// `<stateDir>/mail/` (`.emily/mail/` for `npm start`; LocalInfo.mailDir) and announced on the
// terminal. Tests read the messages back with readOutbox. File names sort in sending order.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OutboxMail {
  id: string;
  sent_at: string;
  /** GoTrue's email action type ("invite"). */
  type: string;
  to: string;
  subject: string;
  /** The link the message asks to open (GoTrue's ConfirmationURL). */
  link: string;
  /** The one-time code the message carries ({{ .Token }}), for verifyOtp({email, token}). */
  token: string;
  /** {{ .TokenHash }}, for verifyOtp({token_hash}). */
  token_hash: string;
  /** {{ .RedirectTo }}: where the link sends the person once verified. */
  redirect_to: string;
  text: string;
  html: string;
}

export function outboxDir(stateDir: string): string {
  return join(stateDir, 'mail');
}

/** Writes the message (whole or not at all: a reader never sees half a file) and returns its path. */
export function deliver(dir: string, mail: Omit<OutboxMail, 'id' | 'sent_at'>): string {
  mkdirSync(dir, { recursive: true });
  const id = randomUUID();
  const sentAt = new Date();
  const file = join(dir, `${sentAt.getTime()}-${mail.type}-${id}.json`);
  const body: OutboxMail = { id, sent_at: sentAt.toISOString(), ...mail };
  writeFileSync(`${file}.tmp`, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return file;
}

/** The messages in `dir`, oldest first, optionally only those to one address. */
export function readOutbox(dir: string, to?: string): OutboxMail[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const mails = names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as OutboxMail);
  return to ? mails.filter((m) => m.to === to.toLowerCase()) : mails;
}
