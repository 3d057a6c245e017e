// billing (the account holder's JWT; checked here, like the other functions):
//   GET  /billing           → 200 {plan, subscription, payment_failed, usage, ai_paused, plans, stripe}
//   POST /billing/checkout  {plan} → 200 {url, id}: a Stripe Checkout session (subscription mode)
//   POST /billing/portal    → 200 {url}: a Stripe Customer Portal session (change plan, card, cancel)
// The plan catalogue and its limits are in Postgres (public.plans); the Stripe price of each paid
// plan comes from STRIPE_PRICE_<PLAN>. The subscription itself only changes through the
// stripe-webhook function, never from here: Checkout's redirect back proves nothing.
import { authenticate } from '../_shared/auth.ts';
import { ensureCustomer, findCustomer, requireBillingAccount } from '../_shared/billing/account.ts';
import { billingConfig } from '../_shared/billing/config.ts';
import { callStripe, stripeClient, stripeConfigured } from '../_shared/billing/stripe.ts';
import { sql } from '../_shared/db.ts';
import { ApiError, json, readJson, requireMethod, subPath } from '../_shared/http.ts';
import { enforceLimits } from '../_shared/rate-limit.ts';
import { asObject, invalid } from '../_shared/validate.ts';

const FUNCTION = 'billing';
/** Billing calls per account per minute (each POST creates a session at Stripe). */
const RATE_LIMIT = 30;

interface PlanRow {
  id: string;
  name: string;
  position: number;
  monthly_price_cents: number;
  currency: string;
  websites: number | null;
  ai_answers_per_month: number | null;
  team_members: number | null;
  knowledge_sources: number | null;
}

export async function billing(req: Request): Promise<Response> {
  const path = subPath(req, FUNCTION);
  const route = path.join('/');
  if (route !== '' && route !== 'checkout' && route !== 'portal') {
    throw new ApiError(404, 'not_found', `No route /${FUNCTION}/${route}.`);
  }
  requireMethod(req, route === '' ? ['GET'] : ['POST']);
  const caller = await authenticate(req);
  const accountId = await requireBillingAccount(caller);
  await enforceLimits([{ key: `${FUNCTION}:${accountId}`, max: RATE_LIMIT, windowSeconds: 60 }]);
  if (route === '') return overview(accountId);
  if (route === 'checkout') return checkout(req, accountId, caller.email);
  return portal(req, accountId);
}

async function plans(): Promise<PlanRow[]> {
  return await sql()<PlanRow[]>`
    select id, name, position, monthly_price_cents, currency, websites, ai_answers_per_month, team_members, knowledge_sources
    from public.plans order by position`;
}

async function overview(accountId: string): Promise<Response> {
  const [[{ overview }], catalogue] = await Promise.all([
    sql()<{ overview: Record<string, unknown> }[]>`select private.billing_overview(${accountId}) as overview`,
    plans(),
  ]);
  return json(200, {
    ...overview,
    plans: catalogue.map((p) => ({
      id: p.id,
      name: p.name,
      monthly_price_cents: p.monthly_price_cents,
      currency: p.currency,
      limits: {
        websites: p.websites,
        ai_answers_per_month: p.ai_answers_per_month,
        team_members: p.team_members,
        knowledge_sources: p.knowledge_sources,
      },
      // A paid plan can be bought when Stripe and its price are configured.
      purchasable: p.monthly_price_cents > 0 && stripeConfigured() && !!billingConfig.priceForPlan(p.id),
    })),
    stripe: { configured: stripeConfigured() },
  }, { 'Cache-Control': 'no-store' });
}

/**
 * Where Stripe sends the owner back: the configured backoffice, else the calling page's origin.
 * The backoffice routes by hash, so its billing page is `BASE/#/billing`.
 */
function backofficeUrl(req: Request): string {
  const configured = billingConfig.backofficeUrl();
  const origin = configured ?? req.headers.get('origin') ?? undefined;
  if (origin) {
    try {
      const url = new URL(origin);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString().replace(/\/+$/, '');
    } catch {
      // falls through to the error below
    }
  }
  throw new ApiError(400, 'missing_return_url',
    'Call this from the backoffice (its Origin is where Stripe sends you back), or set EMILY_BACKOFFICE_URL on the server.');
}

async function checkout(req: Request, accountId: string, email: string | undefined): Promise<Response> {
  const body = asObject(await readJson(req));
  const catalogue = await plans();
  const paid = catalogue.filter((p) => p.monthly_price_cents > 0).map((p) => p.id);
  const plan = body.plan;
  if (plan === undefined || plan === null) throw invalid('plan', `is required (one of ${paid.join(', ')}).`);
  if (typeof plan !== 'string' || !paid.includes(plan)) throw invalid('plan', `must be one of ${paid.join(', ')}.`);
  const price = billingConfig.priceForPlan(plan);
  const stripe = stripeClient();
  if (!price) {
    throw new ApiError(503, 'billing_not_configured', `No Stripe price is configured for the ${plan} plan (STRIPE_PRICE_${plan.toUpperCase()}).`);
  }
  const [current] = await sql()<{ live: boolean; plan_id: string }[]>`
    select private.is_live_subscription_status(status) as live, plan_id from public.subscriptions where account_id = ${accountId}`;
  if (current?.live) {
    throw new ApiError(409, 'already_subscribed',
      `This account already has a ${current.plan_id} subscription; change or cancel it in the customer portal (POST billing/portal).`);
  }
  const base = backofficeUrl(req);
  const customer = await ensureCustomer(accountId, email);
  const session = await callStripe('start the checkout', () =>
    stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: accountId,
      line_items: [{ price, quantity: 1 }],
      success_url: `${base}/#/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${base}/#/billing?checkout=canceled`,
      metadata: { account_id: accountId, plan },
      subscription_data: { metadata: { account_id: accountId, plan } },
    }));
  if (!session.url) throw new ApiError(502, 'payment_provider_error', 'Stripe did not return a checkout page.');
  return json(200, { id: session.id, url: session.url });
}

async function portal(req: Request, accountId: string): Promise<Response> {
  const stripe = stripeClient();
  const customer = await findCustomer(accountId);
  if (!customer) {
    throw new ApiError(409, 'no_billing_account', 'This account has never subscribed; choose a plan first (POST billing/checkout).');
  }
  const base = backofficeUrl(req);
  const session = await callStripe('open the customer portal', () =>
    stripe.billingPortal.sessions.create({ customer, return_url: `${base}/#/billing` }));
  return json(200, { url: session.url });
}
