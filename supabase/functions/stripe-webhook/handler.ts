// stripe-webhook (no JWT: verify_jwt = false; Stripe's signature is the authentication), contract §4:
//   POST /stripe-webhook  a Stripe event, signed in the Stripe-Signature header
//     → 200 {received: true, event_id, outcome} once handled; a replayed event id → 200 outcome 'duplicate'
//     → 400 {error: {code, message}} for a missing/invalid/expired signature or a body that is not an event
// The signature is checked on the raw bytes of the body, with the timestamp tolerance (a captured
// delivery cannot be replayed later). Each event id is stored once, in the same transaction as what
// the event changes: a duplicate delivery (even a concurrent one) waits for the first and then
// changes nothing, and a failure rolls both back so that Stripe's retry is processed afresh.
import { billingConfig } from '../_shared/billing/config.ts';
import { parseEnvelope } from '../_shared/billing/events.ts';
import { Stripe } from '../_shared/billing/stripe.ts';
import { sql } from '../_shared/db.ts';
import { ApiError, json, readBodyBytes, requireMethod } from '../_shared/http.ts';
import { applyEvent } from './apply.ts';

/** Stripe's events are a few KB; invoices with many lines stay well under this. */
const MAX_EVENT_BYTES = 512 * 1024;

const cryptoProvider = Stripe.createSubtleCryptoProvider();

export async function stripeWebhook(req: Request): Promise<Response> {
  requireMethod(req, ['POST']);
  const secret = billingConfig.webhookSecret();
  if (!secret) {
    throw new ApiError(503, 'billing_not_configured', 'Webhooks are not set up on this server (STRIPE_WEBHOOK_SECRET is missing).');
  }
  const signature = req.headers.get('stripe-signature');
  if (!signature) throw new ApiError(400, 'missing_signature', 'The Stripe-Signature header is missing.');
  const bytes = await readBodyBytes(req, MAX_EVENT_BYTES);
  let payload: string;
  try {
    payload = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_payload', 'The request body is not valid UTF-8.');
  }

  const event = parseEnvelope(await verify(payload, signature, secret));
  if (typeof event === 'string') throw new ApiError(400, 'invalid_event', event);

  const result = await sql().begin(async (tx) => {
    const [fresh] = await tx`
      insert into private.stripe_events (id, type, created, livemode)
      values (${event.id}, ${event.type}, ${event.created}, ${event.livemode})
      on conflict (id) do nothing
      returning id`;
    if (!fresh) return { outcome: 'duplicate' };
    const applied = await applyEvent(tx, event);
    await tx`update private.stripe_events set outcome = ${applied.outcome}, account_id = ${applied.accountId ?? null}
      where id = ${event.id}`;
    return applied;
  });
  return json(200, { received: true, event_id: event.id, outcome: result.outcome });
}

/** The parsed event when the signature holds; 400 with the reason when it does not. */
async function verify(payload: string, signature: string, secret: string): Promise<unknown> {
  try {
    return await Stripe.webhooks.constructEventAsync(payload, signature, secret, billingConfig.webhookToleranceS(), cryptoProvider);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      if (/tolerance/i.test(err.message)) {
        throw new ApiError(400, 'signature_expired', 'The Stripe-Signature timestamp is older than the tolerance; a late or replayed delivery is refused.');
      }
      throw new ApiError(400, 'invalid_signature', 'The Stripe-Signature does not match this body and the endpoint\'s signing secret.');
    }
    if (err instanceof SyntaxError) throw new ApiError(400, 'invalid_json', 'The signed body is not valid JSON.');
    throw err;
  }
}
