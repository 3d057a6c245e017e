// POST /logout?scope=global|local|others (internal/api/logout.go): 204, no body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../authenticate.ts';
import type { AuthContext } from '../context.ts';
import { badRequest, orInternalError } from '../errors.ts';
import { logout as endSessions, type LogoutScope } from '../sessions.ts';

export async function logout(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, query: URLSearchParams): Promise<void> {
  const { user, session } = await authenticate(req, ctx);
  const raw = query.get('scope') ?? '';
  const scope: LogoutScope | undefined = raw === '' || raw === 'global' ? 'global' : raw === 'local' || raw === 'others' ? raw : undefined;
  if (!scope) throw badRequest('validation_failed', `Unsupported logout scope ${JSON.stringify(raw)}`);
  await orInternalError('Error logging out user', () => endSessions(ctx.pool, user.id, session?.id ?? null, scope));
  res.writeHead(204);
  res.end();
}
