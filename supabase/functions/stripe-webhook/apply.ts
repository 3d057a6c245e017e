// What each handled Stripe event does, inside the webhook's transaction. The account of an event
// is found by its Stripe customer (stored when the billing function created it), else by the
// account id our Checkout put on the session/subscription. Ordering (an older event never
// overwrites a newer state) is decided in Postgres: private.apply_stripe_subscription/_invoice.
import { planForPrice, billingConfig } from '../_shared/billing/config.ts';
import {
  checkoutState, invoiceState, type StripeEventEnvelope, type SubscriptionState, subscriptionState,
} from '../_shared/billing/events.ts';
import type { TransactionSql } from '../_shared/db.ts';

export interface Applied {
  /** applied | stale | ignored | unmatched | unknown_plan | invalid_object */
  outcome: string;
  accountId?: string;
}

export async function applyEvent(tx: TransactionSql, event: StripeEventEnvelope): Promise<Applied> {
  switch (event.type) {
    case 'checkout.session.completed':
      return await applyCheckout(tx, event);
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return await applySubscription(tx, event);
    case 'invoice.paid':
    case 'invoice.payment_failed':
      return await applyInvoice(tx, event);
    default:
      return { outcome: 'ignored' };
  }
}

/**
 * The account named by the customer, else by our own account id (a signed event carries what our
 * Checkout set); an account found that way without a customer yet gets this one.
 */
async function findAccount(tx: TransactionSql, customerId: string | undefined, accountHint: string | undefined): Promise<string | undefined> {
  if (customerId) {
    const [row] = await tx<{ account_id: string }[]>`
      select account_id from private.billing_customers where stripe_customer_id = ${customerId}`;
    if (row) return row.account_id;
  }
  if (!accountHint) return undefined;
  const [user] = await tx<{ id: string }[]>`select id from auth.users where id = ${accountHint} and not is_anonymous`;
  if (!user) return undefined;
  if (customerId) await tx`select private.link_stripe_customer(${user.id}, ${customerId})`;
  return user.id;
}

async function planIds(tx: TransactionSql): Promise<string[]> {
  return (await tx<{ id: string }[]>`select id from public.plans`).map((r) => r.id);
}

async function applyCheckout(tx: TransactionSql, event: StripeEventEnvelope): Promise<Applied> {
  const session = checkoutState(event.object);
  if (!session.isSubscription || !session.subscriptionId) return { outcome: 'ignored' };
  const accountId = await findAccount(tx, session.customerId, session.accountId);
  if (!accountId) return { outcome: 'unmatched' };
  const plans = await planIds(tx);
  const plan = session.metadataPlan && plans.includes(session.metadataPlan) ? session.metadataPlan : undefined;
  if (!plan) return unknownPlan(event, accountId);
  return await store(tx, event, accountId, {
    customerId: session.customerId,
    subscriptionId: session.subscriptionId,
    status: session.paid ? 'active' : 'incomplete',
    priceId: billingConfig.priceForPlan(plan),
    cancelAtPeriodEnd: false,
  }, plan);
}

async function applySubscription(tx: TransactionSql, event: StripeEventEnvelope): Promise<Applied> {
  const parsed = subscriptionState(event.object);
  if (!parsed) return { outcome: 'invalid_object' };
  // A deleted subscription is over, whatever status its last snapshot carries.
  const state: SubscriptionState = event.type === 'customer.subscription.deleted' ? { ...parsed, status: 'canceled' } : parsed;
  const accountId = await findAccount(tx, state.customerId, state.metadataAccount);
  if (!accountId) return { outcome: 'unmatched' };
  const plans = await planIds(tx);
  const plan = planForPrice(state.priceId, plans) ?? (state.metadataPlan && plans.includes(state.metadataPlan) ? state.metadataPlan : undefined);
  if (!plan) {
    // The plan of a subscription that is over no longer matters.
    if (state.status === 'canceled' || state.status === 'incomplete_expired') return await store(tx, event, accountId, state, 'free');
    return unknownPlan(event, accountId);
  }
  return await store(tx, event, accountId, state, plan);
}

async function applyInvoice(tx: TransactionSql, event: StripeEventEnvelope): Promise<Applied> {
  const invoice = invoiceState(event.object);
  if (!invoice.subscriptionId) return { outcome: 'ignored' };
  const accountId = await findAccount(tx, invoice.customerId, invoice.metadataAccount);
  if (!accountId) return { outcome: 'unmatched' };
  const [row] = await tx<{ applied: boolean }[]>`
    select private.apply_stripe_invoice(${accountId}, ${event.created}, ${invoice.customerId ?? null},
      ${invoice.subscriptionId}, ${event.type === 'invoice.payment_failed'}) as applied`;
  return { outcome: row.applied ? 'applied' : 'stale', accountId };
}

async function store(
  tx: TransactionSql,
  event: StripeEventEnvelope,
  accountId: string,
  state: Omit<SubscriptionState, 'metadataPlan' | 'metadataAccount'>,
  plan: string,
): Promise<Applied> {
  const [row] = await tx<{ applied: boolean }[]>`
    select private.apply_stripe_subscription(${accountId}, ${event.created}, ${state.customerId ?? null},
      ${state.subscriptionId}, ${plan}, ${state.status}, ${state.priceId ?? null}, ${state.currentPeriodEnd ?? null},
      ${state.cancelAtPeriodEnd}) as applied`;
  return { outcome: row.applied ? 'applied' : 'stale', accountId };
}

function unknownPlan(event: StripeEventEnvelope, accountId: string): Applied {
  // Stored (so Stripe stops retrying) and logged: the operator must map the price to a plan.
  console.warn(`[stripe-webhook] ${event.type} ${event.id}: its price matches no STRIPE_PRICE_<PLAN> and carries no plan; nothing changed.`);
  return { outcome: 'unknown_plan', accountId };
}
