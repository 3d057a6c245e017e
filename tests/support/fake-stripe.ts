// A FAKE of Stripe's API for tests: a real HTTP server on loopback that the functions' `stripe`
// client is pointed at (STRIPE_API_BASE). It is not Stripe: it implements only the calls Emily
// makes — create a customer, a Checkout Session and a Customer Portal session, read a customer —
// answers them with Stripe-shaped JSON (ids with Stripe's prefixes, `object`, Stripe's error
// envelope), checks the secret key like Stripe does (401 otherwise), honours Idempotency-Key the
// way Stripe does (same key → same answer), and records every request so a test can see exactly
// what was sent (form fields as Stripe receives them: `line_items[0][price]`, ...).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StripeRequestRecord {
  method: string;
  path: string;
  /** Form fields of the body (Stripe's encoding, keys with brackets kept as they are). */
  form: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export interface FakeStripe {
  /** The base URL for STRIPE_API_BASE. */
  url: string;
  secretKey: string;
  requests: StripeRequestRecord[];
  customers: Map<string, Record<string, unknown>>;
  /** Requests to one path (e.g. '/v1/customers'), in order. */
  calls(method: string, path: string): StripeRequestRecord[];
  /** The next `count` API calls answer this Stripe error instead. */
  failNext(status: number, error: { type: string; message: string; code?: string }, count?: number): void;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(body));
}

function stripeError(res: ServerResponse, status: number, error: { type: string; message: string; code?: string }) {
  send(res, status, { error });
}

/** Metadata fields `metadata[key]=value` of a form as an object. */
function metadataOf(form: Record<string, string>, prefix = 'metadata'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    const m = new RegExp(`^${prefix.replace(/[[\]]/g, '\\$&')}\\[([^\\]]+)\\]$`).exec(k);
    if (m) out[m[1]] = v;
  }
  return out;
}

export async function startFakeStripe(opts: { secretKey?: string } = {}): Promise<FakeStripe> {
  const secretKey = opts.secretKey ?? `sk_test_fake_${randomBytes(8).toString('hex')}`;
  const requests: StripeRequestRecord[] = [];
  const customers = new Map<string, Record<string, unknown>>();
  const idempotent = new Map<string, { status: number; body: unknown }>();
  const sockets = new Set<Socket>();
  let failures: Array<{ status: number; error: { type: string; message: string; code?: string } }> = [];
  const now = () => Math.floor(Date.now() / 1000);

  function route(method: string, path: string, form: Record<string, string>): { status: number; body: unknown } {
    if (method === 'POST' && path === '/v1/customers') {
      const customer = {
        id: id('cus'), object: 'customer', created: now(), email: form.email ?? null,
        metadata: metadataOf(form), livemode: false,
      };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    const customerMatch = /^\/v1\/customers\/([^/]+)$/.exec(path);
    if (method === 'GET' && customerMatch) {
      const customer = customers.get(customerMatch[1]);
      return customer
        ? { status: 200, body: customer }
        : { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${customerMatch[1]}'` } } };
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const missing = ['mode', 'success_url', 'line_items[0][price]'].find((k) => !form[k]);
      if (missing) return { status: 400, body: { error: { type: 'invalid_request_error', code: 'parameter_missing', message: `Missing required param: ${missing}.` } } };
      if (form.customer && !customers.has(form.customer)) {
        return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${form.customer}'` } } };
      }
      const sessionId = id('cs_test');
      return {
        status: 200,
        body: {
          id: sessionId, object: 'checkout.session', mode: form.mode, customer: form.customer ?? null,
          client_reference_id: form.client_reference_id ?? null, success_url: form.success_url, cancel_url: form.cancel_url ?? null,
          metadata: metadataOf(form), status: 'open', payment_status: 'unpaid', livemode: false, created: now(),
          url: `https://checkout.stripe.test/c/pay/${sessionId}`,
        },
      };
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!form.customer || !customers.has(form.customer)) {
        return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${form.customer ?? ''}'` } } };
      }
      const sessionId = id('bps');
      return {
        status: 200,
        body: {
          id: sessionId, object: 'billing_portal.session', customer: form.customer, return_url: form.return_url ?? null,
          livemode: false, created: now(), url: `https://billing.stripe.test/p/session/${sessionId}`,
        },
      };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } } };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      const form = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : raw));
      const record = { method: req.method ?? 'GET', path: url.pathname, form, headers: req.headers };
      requests.push(record);
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        stripeError(res, 401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' });
        return;
      }
      const failure = failures.shift();
      if (failure) {
        stripeError(res, failure.status, failure.error);
        return;
      }
      const key = req.headers['idempotency-key'];
      const idemKey = typeof key === 'string' ? `${record.method} ${record.path} ${key}` : undefined;
      const answer = (idemKey && idempotent.get(idemKey)) || route(record.method, record.path, form);
      if (idemKey) idempotent.set(idemKey, answer);
      send(res, answer.status, answer.body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    requests,
    customers,
    calls: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    failNext(status, error, count = 1) {
      failures = [...failures, ...Array.from({ length: count }, () => ({ status, error }))];
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
