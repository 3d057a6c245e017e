// The backoffice's billing page in real Chromium, on a private stack whose functions talk to a FAKE
// of Stripe's API (tests/support/fake-stripe.ts, loopback; it is not Stripe). The pages Stripe would
// show (Checkout, Customer Portal) are on Stripe's domain: the browser's navigation there is caught
// and answered with a stand-in page, so the test sees where the owner was sent. Stripe's side of the
// payment is played by signed webhook deliveries, as Stripe would send them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe.ts';
import { checkoutSession, deliverEvent, event, invoice, PRICES, startBillingStack, subscriptionId } from '../integration/billing.support.ts';
import { closeDb, db } from '../integration/widget-api.support.ts';
import { type BackofficePage, createWebsite, openBackoffice, screenshot, signIn, signUpMember, type Member } from './support/backoffice.ts';

let fake: FakeStripe;
let running: RunningStack;
let owner: Member;
let page: BackofficePage;
const stripePages: string[] = [];

beforeAll(async () => {
  fake = await startFakeStripe();
  running = await startBillingStack({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url }, { backoffice: true });
  owner = await signUpMember(running.info);
  await createWebsite(owner, { name: 'Billing Bikes' });
  page = await openBackoffice(running.info, '/#/billing');
  // Stripe's hosted pages: answered here instead of the internet.
  await page.page.route(/^https:\/\/(checkout|billing)\.stripe\.test\//, (route) => {
    stripePages.push(route.request().url());
    return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Stripe (stand-in)</title><h1>Stripe stand-in</h1>' });
  });
  await signIn(page.page, owner.email, owner.password);
}, 120_000);

afterAll(async () => {
  await page?.close();
  await closeDb(running.info);
  await running?.stop();
  await fake?.close();
});

const customerOfOwner = () => [...fake.customers.values()].find((c) => (c.metadata as Record<string, string>).account_id === owner.userId)?.id as string;

describe('billing page', () => {
  it('shows the free plan, usage as bars, and the paid plans to upgrade to', async () => {
    const p = page.page;
    await p.getByRole('heading', { name: 'Your plan: Free' }).waitFor();
    const websites = p.getByRole('progressbar', { name: /^Websites: 1 of \d+$/ });
    const { rows: [free] } = await db(running.info).query(`select websites from public.plans where id = 'free'`);
    expect(await websites.getAttribute('aria-valuenow')).toBe(String(Math.round((1 / free.websites) * 100)));
    await p.getByRole('progressbar', { name: /^AI answers this month: 0 of \d+$/ }).waitFor();
    await p.getByRole('progressbar', { name: /^Knowledge sources: Billing Bikes: 0 of \d+$/ }).waitFor();
    await expect(p.getByRole('button', { name: 'Upgrade to Pro' }).isEnabled()).resolves.toBe(true);
    await expect(p.getByRole('button', { name: 'Upgrade to Business' }).isEnabled()).resolves.toBe(true);
    expect(await p.getByRole('link', { name: 'Billing' }).getAttribute('aria-current')).toBe('page');
    await screenshot(p, 'billing-free', true);
  });

  it('Upgrade sends the owner to the Checkout page Stripe made for the Pro price', async () => {
    const p = page.page;
    await p.getByRole('button', { name: 'Upgrade to Pro' }).click();
    await p.waitForURL(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    const session = fake.calls('POST', '/v1/checkout/sessions').at(-1)!;
    expect(session.form).toMatchObject({
      'line_items[0][price]': PRICES.pro,
      client_reference_id: owner.userId,
      customer: customerOfOwner(),
      success_url: `${running.info.demo.backofficeUrl}/#/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
    });
    expect(stripePages.at(-1)).toBe(p.url());
  });

  it('back from Checkout, once Stripe confirms (webhook), the page shows the Pro plan', async () => {
    const p = page.page;
    await p.goto(`${running.info.demo.backofficeUrl}/#/billing?checkout=success&session_id=cs_test_x`);
    await p.getByText('your plan changes as soon as Stripe confirms it').waitFor();
    const sub = subscriptionId();
    await deliverEvent(running.info, event('checkout.session.completed', checkoutSession({ customer: customerOfOwner(), subscription: sub, account: owner.userId, plan: 'pro' })));
    // The page checks again by itself until the plan has changed.
    await p.getByRole('heading', { name: 'Your plan: Pro' }).waitFor({ timeout: 15_000 });
    await p.getByText('You are on the Pro plan').waitFor();
    await p.getByText('Active', { exact: true }).waitFor();
    await p.getByRole('button', { name: 'Manage billing' }).waitFor();
    expect(await p.locator('[data-plan="pro"]').getByText('Current plan').count()).toBe(1);

    // A failed payment: a banner with the way to fix it, in the Customer Portal.
    await deliverEvent(running.info, event('invoice.payment_failed', invoice({ customer: customerOfOwner(), subscription: sub, paid: false })));
    await p.goto(`${running.info.demo.backofficeUrl}/#/billing`);
    await p.reload();
    const banner = p.getByRole('alert').filter({ hasText: 'Your last payment failed.' });
    await banner.waitFor();
    await screenshot(p, 'billing-payment-failed', true);
    await banner.getByRole('button', { name: 'Update payment method' }).click();
    await p.waitForURL(/^https:\/\/billing\.stripe\.test\/p\/session\/bps_/);
    expect(fake.calls('POST', '/v1/billing_portal/sessions').at(-1)!.form).toEqual({
      customer: customerOfOwner(), return_url: `${running.info.demo.backofficeUrl}/#/billing`,
    });
  });

  it('when the month’s AI answers are used up, the owner is told the AI is paused and why', async () => {
    const p = page.page;
    const { rows: [site] } = await db(running.info).query(`select id from public.websites where account_id = $1`, [owner.userId]);
    await db(running.info).query(
      `insert into public.usage_counters (account_id, website_id, metric, period_start, count)
       select $1, $2, 'ai_answers', date_trunc('month', now() at time zone 'utc')::date, ai_answers_per_month from public.plans where id = 'pro'`,
      [owner.userId, site.id]);
    await p.goto(`${running.info.demo.backofficeUrl}/#/billing`);
    await p.reload();
    await p.getByText(/AI answers are paused until/).waitFor();
    await p.getByText(/AI answers of the Pro plan are used up/).waitFor();
    expect(await p.getByRole('progressbar', { name: /^AI answers this month: / }).getAttribute('aria-valuenow')).toBe('100');
    expect(page.errors).toEqual([]);
  });

  it('someone who only works on other people’s websites is told billing is not theirs', async () => {
    const agent = await signUpMember(running.info, 'agent');
    const other = await openBackoffice(running.info, '/#/billing');
    try {
      await signIn(other.page, agent.email, agent.password);
      await other.page.getByText('Billing belongs to the account that created the websites.').waitFor();
      expect(other.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
