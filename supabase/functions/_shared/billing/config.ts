// Billing settings from the environment (supabase secrets on a project; STRIPE_* pass through to
// the local stack's functions). Nothing here has a default that could reach a real Stripe account
// by accident: without STRIPE_SECRET_KEY the billing function answers 503 billing_not_configured,
// without STRIPE_WEBHOOK_SECRET the webhook refuses every event.

function get(name: string): string | undefined {
  const v = Deno.env.get(name);
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Stripe's own default tolerance for a signature's timestamp, in seconds. */
export const DEFAULT_WEBHOOK_TOLERANCE_S = 300;

export const billingConfig = {
  secretKey: () => get('STRIPE_SECRET_KEY'),
  webhookSecret: () => get('STRIPE_WEBHOOK_SECRET'),
  /** Seconds a webhook signature stays valid (replays of older deliveries are refused). */
  webhookToleranceS: () => {
    const v = Number(get('STRIPE_WEBHOOK_TOLERANCE_S'));
    return Number.isInteger(v) && v > 0 ? v : DEFAULT_WEBHOOK_TOLERANCE_S;
  },
  /** Another Stripe API endpoint (tests point this at a loopback fake), e.g. http://127.0.0.1:12111. */
  apiBase: () => get('STRIPE_API_BASE'),
  /** The Stripe price of a paid plan: STRIPE_PRICE_<PLAN ID>, e.g. STRIPE_PRICE_PRO for plan `pro`. */
  priceForPlan: (planId: string) => get(`STRIPE_PRICE_${planId.toUpperCase()}`),
  /** Where Checkout and the Customer Portal send the owner back (the backoffice's origin). */
  backofficeUrl: () => get('EMILY_BACKOFFICE_URL'),
};

/** The plan whose configured price is `priceId`, among the catalogue's plan ids. */
export function planForPrice(priceId: string | undefined, planIds: readonly string[]): string | undefined {
  if (!priceId) return undefined;
  return planIds.find((id) => billingConfig.priceForPlan(id) === priceId);
}
