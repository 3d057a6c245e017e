// The billing function end to end on a private stack whose `stripe` client is pointed at a FAKE of
// Stripe's API (tests/support/fake-stripe.ts: a loopback HTTP server that records requests and
// answers Stripe-shaped JSON; it is not Stripe). What is real: the function, its session checks,
// Postgres, and the webhook that turns Stripe's answer into the account's plan.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe.ts';
import { checkoutSession, deliverEvent, event, invoice, PRICES, startBillingStack } from './billing.support.ts';
import { closeDb, db, fn, member, postJson, type StackInfo, visitor, website } from './widget-api.support.ts';

const BACKOFFICE = 'http://127.0.0.1:54323';

let fake: FakeStripe;
let running: RunningStack;
let stack: StackInfo;

beforeAll(async () => {
  fake = await startFakeStripe();
  running = await startBillingStack({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, EMILY_BACKOFFICE_URL: BACKOFFICE });
  stack = running.info;
}, 120_000);

afterAll(async () => {
  await closeDb(stack);
  await running?.stop();
  await fake?.close();
});

/** An account holder: a signed-up user who created a website. */
async function accountHolder() {
  const owner = await member(stack);
  const siteId = await website(stack, owner);
  return { ...owner, siteId };
}

const getBilling = (token: string | null) => fn(stack, 'billing', { token });
const checkout = (token: string | null, body: unknown) => postJson(stack, 'billing/checkout', body, token);
const portal = (token: string | null) => fn(stack, 'billing/portal', { method: 'POST', token });

/** Customer-creation requests the fake received for an account. */
function customersOf(accountId: string) {
  return fake.calls('POST', '/v1/customers').filter((r) => r.form['metadata[account_id]'] === accountId);
}

