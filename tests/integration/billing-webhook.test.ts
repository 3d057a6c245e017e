// stripe-webhook end to end on a private stack (STRIPE_WEBHOOK_SECRET given through functions.env):
// events signed exactly as Stripe signs deliveries (the `stripe` package's generateTestHeaderString
// over the raw body), sent over HTTP to the function, checked in Postgres. No Stripe API is involved:
// a webhook only receives.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import {
  checkoutSession, customerId, deliver, deliverEvent, event, invoice, linkCustomer, nowS, PRICES, sign, startBillingStack,
  subscription, subscriptionId, subscriptionRow, WEBHOOK_SECRET,
} from './billing.support.ts';
import { closeDb, db, fn, member, postJson, type StackInfo, website } from './widget-api.support.ts';

let running: RunningStack;
let stack: StackInfo;

beforeAll(async () => {
  running = await startBillingStack();
  stack = running.info;
}, 120_000);

afterAll(async () => {
  await closeDb(stack);
  await running?.stop();
});

/** A signed-up account with a Stripe customer, as after its first Checkout. */
async function account() {
  const owner = await member(stack);
  const customer = customerId();
  await linkCustomer(stack, owner.userId, customer);
  return { id: owner.userId, customer };
}

async function storedEvent(id: string) {
  const { rows } = await db(stack).query(`select type, outcome, account_id from private.stripe_events where id = $1`, [id]);
  return rows;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

describe('signature verification', () => {
  it('a correctly signed event is handled: 200 and the subscription row is written', async () => {
    const a = await account();
    const sub = subscriptionId();
    const periodEnd = nowS() + 30 * 86400;
    const e = event('customer.subscription.created', subscription({ id: sub, customer: a.customer, status: 'active', price: PRICES.pro, periodEnd }));
    const res = await deliverEvent(stack, e);
    expect(res).toEqual({ status: 200, body: { received: true, event_id: e.id, outcome: 'applied' } });
    expect(await subscriptionRow(stack, a.id)).toMatchObject({
      plan_id: 'pro', status: 'active', stripe_customer_id: a.customer, stripe_subscription_id: sub, stripe_price_id: PRICES.pro,
      current_period_end: new Date(periodEnd * 1000), cancel_at_period_end: false, payment_failed: false,
      state_event_at: new Date(e.created * 1000),
    });
    expect(await storedEvent(e.id)).toEqual([{ type: 'customer.subscription.created', outcome: 'applied', account_id: a.id }]);
  });

  it('a signature made with another secret is refused (400) and changes nothing', async () => {
    const a = await account();
    const e = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: a.customer, status: 'active' }));
    const payload = JSON.stringify(e);
    await expectError(await deliver(stack, payload, sign(payload, { secret: `${WEBHOOK_SECRET}x` })), 400, 'invalid_signature');
    expect(await subscriptionRow(stack, a.id)).toBeUndefined();
    expect(await storedEvent(e.id)).toEqual([]);
  });

  it('a body changed after signing is refused (400)', async () => {
    const a = await account();
    const e = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: a.customer, status: 'active', price: PRICES.pro }));
    const payload = JSON.stringify(e);
    const tampered = payload.replace(PRICES.pro, PRICES.business);
    expect(tampered).not.toBe(payload);
    await expectError(await deliver(stack, tampered, sign(payload)), 400, 'invalid_signature');
    // One byte of whitespace is tampering too: the signature covers the raw body.
    await expectError(await deliver(stack, `${payload} `, sign(payload)), 400, 'invalid_signature');
    expect(await subscriptionRow(stack, a.id)).toBeUndefined();
  });

  it('a signature older than the tolerance (300 s) is refused (400): a captured delivery cannot be replayed later', async () => {
    const a = await account();
    const e = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: a.customer, status: 'active' }));
    const payload = JSON.stringify(e);
    await expectError(await deliver(stack, payload, sign(payload, { timestamp: nowS() - 301 - 5 })), 400, 'signature_expired');
    expect(await storedEvent(e.id)).toEqual([]);
    // Within the tolerance the same body is accepted.
    expect((await deliver(stack, payload, sign(payload, { timestamp: nowS() - 60 }))).status).toBe(200);
  });

  it('a missing or malformed Stripe-Signature header is refused (400)', async () => {
    const e = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: customerId(), status: 'active' }));
    const payload = JSON.stringify(e);
    await expectError(await deliver(stack, payload, null), 400, 'missing_signature');
    await expectError(await deliver(stack, payload, 'garbage'), 400, 'invalid_signature');
    await expectError(await deliver(stack, payload, `t=${nowS()}`), 400, 'invalid_signature');
    await expectError(await deliver(stack, payload, sign(payload).replace('v1=', 'v0=')), 400, 'invalid_signature');
    expect(await storedEvent(e.id)).toEqual([]);
  });
});

