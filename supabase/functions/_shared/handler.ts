// Wraps a function's logic into a Deno.serve handler: CORS preflights answered, CORS headers on
// every answer (errors included, so the widget can read them), and anything thrown turned into the
// JSON error envelope. The logic only throws ApiError or returns a Response.
import { corsHeaders, preflight } from './cors.ts';
import { errorResponse } from './http.ts';

export type Logic = (req: Request) => Promise<Response>;

export function withCors(logic: Logic, methods = 'GET, POST, DELETE, OPTIONS'): (req: Request) => Promise<Response> {
  return async (req: Request) => {
    if (req.method === 'OPTIONS') return preflight(req, methods);
    const cors = corsHeaders(req, methods);
    let res: Response;
    try {
      res = await logic(req);
    } catch (err) {
      res = errorResponse(err);
    }
    for (const [k, v] of Object.entries(cors)) if (!res.headers.has(k)) res.headers.set(k, v);
    return res;
  };
}