/** The id of the (one) customer the fake holds for an account. */
function customerIdOf(accountId: string): string {
  const found = [...fake.customers.values()].filter((c) => (c.metadata as Record<string, string>).account_id === accountId);
  expect(found).toHaveLength(1);
  return found[0].id as string;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

describe('Checkout (fake Stripe)', () => {
  it("creates a subscription-mode Checkout session for the plan's price, with a customer created for the account", async () => {
    const owner = await accountHolder();
    const res = await checkout(owner.token, { plan: 'pro' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ id: expect.stringMatching(/^cs_test_/), url: expect.stringMatching(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/) });

    const [created] = customersOf(owner.userId);
    expect(created.form).toEqual({ email: owner.email, 'metadata[account_id]': owner.userId });
    expect(created.headers['idempotency-key']).toBe(`emily-customer-${owner.userId}`);
    expect(created.headers.authorization).toBe(`Bearer ${fake.secretKey}`);
    const customer = { id: customerIdOf(owner.userId) };

    const session = fake.calls('POST', '/v1/checkout/sessions').at(-1)!;
    expect(session.form).toEqual({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: owner.userId,
      'line_items[0][price]': PRICES.pro,
      'line_items[0][quantity]': '1',
      success_url: `${BACKOFFICE}/#/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${BACKOFFICE}/#/billing?checkout=canceled`,
      'metadata[account_id]': owner.userId,
      'metadata[plan]': 'pro',
      'subscription_data[metadata][account_id]': owner.userId,
      'subscription_data[metadata][plan]': 'pro',
    });
    const { rows } = await db(stack).query(`select stripe_customer_id from private.billing_customers where account_id = $1`, [owner.userId]);
    expect(rows).toEqual([{ stripe_customer_id: customer.id }]);
  });

  it('the customer is created once per account and reused (also by concurrent first calls)', async () => {
    const owner = await accountHolder();
    const first = await Promise.all(Array.from({ length: 5 }, (_, i) => checkout(owner.token, { plan: i % 2 ? 'business' : 'pro' })));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await checkout(owner.token, { plan: 'business' })).status).toBe(200);
    expect(customersOf(owner.userId)).toHaveLength(1);
    const customer = customerIdOf(owner.userId);
    const sessions = fake.calls('POST', '/v1/checkout/sessions').filter((r) => r.form.client_reference_id === owner.userId);
    expect(sessions).toHaveLength(6);
    expect(new Set(sessions.map((s) => s.form.customer))).toEqual(new Set([customer]));
    expect(sessions.at(-1)!.form['line_items[0][price]']).toBe(PRICES.business);
  });

  it('after Stripe reports the completed checkout (webhook), GET billing shows the plan; a failed payment shows the banner flag', async () => {
    const owner = await accountHolder();
    expect((await checkout(owner.token, { plan: 'business' })).status).toBe(200);
    const customer = customerIdOf(owner.userId);
    const sub = `sub_test_${randomUUID().replace(/-/g, '')}`;
    await deliverEvent(stack, event('checkout.session.completed', checkoutSession({ customer, subscription: sub, account: owner.userId, plan: 'business' })));

    const res = await getBilling(owner.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const billing = await res.json();
    expect(billing).toMatchObject({
      account_id: owner.userId,
      plan: { id: 'business', name: 'Business' },
      subscription: { plan_id: 'business', status: 'active', cancel_at_period_end: false, payment_failed: false },
      payment_failed: false,
      ai_paused: false,
      stripe: { configured: true },
    });
    const { rows: [limits] } = await db(stack).query(`select * from public.plans where id = 'business'`);
    expect(billing.usage).toEqual({
      websites: { used: 1, limit: limits.websites },
      team_members: { used: 1, limit: limits.team_members },
      ai_answers: { used: 0, limit: limits.ai_answers_per_month, skipped: 0 },
      knowledge_sources: { limit: limits.knowledge_sources, websites: [{ website_id: owner.siteId, name: 'Test Cycles', used: 0 }] },
    });
    expect(billing.plans.map((p: { id: string; purchasable: boolean }) => [p.id, p.purchasable])).toEqual([['free', false], ['pro', true], ['business', true]]);

    await deliverEvent(stack, event('invoice.payment_failed', invoice({ customer, subscription: sub, paid: false })));
    expect(await (await getBilling(owner.token)).json()).toMatchObject({ payment_failed: true, plan: { id: 'business' } });

    // Subscribed: a second Checkout would create a second subscription; the portal is the way to change plans.
    await expectError(await checkout(owner.token, { plan: 'pro' }), 409, 'already_subscribed');
  });

  it('a refusal or outage at Stripe is a 502 with a readable message, and nothing is stored', async () => {
    const owner = await accountHolder();
    fake.failNext(401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' });
    await expectError(await checkout(owner.token, { plan: 'pro' }), 502, 'payment_provider_error');
    const { rows } = await db(stack).query(`select 1 from private.billing_customers where account_id = $1`, [owner.userId]);
    expect(rows).toEqual([]);
    // The client retries server errors twice (Stripe's advice); three in a row end the call.
    fake.failNext(500, { type: 'api_error', message: 'Something went wrong.' }, 3);
    await expectError(await checkout(owner.token, { plan: 'pro' }), 502, 'payment_provider_error');
    expect((await checkout(owner.token, { plan: 'pro' })).status).toBe(200);
  });
});

describe('Customer Portal (fake Stripe)', () => {
  it("opens a portal session for the account's customer, returning to the backoffice", async () => {
    const owner = await accountHolder();
    await expectError(await portal(owner.token), 409, 'no_billing_account');
    expect((await checkout(owner.token, { plan: 'pro' })).status).toBe(200);
    const res = await portal(owner.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url: expect.stringMatching(/^https:\/\/billing\.stripe\.test\/p\/session\/bps_/) });
    const call = fake.calls('POST', '/v1/billing_portal/sessions').at(-1)!;
    expect(call.form).toEqual({ customer: customerIdOf(owner.userId), return_url: `${BACKOFFICE}/#/billing` });
    expect(customersOf(owner.userId)).toHaveLength(1);
  });
});