describe('each event once, in order', () => {
  it('the same event delivered twice is processed once (the replay is a 200 no-op)', async () => {
    const a = await account();
    const sub = subscriptionId();
    await deliverEvent(stack, event('customer.subscription.created', subscription({ id: sub, customer: a.customer, status: 'active' })));
    const t = nowS();
    const failed = event('invoice.payment_failed', invoice({ customer: a.customer, subscription: sub, paid: false }), { created: t });
    expect((await deliverEvent(stack, failed)).body.outcome).toBe('applied');
    expect((await subscriptionRow(stack, a.id))!.payment_failed).toBe(true);
    // Paid in the same second: the later delivery wins, so the flag is cleared...
    expect((await deliverEvent(stack, event('invoice.paid', invoice({ customer: a.customer, subscription: sub, paid: true }), { created: t }))).body.outcome).toBe('applied');
    expect((await subscriptionRow(stack, a.id))!.payment_failed).toBe(false);
    // ...and Stripe redelivering the failure (same id) must not set it again: it is not processed twice.
    expect(await deliverEvent(stack, failed)).toEqual({ status: 200, body: { received: true, event_id: failed.id, outcome: 'duplicate' } });
    expect((await subscriptionRow(stack, a.id))!.payment_failed).toBe(false);
    expect(await storedEvent(failed.id)).toEqual([{ type: 'invoice.payment_failed', outcome: 'applied', account_id: a.id }]);
  });

  it('concurrent deliveries of one event: exactly one is processed', async () => {
    const a = await account();
    const e = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: a.customer, status: 'active' }));
    const results = await Promise.all(Array.from({ length: 8 }, () => deliverEvent(stack, e)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.map((r) => r.body.outcome).sort()).toEqual(['applied', ...Array(7).fill('duplicate')]);
  });

  it('events out of order: an older updated never overwrites a newer state', async () => {
    const a = await account();
    const sub = subscriptionId();
    const t = nowS();
    const newer = event('customer.subscription.updated', subscription({ id: sub, customer: a.customer, status: 'past_due', price: PRICES.pro }), { created: t });
    const older = event('customer.subscription.updated', subscription({ id: sub, customer: a.customer, status: 'active', price: PRICES.business }), { created: t - 30 });
    expect((await deliverEvent(stack, newer)).body.outcome).toBe('applied');
    expect(await deliverEvent(stack, older)).toEqual({ status: 200, body: { received: true, event_id: older.id, outcome: 'stale' } });
    expect(await subscriptionRow(stack, a.id)).toMatchObject({ plan_id: 'pro', status: 'past_due', state_event_at: new Date(t * 1000) });
  });

  it('a deletion followed by a late, older update: the subscription stays canceled', async () => {
    const a = await account();
    const sub = subscriptionId();
    const t = nowS();
    await deliverEvent(stack, event('customer.subscription.created', subscription({ id: sub, customer: a.customer, status: 'active' }), { created: t - 60 }));
    await deliverEvent(stack, event('customer.subscription.deleted', subscription({ id: sub, customer: a.customer, status: 'canceled' }), { created: t }));
    const late = await deliverEvent(stack, event('customer.subscription.updated', subscription({ id: sub, customer: a.customer, status: 'active' }), { created: t - 10 }));
    expect(late.body.outcome).toBe('stale');
    expect((await subscriptionRow(stack, a.id))!.status).toBe('canceled');
    const { rows: [plan] } = await db(stack).query(`select private.effective_plan_id($1) as id`, [a.id]);
    expect(plan.id).toBe('free');
  });
});

