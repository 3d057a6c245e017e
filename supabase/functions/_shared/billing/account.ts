// The billing account behind a request, and its Stripe customer. An account is a user who created a
// website (or already has billing history); visitors and agents who own no website are refused.
// The Stripe customer is created once per account: concurrent first calls are serialised by an
// advisory lock, and the create call carries an idempotency key derived from the account, so even a
// retried request after a lost answer finds the same customer at Stripe.
import type { Caller } from '../auth.ts';
import { sql } from '../db.ts';
import { ApiError } from '../http.ts';
import { callStripe, stripeClient } from './stripe.ts';

export async function requireBillingAccount(caller: Caller): Promise<string> {
  if (caller.isAnonymous) {
    throw new ApiError(403, 'forbidden', 'Visitors cannot manage billing; sign in with the account that owns the websites.');
  }
  const [row] = await sql()<{ ok: boolean }[]>`select private.is_billing_account(${caller.userId}) as ok`;
  if (!row?.ok) {
    throw new ApiError(403, 'not_an_account_holder',
      'Billing is managed by the account that created the websites; create a website first or ask its owner.');
  }
  return caller.userId;
}

export async function findCustomer(accountId: string): Promise<string | undefined> {
  const [row] = await sql()<{ stripe_customer_id: string }[]>`
    select stripe_customer_id from private.billing_customers where account_id = ${accountId}`;
  return row?.stripe_customer_id;
}

/** The account's Stripe customer, created at Stripe (and stored) the first time. */
export async function ensureCustomer(accountId: string, email: string | undefined): Promise<string> {
  const existing = await findCustomer(accountId);
  if (existing) return existing;
  return await sql().begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${`emily.billing-customer:${accountId}`}, 0))`;
    const [again] = await tx<{ stripe_customer_id: string }[]>`
      select stripe_customer_id from private.billing_customers where account_id = ${accountId}`;
    if (again) return again.stripe_customer_id;
    const customer = await callStripe('create the customer', () =>
      stripeClient().customers.create(
        { ...(email ? { email } : {}), metadata: { account_id: accountId } },
        { idempotencyKey: `emily-customer-${accountId}` },
      ));
    const [linked] = await tx<{ id: string }[]>`select private.link_stripe_customer(${accountId}, ${customer.id}) as id`;
    return linked.id;
  });
}
