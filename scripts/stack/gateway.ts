// The single API origin (contract §1): one HTTP server on 127.0.0.1:54321 that routes
// /auth/v1, /rest/v1, /functions/v1 and /realtime/v1 to their services, like Supabase's
// gateway, and serves the built widget under /widget/ the way a CDN would.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StackConfig } from './config.ts';
import { sendJson, header } from './http.ts';
import { verifyJwt } from './jwt.ts';
import type { GatewayService } from './service.ts';

export const CORS_ALLOW_HEADERS = [
  'authorization', 'x-client-info', 'apikey', 'content-type', 'x-retry-count', 'traceparent', 'tracestate', 'baggage',
  'x-supabase-api-version', 'prefer', 'accept-profile', 'content-profile', 'range', 'x-upsert', 'accept',
].join(', ');
export const CORS_EXPOSE_HEADERS = 'content-range, content-location, x-sb-error-code, x-supabase-api-version, range-unit, retry-after';

function corsHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': header(req, 'origin') ? String(header(req, 'origin')) : '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS,
    'Access-Control-Max-Age': '3600',
    Vary: 'Origin',
  };
}

/** The API key a request carries: the `apikey` header, else the `apikey` query parameter. */
function apiKeyOf(req: IncomingMessage, url: URL): string | undefined {
  return header(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
}

export interface StaticMount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> | void;
}

export interface Gateway {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export function startGateway(config: StackConfig, services: GatewayService[], statics: StaticMount[] = []): Promise<Gateway> {
  const ordered = [...services].sort((a, b) => b.prefix.length - a.prefix.length);
  const match = (pathname: string) =>
    ordered.find((s) => pathname === s.prefix || pathname.startsWith(s.prefix + '/') || pathname.startsWith(s.prefix + '?'));

  const server = createServer(async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway');
    } catch {
      sendJson(res, 400, { message: 'Bad request' });
      return;
    }
    const service = match(url.pathname);
    try {
      if (!service) {
        const mount = statics.find((s) => url.pathname.startsWith(s.prefix));
        if (mount) return await mount.handle(req, res, url.pathname.slice(mount.prefix.length) + url.search);
        sendJson(res, 404, { message: 'no Route matched with those values' }, corsHeaders(req));
        return;
      }
      const cors = service.cors ? corsHeaders(req) : {};
      if (service.cors) {
        for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
        if (req.method === 'OPTIONS') {
          res.writeHead(200, { 'Content-Length': '0' });
          res.end();
          return;
        }
      }
      const path = (req.url ?? '/').slice(service.prefix.length) || '/';
      if (typeof service.requiresApiKey === 'function' ? service.requiresApiKey(path) : service.requiresApiKey) {
        const key = apiKeyOf(req, url);
        if (!key) return sendJson(res, 401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
        if (!key.startsWith('sb_') && !verifyJwt(key, config.jwtSecret).ok) {
          return sendJson(res, 401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
        }
      }
      await service.handle(req, res, path);
    } catch (err) {
      // A service bug must never take the gateway down nor leak a stack trace.
      console.error(`[gateway] ${req.method} ${url.pathname}:`, err);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal gateway error' });
      else res.destroy();
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://gateway'); } catch { socket.destroy(); return; }
    const service = match(url.pathname);
    if (!service?.upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"no Route matched with those values"}');
      return;
    }
    try {
      service.upgrade(req, socket, head, (req.url ?? '/').slice(service.prefix.length) || '/');
    } catch (err) {
      console.error('[gateway] upgrade failed:', err);
      socket.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  server.keepAliveTimeout = 65_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.apiPort, config.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.apiPort;
      resolve({
        server,
        port,
        close: async () => {
          await Promise.all(services.map((s) => s.close?.().catch((e) => console.error(e))));
          server.closeAllConnections();
          await new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}