describe('only the account holder', () => {
  it('anon (no session, or the anon key) gets 401; visitors and agents 403 — on every route', async () => {
    const owner = await accountHolder();
    const agent = await member(stack);
    await db(stack).query(`insert into public.website_members (website_id, user_id, role) values ($1, $2, 'agent')`, [owner.siteId, agent.userId]);
    const guest = await visitor(stack);
    const before = fake.requests.length;
    for (const call of [(t: string | null) => getBilling(t), (t: string | null) => checkout(t, { plan: 'pro' }), (t: string | null) => portal(t)]) {
      await expectError(await call(null), 401, 'unauthorized');
      await expectError(await call(stack.anonKey), 401, 'unauthorized');
      await expectError(await call('not.a.jwt'), 401, 'unauthorized');
      await expectError(await call(guest.token), 403, 'forbidden');
      await expectError(await call(agent.token), 403, 'not_an_account_holder');
    }
    expect(fake.requests.length).toBe(before);
  });

  it('an agent who also created a website of their own manages that account only', async () => {
    const owner = await accountHolder();
    const agent = await accountHolder();
    await db(stack).query(`insert into public.website_members (website_id, user_id, role) values ($1, $2, 'agent')`, [owner.siteId, agent.userId]);
    const billing = await (await getBilling(agent.token)).json();
    expect(billing.account_id).toBe(agent.userId);
    expect(billing.usage.knowledge_sources.websites.map((w: { website_id: string }) => w.website_id)).toEqual([agent.siteId]);
  });
});

describe('bad input: JSON 4xx, never 5xx', () => {
  it('checkout body and routes', async () => {
    const owner = await accountHolder();
    const before = fake.requests.length;
    await expectError(await checkout(owner.token, {}), 400, 'invalid_request');
    await expectError(await checkout(owner.token, { plan: 5 }), 400, 'invalid_request');
    await expectError(await checkout(owner.token, { plan: 'free' }), 400, 'invalid_request');
    await expectError(await checkout(owner.token, { plan: 'platinum' }), 400, 'invalid_request');
    await expectError(await checkout(owner.token, { plan: 'PRO' }), 400, 'invalid_request');
    await expectError(await checkout(owner.token, [{ plan: 'pro' }]), 400, 'invalid_request');
    await expectError(await checkout(owner.token, 'pro'), 400, 'invalid_json');
    await expectError(await checkout(owner.token, ''), 400, 'invalid_json');
    await expectError(await checkout(owner.token, { plan: 'pro', padding: 'x'.repeat(70 * 1024) }), 413, 'payload_too_large');
    await expectError(await fn(stack, 'billing/checkout', { method: 'POST', token: owner.token, headers: { 'content-type': 'text/plain' }, body: 'plan=pro' }), 415, 'unsupported_media_type');
    await expectError(await fn(stack, 'billing/checkout', { token: owner.token }), 405, 'method_not_allowed');
    await expectError(await fn(stack, 'billing', { method: 'POST', token: owner.token }), 405, 'method_not_allowed');
    await expectError(await fn(stack, 'billing/portal', { method: 'DELETE', token: owner.token }), 405, 'method_not_allowed');
    await expectError(await fn(stack, `billing/${randomUUID()}`, { token: owner.token }), 404, 'not_found');
    await expectError(await fn(stack, 'billing/%E0%A4%A', { token: owner.token }), 400, 'bad_request');
    expect(fake.requests.length).toBe(before);
  });

  it('bursts are rate limited (429), not passed on to Stripe', async () => {
    const owner = await accountHolder();
    const statuses = (await Promise.all(Array.from({ length: 40 }, () => getBilling(owner.token)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBe(30);
    expect(statuses.filter((s) => s === 429).length).toBe(10);
  });
});
