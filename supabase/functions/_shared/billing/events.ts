// What a verified Stripe event says about an account's subscription, read defensively: Stripe's
// objects change shape between API versions (a subscription's period end moved onto its items, an
// invoice's subscription under `parent.subscription_details`), and a field may be an id or an
// expanded object. Everything is validated here; the database applies it in order.

export const SUBSCRIPTION_STATUSES = [
  'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused',
] as const;
export type SubscriptionStatus = typeof SUBSCRIPTION_STATUSES[number];

/** The event types the webhook acts on; anything else is stored and answered 200 `ignored`. */
export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

export interface StripeEventEnvelope {
  id: string;
  type: string;
  /** When Stripe created the event. */
  created: Date;
  livemode: boolean;
  object: Record<string, unknown>;
}

export interface SubscriptionState {
  customerId?: string;
  subscriptionId: string;
  status: SubscriptionStatus;
  priceId?: string;
  /** The plan the subscription says it is for (metadata set by our Checkout). */
  metadataPlan?: string;
  metadataAccount?: string;
  currentPeriodEnd?: Date;
  cancelAtPeriodEnd: boolean;
}

export interface CheckoutState {
  customerId?: string;
  subscriptionId?: string;
  /** client_reference_id (our account id) or metadata.account_id. */
  accountId?: string;
  metadataPlan?: string;
  paid: boolean;
  isSubscription: boolean;
}

export interface InvoiceState {
  customerId?: string;
  subscriptionId?: string;
  metadataAccount?: string;
}

const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const CUSTOMER_ID = /^cus_[A-Za-z0-9_]{1,250}$/;
const SUBSCRIPTION_ID = /^sub_[A-Za-z0-9_]{1,250}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** An id given either as a string or as an expanded object with `id`. */
function idOf(v: unknown, pattern: RegExp): string | undefined {
  const id = typeof v === 'string' ? v : isObject(v) && typeof v.id === 'string' ? v.id : undefined;
  return id && pattern.test(id) ? id : undefined;
}

function seconds(v: unknown): Date | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? new Date(Math.floor(v) * 1000) : undefined;
}

function metadata(o: Obj): Obj {
  return isObject(o.metadata) ? o.metadata : {};
}

function planId(v: unknown): string | undefined {
  return typeof v === 'string' && /^[a-z][a-z0-9_]{0,31}$/.test(v) ? v : undefined;
}

function accountId(v: unknown): string | undefined {
  return typeof v === 'string' && UUID.test(v) ? v.toLowerCase() : undefined;
}

/** The envelope of a verified event, or a reason why it is not one we can store. */
export function parseEnvelope(event: unknown): StripeEventEnvelope | string {
  if (!isObject(event)) return 'The event is not a JSON object.';
  if (typeof event.id !== 'string' || !EVENT_ID.test(event.id)) return 'The event has no valid id (evt_…).';
  if (typeof event.type !== 'string' || !/^[a-z0-9_.]{1,100}$/.test(event.type)) return 'The event has no valid type.';
  const created = seconds(event.created);
  if (!created) return 'The event has no valid created time.';
  if (!isObject(event.data) || !isObject(event.data.object)) return 'The event has no data.object.';
  return { id: event.id, type: event.type, created, livemode: event.livemode === true, object: event.data.object };
}

/** A subscription object (customer.subscription.* events); undefined when it is not one. */
export function subscriptionState(o: Obj): SubscriptionState | undefined {
  const subscriptionId = idOf(o.id, SUBSCRIPTION_ID);
  const status = SUBSCRIPTION_STATUSES.find((s) => s === o.status);
  if (!subscriptionId || !status) return undefined;
  const items = isObject(o.items) && Array.isArray(o.items.data) ? o.items.data.filter(isObject) : [];
  const item = items[0];
  const price = item && isObject(item.price) ? item.price : undefined;
  const priceId = typeof price?.id === 'string' ? price.id : typeof item?.price === 'string' ? item.price : undefined;
  // Newer API versions keep the period on the items; older ones on the subscription.
  const periodEnd = seconds(item?.current_period_end) ?? seconds(o.current_period_end);
  const meta = metadata(o);
  return {
    customerId: idOf(o.customer, CUSTOMER_ID),
    subscriptionId,
    status,
    priceId: priceId && priceId.length <= 255 ? priceId : undefined,
    metadataPlan: planId(meta.plan),
    metadataAccount: accountId(meta.account_id),
    currentPeriodEnd: periodEnd,
    // A cancellation scheduled for a date (cancel_at) ends the subscription just the same.
    cancelAtPeriodEnd: o.cancel_at_period_end === true || (typeof o.cancel_at === 'number' && o.cancel_at > 0),
  };
}

/** A Checkout Session object (checkout.session.completed). */
export function checkoutState(o: Obj): CheckoutState {
  const meta = metadata(o);
  return {
    customerId: idOf(o.customer, CUSTOMER_ID),
    subscriptionId: idOf(o.subscription, SUBSCRIPTION_ID),
    accountId: accountId(o.client_reference_id) ?? accountId(meta.account_id),
    metadataPlan: planId(meta.plan),
    paid: o.payment_status === 'paid' || o.payment_status === 'no_payment_required',
    isSubscription: o.mode === 'subscription',
  };
}

/** An Invoice object (invoice.paid, invoice.payment_failed). */
export function invoiceState(o: Obj): InvoiceState {
  const parent = isObject(o.parent) && isObject(o.parent.subscription_details) ? o.parent.subscription_details : undefined;
  const meta = parent && isObject(parent.metadata) ? parent.metadata : {};
  return {
    customerId: idOf(o.customer, CUSTOMER_ID),
    subscriptionId: idOf(o.subscription, SUBSCRIPTION_ID) ?? idOf(parent?.subscription, SUBSCRIPTION_ID),
    metadataAccount: accountId(meta.account_id),
  };
}
