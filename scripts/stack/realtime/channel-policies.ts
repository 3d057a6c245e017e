// Read authorisation of a private channel, shared by the join and by access-token refreshes.
import { AuthorizationError, emptyPolicies, type Extension } from './authorization.ts';
import type { Channel, Policies } from './channel.ts';
import type { Session } from './session.ts';

export const UNAVAILABLE = 'UnableToConnectToProject: Realtime was unable to connect to the project database';
export const readDenied = (name: string) => `You do not have permissions to read from this Channel topic: ${name}`;

/**
 * Read policies of a private channel: `null` when neither broadcast nor presence may be read (or a
 * policy failed, which Supabase reports the same way). Throws AuthorizationError('unavailable')
 * when the database cannot be reached.
 */
export async function authorizeRead(
  session: Session, name: string, claims: Channel['claims'], presenceEnabled: boolean, base: Policies = emptyPolicies(),
): Promise<Policies | null> {
  const extensions: Extension[] = presenceEnabled ? ['broadcast', 'presence'] : ['broadcast'];
  try {
    const policies = await session.server.authorizer.read({ topic: name, claims, headers: session.headers }, base, extensions);
    return policies.broadcast.read || policies.presence.read ? policies : null;
  } catch (err) {
    if (err instanceof AuthorizationError && err.kind === 'unavailable') throw err;
    session.server.log(`[realtime] RlsPolicyError on ${name}: ${(err as Error).message}`);
    return null;
  }
}
