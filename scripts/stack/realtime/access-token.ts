// Token life of a joined channel (Supabase's confirm_token and handle_in "access_token"):
// the channel closes with a system message when its token expires, and an `access_token`
// push re-verifies the new token and, on private channels, the read policies.
import type { Channel } from './channel.ts';
import { authorizeRead, readDenied } from './channel-policies.ts';
import { isObject } from './payload.ts';
import { checkToken } from './tokens.ts';

/** Longest wait before re-checking a token (Supabase re-confirms at least every 5 minutes). */
const MAX_CONFIRM_INTERVAL_MS = 5 * 60_000;

export function scheduleTokenExpiry(channel: Channel, exp: number): void {
  clearTimeout(channel.expiryTimer);
  const wait = Math.min(MAX_CONFIRM_INTERVAL_MS, Math.max(0, exp * 1000 - Date.now()));
  channel.expiryTimer = setTimeout(() => confirmToken(channel), wait + 5);
  channel.expiryTimer.unref();
}

function confirmToken(channel: Channel): void {
  if (channel.closed) return;
  const check = checkToken(channel.accessToken, channel.session.server.jwtSecret);
  if (check.ok) return scheduleTokenExpiry(channel, check.exp);
  channel.session.shutdownChannel(channel, check.message);
}

export async function handleAccessToken(channel: Channel, payload: unknown): Promise<void> {
  const token = isObject(payload) ? payload.access_token : undefined;
  // Supabase ignores a missing token, an `sb_` key and the token the channel already has.
  if (typeof token !== 'string' || token.startsWith('sb_') || token === channel.accessToken) return;
  const session = channel.session;
  // The channel keeps receiving under its current policies until the new ones are known.
  const previous = channel.policies;
  channel.accessToken = token;
  const check = checkToken(token, session.server.jwtSecret);
  if (!check.ok) {
    return session.shutdownChannel(channel, check.kind === 'signature' ? ':signature_error' : check.message);
  }
  if (channel.isPrivate) {
    let policies;
    try {
      policies = await authorizeRead(session, channel.name, check.claims, channel.presenceEnabled);
    } catch {
      return session.shutdownChannel(channel, 'Realtime was unable to connect to the project database');
    }
    if (channel.closed) return;
    if (!policies) return session.shutdownChannel(channel, readDenied(channel.name));
    const revoked = (before: boolean | null | undefined, now: boolean | null) => before === true && now === false;
    if (previous && (revoked(previous.broadcast.read, policies.broadcast.read) || revoked(previous.presence.read, policies.presence.read))) {
      return session.shutdownChannel(channel, `You no longer have permission to read from this Channel topic: ${channel.name}`);
    }
    // Fresh policies: write rights are evaluated again, lazily, for the new token.
    channel.policies = policies;
  }
  channel.claims = check.claims;
  scheduleTokenExpiry(channel, check.exp);
  session.server.postgresChanges?.updateClaims(channel);
}