describe('what each handled event does', () => {
  it('checkout.session.completed: the account (client_reference_id) gets the plan and its Stripe customer', async () => {
    const owner = await member(stack);
    const customer = customerId();
    const sub = subscriptionId();
    const e = event('checkout.session.completed', checkoutSession({ customer, subscription: sub, account: owner.userId, plan: 'business' }));
    expect((await deliverEvent(stack, e)).body.outcome).toBe('applied');
    expect(await subscriptionRow(stack, owner.userId)).toMatchObject({
      plan_id: 'business', status: 'active', stripe_customer_id: customer, stripe_subscription_id: sub, stripe_price_id: PRICES.business,
    });
    const { rows } = await db(stack).query(`select stripe_customer_id from private.billing_customers where account_id = $1`, [owner.userId]);
    expect(rows).toEqual([{ stripe_customer_id: customer }]);
    // The subscription's own events now find the account through the customer.
    const updated = event('customer.subscription.updated', subscription({ id: sub, customer, status: 'active', price: PRICES.business, cancelAtPeriodEnd: true }));
    expect((await deliverEvent(stack, updated)).body.outcome).toBe('applied');
    expect((await subscriptionRow(stack, owner.userId))!.cancel_at_period_end).toBe(true);
  });

  it('an unpaid checkout leaves the subscription incomplete (free plan)', async () => {
    const owner = await member(stack);
    const e = event('checkout.session.completed', checkoutSession({ customer: customerId(), subscription: subscriptionId(), account: owner.userId, plan: 'pro', paid: false }));
    await deliverEvent(stack, e);
    expect((await subscriptionRow(stack, owner.userId))!.status).toBe('incomplete');
    const { rows: [plan] } = await db(stack).query(`select private.effective_plan_id($1) as id`, [owner.userId]);
    expect(plan.id).toBe('free');
  });

  it('customer.subscription.created / updated / deleted set plan (from the price), status, period and cancellation', async () => {
    const a = await account();
    const sub = subscriptionId();
    const t = nowS();
    const end1 = t + 30 * 86400;
    const end2 = t + 60 * 86400;
    await deliverEvent(stack, event('customer.subscription.created', subscription({ id: sub, customer: a.customer, status: 'trialing', price: PRICES.pro, periodEnd: end1 }), { created: t - 20 }));
    expect(await subscriptionRow(stack, a.id)).toMatchObject({ plan_id: 'pro', status: 'trialing', current_period_end: new Date(end1 * 1000) });
    await deliverEvent(stack, event('customer.subscription.updated', subscription({ id: sub, customer: a.customer, status: 'active', price: PRICES.business, periodEnd: end2, cancelAtPeriodEnd: true }), { created: t - 10 }));
    expect(await subscriptionRow(stack, a.id)).toMatchObject({
      plan_id: 'business', status: 'active', stripe_price_id: PRICES.business, current_period_end: new Date(end2 * 1000), cancel_at_period_end: true,
    });
    await deliverEvent(stack, event('customer.subscription.deleted', subscription({ id: sub, customer: a.customer, status: 'active', price: PRICES.business }), { created: t }));
    expect((await subscriptionRow(stack, a.id))!.status).toBe('canceled');
  });

  it('a price no plan maps to is stored but changes nothing (the operator must configure it)', async () => {
    const a = await account();
    const e = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: a.customer, status: 'active', price: 'price_unknown' }));
    expect((await deliverEvent(stack, e)).body.outcome).toBe('unknown_plan');
    expect(await subscriptionRow(stack, a.id)).toBeUndefined();
    // A subscription carrying our Checkout's plan metadata is understood without the price.
    const f = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: a.customer, status: 'active', price: 'price_unknown', metadata: { plan: 'pro', account_id: a.id } }));
    expect((await deliverEvent(stack, f)).body.outcome).toBe('applied');
    expect((await subscriptionRow(stack, a.id))!.plan_id).toBe('pro');
  });

  it('invoice.payment_failed raises the payment-failed flag; invoice.paid clears it', async () => {
    const a = await account();
    const sub = subscriptionId();
    const t = nowS();
    await deliverEvent(stack, event('customer.subscription.created', subscription({ id: sub, customer: a.customer, status: 'active' }), { created: t - 100 }));
    await deliverEvent(stack, event('invoice.payment_failed', invoice({ customer: a.customer, subscription: sub, paid: false }), { created: t - 50 }));
    expect(await subscriptionRow(stack, a.id)).toMatchObject({ payment_failed: true, payment_event_at: new Date((t - 50) * 1000) });
    // An older paid invoice arriving late does not clear a newer failure.
    expect((await deliverEvent(stack, event('invoice.paid', invoice({ customer: a.customer, subscription: sub, paid: true }), { created: t - 60 }))).body.outcome).toBe('stale');
    expect((await subscriptionRow(stack, a.id))!.payment_failed).toBe(true);
    await deliverEvent(stack, event('invoice.paid', invoice({ customer: a.customer, subscription: sub, paid: true }), { created: t }));
    expect((await subscriptionRow(stack, a.id))!.payment_failed).toBe(false);
  });

  it('unknown event types are stored and answered 200 ignored; events of unknown customers 200 unmatched', async () => {
    const e = event('customer.created', { id: customerId(), object: 'customer' });
    expect(await deliverEvent(stack, e)).toEqual({ status: 200, body: { received: true, event_id: e.id, outcome: 'ignored' } });
    expect(await storedEvent(e.id)).toEqual([{ type: 'customer.created', outcome: 'ignored', account_id: null }]);
    const stranger = event('customer.subscription.created', subscription({ id: subscriptionId(), customer: customerId(), status: 'active' }));
    expect((await deliverEvent(stack, stranger)).body.outcome).toBe('unmatched');
    const oneOff = event('invoice.paid', { id: 'in_x', object: 'invoice', customer: customerId(), parent: null });
    expect((await deliverEvent(stack, oneOff)).body.outcome).toBe('ignored');
  });
});

