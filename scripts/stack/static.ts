// Serves built static files (widget, backoffice, demo site) the way a CDN would: content types,
// ETags, no directory escapes, and optional text substitutions for pages that must name the
// running stack's URLs (the demo site and the backoffice read them at load time).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.woff2': 'font/woff2', '.pdf': 'application/pdf',
};

export interface StaticOptions {
  root: string;
  /** Served for unknown paths without an extension (single-page apps). */
  fallback?: string;
  /** `{{NAME}}` placeholders replaced in .html files. */
  substitutions?: Record<string, string>;
  /** Extra headers for every answer (e.g. a Content-Security-Policy for a demo page). */
  headers?: (path: string) => Record<string, string>;
  /** Allow any origin to fetch the files (the widget is loaded cross-origin). */
  cors?: boolean;
}

export function staticHandler(opts: StaticOptions) {
  return (req: IncomingMessage, res: ServerResponse, rawPath: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      res.end('Method Not Allowed');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(rawPath || '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('Bad Request');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = normalize(join(opts.root, pathname));
    const inside = file === opts.root || file.startsWith(opts.root.endsWith(sep) ? opts.root : opts.root + sep);
    let target = inside && existsSync(file) && statSync(file).isFile() ? file : undefined;
    if (!target && inside && opts.fallback && !extname(pathname)) target = join(opts.root, opts.fallback);
    if (!target || !existsSync(target)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...(opts.cors ? { 'Access-Control-Allow-Origin': '*' } : {}) });
      res.end('Not Found');
      return;
    }
    let body = readFileSync(target);
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    if (opts.substitutions && type.startsWith('text/html')) {
      let text = body.toString('utf8');
      for (const [k, v] of Object.entries(opts.substitutions)) text = text.split(`{{${k}}}`).join(v);
      body = Buffer.from(text);
    }
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers: Record<string, string> = {
      'Content-Type': type,
      ETag: etag,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      ...(opts.cors ? { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' } : {}),
      ...(opts.headers?.(pathname) ?? {}),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** A static site on its own origin (host:port). */
export function startStaticServer(host: string, port: number, opts: StaticOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const handle = staticHandler(opts);
  const server = createServer((req, res) => handle(req, res, req.url ?? '/'));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
