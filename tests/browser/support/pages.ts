// A throw-away website on its own loopback origin for browser tests: each path answers with the
// given HTML and headers (e.g. a Content-Security-Policy), like a customer's site would.
import { createServer, type Server } from 'node:http';

export interface TestPage {
  html: string;
  headers?: Record<string, string>;
}

export interface TestSite {
  origin: string;
  /** Adds or replaces a page while the site runs. */
  set(path: string, page: TestPage): void;
  close(): Promise<void>;
}

export async function serveTestSite(pages: Record<string, TestPage> = {}): Promise<TestSite> {
  const routes = new Map(Object.entries(pages));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = routes.get(path);
    if (!page) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...page.headers });
    res.end(page.html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    set: (path, page) => void routes.set(path, page),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