describe('bad input: JSON 4xx, never 5xx', () => {
  const signed = (payload: string) => deliver(stack, payload, sign(payload));

  it('signed bodies that are not Stripe events', async () => {
    await expectError(await signed('{"id": "evt_1", '), 400, 'invalid_json');
    await expectError(await signed('[]'), 400, 'invalid_event');
    await expectError(await signed('"evt_1"'), 400, 'invalid_event');
    await expectError(await signed(JSON.stringify({ ...event('invoice.paid', {}), id: 'not-an-event-id' })), 400, 'invalid_event');
    await expectError(await signed(JSON.stringify({ ...event('invoice.paid', {}), id: `evt_${'x'.repeat(300)}` })), 400, 'invalid_event');
    await expectError(await signed(JSON.stringify({ ...event('invoice.paid', {}), created: 'yesterday' })), 400, 'invalid_event');
    await expectError(await signed(JSON.stringify({ ...event('invoice.paid', {}), data: null })), 400, 'invalid_event');
    await expectError(await signed(JSON.stringify({ ...event('invoice.paid', {}), type: 42 })), 400, 'invalid_event');
  });

  it('wrongly typed fields inside a handled event are ignored, not a crash', async () => {
    const a = await account();
    const weird = event('customer.subscription.updated', { id: 12, customer: a.customer, status: ['active'], items: 'none' });
    expect(await deliverEvent(stack, weird)).toMatchObject({ status: 200, body: { outcome: 'invalid_object' } });
    const weirdCheckout = event('checkout.session.completed', { mode: 'subscription', customer: { nested: true }, subscription: 5, client_reference_id: 'not-a-uuid', metadata: 'x' });
    expect((await deliverEvent(stack, weirdCheckout)).status).toBe(200);
    const otherAccount = event('checkout.session.completed', checkoutSession({ customer: customerId(), subscription: subscriptionId(), account: randomUUID(), plan: 'pro' }));
    expect((await deliverEvent(stack, otherAccount)).body.outcome).toBe('unmatched');
    const badPlan = event('checkout.session.completed', checkoutSession({ customer: a.customer, subscription: subscriptionId(), account: a.id, plan: 'platinum' }));
    expect((await deliverEvent(stack, badPlan)).body.outcome).toBe('unknown_plan');
    expect(await subscriptionRow(stack, a.id)).toBeUndefined();
  });

  it('wrong method, oversize and non-UTF-8 bodies', async () => {
    await expectError(await fn(stack, 'stripe-webhook'), 405, 'method_not_allowed');
    const big = JSON.stringify({ ...event('invoice.paid', {}), padding: 'x'.repeat(600 * 1024) });
    await expectError(await deliver(stack, big, sign(big)), 413, 'payload_too_large');
    const res = await fn(stack, 'stripe-webhook', {
      method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': sign('x') }, body: new Uint8Array([0xff, 0xfe, 0x7b]),
    });
    await expectError(res, 400, 'invalid_payload');
  });
});

describe('the billing function on a stack without STRIPE_SECRET_KEY', () => {
  it('GET billing still answers from Postgres (free plan, nothing purchasable); checkout and portal answer 503 billing_not_configured', async () => {
    const owner = await member(stack);
    await website(stack, owner);
    const res = await fn(stack, 'billing', { token: owner.token });
    expect(res.status).toBe(200);
    const billing = await res.json();
    expect(billing).toMatchObject({ plan: { id: 'free' }, subscription: null, payment_failed: false, stripe: { configured: false } });
    expect(billing.plans.every((p: { purchasable: boolean }) => !p.purchasable)).toBe(true);
    await expectError(await postJson(stack, 'billing/checkout', { plan: 'pro' }, owner.token), 503, 'billing_not_configured');
    await expectError(await fn(stack, 'billing/portal', { method: 'POST', token: owner.token }), 503, 'billing_not_configured');
  });
});
