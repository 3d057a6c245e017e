// verify_jwt: the check hosted Supabase runs before a function whose verify_jwt is on (the
// default). Any JWT signed with the project's secret and not expired passes (the anon key is one);
// it says nothing about who the caller is, which the function checks itself. Messages as hosted
// answers them (supabase.com/docs/guides/troubleshooting/edge-function-401-error-response).
import type { IncomingMessage } from 'node:http';
import { header } from '../http.ts';
import { bearerToken, verifyJwt } from '../jwt.ts';

/** Why the request is refused, or undefined when it may reach the function. */
export function jwtRefusal(req: IncomingMessage, secret: string): string | undefined {
  const authorization = header(req, 'authorization');
  if (!authorization) return 'Missing authorization header';
  const check = verifyJwt(bearerToken(authorization), secret);
  if (check.ok) return undefined;
  return check.reason === 'malformed' ? 'Invalid Token or Protected Header formatting' : 'Invalid JWT';
}
