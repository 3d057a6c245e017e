// The routes of /auth/v1 that the local stack serves, and the one place errors become answers.
// Like Supabase's gateway, /verify is open: the link in an e-mail carries no API key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requireAdmin } from './authenticate.ts';
import type { AuthContext } from './context.ts';
import { AuthError, OAuthError, sendAuthError, unexpectedFailure } from './errors.ts';
import { adminCreateUser, adminDeleteUser, adminGetUser, adminListUsers, adminUpdateUser } from './handlers/admin.ts';
import { invite } from './handlers/invite.ts';
import { logout } from './handlers/logout.ts';
import { recover } from './handlers/recover.ts';
import { health, settings } from './handlers/meta.ts';
import { signup } from './handlers/signup.ts';
import { token } from './handlers/token.ts';
import { getUser, updateUser } from './handlers/user.ts';
import { verifyGet, verifyPost } from './handlers/verify.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: AuthContext, query: URLSearchParams, id: string) => Promise<void> | void;

const ROUTES: Record<string, Record<string, Handler>> = {
  '/health': { GET: (_q, res) => health(res) },
  '/settings': { GET: (_q, res, ctx) => settings(res, ctx) },
  '/signup': { POST: (req, res, ctx) => signup(req, res, ctx) },
  '/token': { POST: (req, res, ctx, query) => token(req, res, ctx, query) },
  '/user': { GET: (req, res, ctx) => getUser(req, res, ctx), PUT: (req, res, ctx) => updateUser(req, res, ctx) },
  '/logout': { POST: (req, res, ctx, query) => logout(req, res, ctx, query) },
  '/verify': { GET: (req, res, ctx, query) => verifyGet(req, res, ctx, query), POST: (req, res, ctx) => verifyPost(req, res, ctx) },
  '/recover': { POST: (req, res, ctx, query) => recover(req, res, ctx, query) },
  '/invite': { POST: async (req, res, ctx, query) => { await requireAdmin(req, ctx); await invite(req, res, ctx, query); } },
  '/admin/users': {
    GET: async (req, res, ctx, query) => { await requireAdmin(req, ctx); await adminListUsers(res, ctx, query); },
    POST: async (req, res, ctx) => { await requireAdmin(req, ctx); await adminCreateUser(req, res, ctx); },
  },
  '/admin/users/:id': {
    GET: async (req, res, ctx, _query, id) => { await requireAdmin(req, ctx); await adminGetUser(res, ctx, id); },
    PUT: async (req, res, ctx, _query, id) => { await requireAdmin(req, ctx); await adminUpdateUser(req, res, ctx, id); },
    DELETE: async (req, res, ctx, _query, id) => { await requireAdmin(req, ctx); await adminDeleteUser(req, res, ctx, id); },
  },
};

/** The paths (after /auth/v1, query included) that need no `apikey`: Kong's auth-v1-open routes. */
export function isOpenPath(path: string): boolean {
  return /^\/verify(?:[/?]|$)/.test(path);
}

function match(pathname: string): { route: Record<string, Handler>; id: string } | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  if (ROUTES[path]) return { route: ROUTES[path], id: '' };
  const m = /^\/admin\/users\/([^/]+)$/.exec(path);
  if (m) {
    let id: string;
    try { id = decodeURIComponent(m[1]); } catch { id = m[1]; }
    return { route: ROUTES['/admin/users/:id'], id };
  }
  return undefined;
}

/** Handles one request; `path` is what follows /auth/v1, query string included. */
export async function route(req: IncomingMessage, res: ServerResponse, ctx: AuthContext, path: string): Promise<void> {
  try {
    const url = new URL(path, 'http://auth.local');
    const found = match(url.pathname);
    if (!found) throw new AuthError(404, 'not_found', `No such endpoint: ${req.method} /auth/v1${url.pathname}`);
    const handler = found.route[req.method ?? ''];
    if (!handler) throw new AuthError(405, 'method_not_allowed', `${req.method} is not allowed on /auth/v1${url.pathname}`);
    await handler(req, res, ctx, url.searchParams, found.id);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof AuthError || err instanceof OAuthError) {
      sendAuthError(req, res, err);
      return;
    }
    console.error(`[auth] ${req.method} ${path}:`, err);
    sendAuthError(req, res, unexpectedFailure());
  }
}
