// Helpers shared by the billing integration tests: Stripe-shaped events (the fields Stripe sends for
// the API version of the `stripe` package, 2026-10-28), signed exactly as Stripe signs webhook
// deliveries with the `stripe` package's own test helper, and a private stack whose functions get
// Stripe settings through the stack's functions.env (never from the developer's shell).
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { startTestStack } from '../support/stack.ts';
import { db, fn, type StackInfo } from './widget-api.support.ts';

export const WEBHOOK_SECRET = `whsec_test_${randomBytes(16).toString('hex')}`;
export const PRICES = { pro: 'price_test_pro_monthly', business: 'price_test_business_monthly' } as const;

/** A private stack with Stripe configured (the API pointed at `apiBase`, e.g. the fake). */
export function startBillingStack(env: Record<string, string> = {}, opts: { backoffice?: boolean } = {}): Promise<RunningStack> {
  return startTestStack({
    functions: {
      passEnv: [],
      env: {
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_PRICE_PRO: PRICES.pro,
        STRIPE_PRICE_BUSINESS: PRICES.business,
        ...env,
      },
    },
  }, { noStatic: !opts.backoffice });
}

const stripe = new Stripe('sk_test_unused_for_signing');

export const eventId = () => `evt_test_${randomBytes(12).toString('hex')}`;
export const subscriptionId = () => `sub_test_${randomBytes(10).toString('hex')}`;
export const customerId = () => `cus_test_${randomBytes(10).toString('hex')}`;
export const nowS = () => Math.floor(Date.now() / 1000);

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

export function event(type: string, object: Record<string, unknown>, opts: { id?: string; created?: number } = {}): StripeEvent {
  return {
    id: opts.id ?? eventId(),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: opts.created ?? nowS(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_${randomBytes(7).toString('hex')}`, idempotency_key: randomUUID() },
    type,
    data: { object },
  };
}

export interface SubscriptionFields {
  id: string;
  customer: string;
  status: string;
  price?: string;
  periodEnd?: number;
  cancelAtPeriodEnd?: boolean;
  metadata?: Record<string, string>;
}

/** A Subscription object as Stripe sends it (period on the items, as in current API versions). */
export function subscription(f: SubscriptionFields): Record<string, unknown> {
  const start = nowS();
  return {
    id: f.id,
    object: 'subscription',
    customer: f.customer,
    status: f.status,
    cancel_at_period_end: f.cancelAtPeriodEnd ?? false,
    cancel_at: null,
    canceled_at: f.status === 'canceled' ? start : null,
    created: start,
    livemode: false,
    metadata: f.metadata ?? {},
    items: {
      object: 'list',
      data: [{
        id: `si_${randomBytes(8).toString('hex')}`,
        object: 'subscription_item',
        current_period_start: start,
        current_period_end: f.periodEnd ?? start + 30 * 86400,
        price: { id: f.price ?? PRICES.pro, object: 'price', recurring: { interval: 'month' }, currency: 'usd' },
        quantity: 1,
      }],
      has_more: false,
    },
  };
}

export function checkoutSession(f: { customer: string; subscription: string; account: string; plan: string; paid?: boolean }): Record<string, unknown> {
  return {
    id: `cs_test_${randomBytes(12).toString('hex')}`,
    object: 'checkout.session',
    mode: 'subscription',
    customer: f.customer,
    subscription: f.subscription,
    client_reference_id: f.account,
    metadata: { account_id: f.account, plan: f.plan },
    payment_status: f.paid === false ? 'unpaid' : 'paid',
    status: 'complete',
    livemode: false,
  };
}

/** An Invoice object; the subscription sits under parent.subscription_details in current API versions. */
export function invoice(f: { customer: string; subscription: string; paid: boolean }): Record<string, unknown> {
  return {
    id: `in_${randomBytes(12).toString('hex')}`,
    object: 'invoice',
    customer: f.customer,
    status: f.paid ? 'paid' : 'open',
    amount_due: 2900,
    attempt_count: 1,
    parent: { type: 'subscription_details', subscription_details: { subscription: f.subscription, metadata: {} } },
    livemode: false,
  };
}

/** Stripe's Stripe-Signature header for this exact payload (`t=…,v1=…`). */
export function sign(payload: string, opts: { secret?: string; timestamp?: number } = {}): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, timestamp: opts.timestamp });
}

/** Delivers a payload to stripe-webhook as Stripe does (raw JSON body, signature header). */
export function deliver(stack: StackInfo, payload: string, signature: string | null = sign(payload)): Promise<Response> {
  return fn(stack, 'stripe-webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', ...(signature === null ? {} : { 'stripe-signature': signature }) },
    body: payload,
  });
}

export async function deliverEvent(stack: StackInfo, e: StripeEvent): Promise<{ status: number; body: any }> {
  const res = await deliver(stack, JSON.stringify(e, null, 2));
  return { status: res.status, body: await res.json() };
}

/** Links a Stripe customer to an account directly (as the billing function does before Checkout). */
export async function linkCustomer(stack: StackInfo, accountId: string, customer: string): Promise<void> {
  await db(stack).query(`select private.link_stripe_customer($1, $2)`, [accountId, customer]);
}

export async function subscriptionRow(stack: StackInfo, accountId: string): Promise<Record<string, any> | undefined> {
  const { rows } = await db(stack).query(
    `select plan_id, status, stripe_customer_id, stripe_subscription_id, stripe_price_id, current_period_end,
            cancel_at_period_end, payment_failed, state_event_at, payment_event_at
     from public.subscriptions where account_id = $1`, [accountId]);
  return rows[0];
}
