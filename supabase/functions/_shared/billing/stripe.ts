// The Stripe client of the functions: fetch-based (Deno), pointed at api.stripe.com or, when
// STRIPE_API_BASE is set, at another endpoint (the tests' loopback fake of Stripe's API). Calls
// that fail at Stripe become 502 `payment_provider_error` for the caller; the details go to the log.
import Stripe from 'npm:stripe@23.1.0';
import { ApiError } from '../http.ts';
import { billingConfig } from './config.ts';

export { Stripe };

let client: { key: string; base: string; stripe: Stripe } | undefined;

export function stripeConfigured(): boolean {
  return !!billingConfig.secretKey();
}

export function stripeClient(): Stripe {
  const key = billingConfig.secretKey();
  if (!key) {
    throw new ApiError(503, 'billing_not_configured', 'Billing is not set up on this server (STRIPE_SECRET_KEY is missing).');
  }
  const base = billingConfig.apiBase() ?? '';
  if (client?.key === key && client.base === base) return client.stripe;
  const options: Stripe.StripeConfig = {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'Emily' },
  };
  if (base) {
    const url = new URL(base);
    options.protocol = url.protocol === 'http:' ? 'http' : 'https';
    options.host = url.hostname;
    options.port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  }
  client = { key, base, stripe: new Stripe(key, options) };
  return client.stripe;
}

/** Runs a Stripe call; a refusal or outage at Stripe becomes a 502 the caller can read. */
export async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) {
      console.error(`[billing] Stripe refused to ${what}: ${err.type} ${err.code ?? ''} ${err.message} (request ${err.requestId ?? '-'})`);
      throw new ApiError(502, 'payment_provider_error', `Stripe could not ${what} right now; please try again later.`);
    }
    throw err;
  }
}
