import { deepStrictEqual as assertEquals, ok } from 'node:assert/strict';
import { checkoutState, invoiceState, parseEnvelope, subscriptionState } from './events.ts';

const ACCOUNT = '123e4567-e89b-42d3-a456-426614174000';

Deno.test('an event envelope needs an evt_ id, a type, a created time and data.object', () => {
  const good = { id: 'evt_1A', type: 'invoice.paid', created: 1767225600, livemode: false, data: { object: { id: 'in_1' } } };
  assertEquals(parseEnvelope(good), { id: 'evt_1A', type: 'invoice.paid', created: new Date(1767225600_000), livemode: false, object: { id: 'in_1' } });
  for (const bad of [null, [], 'evt_1', { ...good, id: 'abc' }, { ...good, id: `evt_${'x'.repeat(251)}` }, { ...good, type: '' },
    { ...good, type: 'DROP TABLE' }, { ...good, created: '2026-01-01' }, { ...good, created: -5 }, { ...good, data: {} },
    { ...good, data: { object: [] } }]) {
    ok(typeof parseEnvelope(bad) === 'string', JSON.stringify(bad));
  }
});

Deno.test('a subscription: period end from its item (current API) or from itself (older API versions)', () => {
  const current = subscriptionState({
    id: 'sub_1', customer: 'cus_1', status: 'active', cancel_at_period_end: false, metadata: { plan: 'pro', account_id: ACCOUNT.toUpperCase() },
    items: { data: [{ price: { id: 'price_pro' }, current_period_end: 1769904000 }] },
  });
  assertEquals(current, {
    customerId: 'cus_1', subscriptionId: 'sub_1', status: 'active', priceId: 'price_pro', metadataPlan: 'pro', metadataAccount: ACCOUNT,
    currentPeriodEnd: new Date(1769904000_000), cancelAtPeriodEnd: false,
  });
  const older = subscriptionState({
    id: 'sub_2', customer: { id: 'cus_2', object: 'customer' }, status: 'past_due', current_period_end: 1769904000, cancel_at: 1769904000,
    items: { data: [{ price: 'price_x' }] },
  });
  assertEquals(older?.customerId, 'cus_2');
  assertEquals(older?.priceId, 'price_x');
  assertEquals(older?.currentPeriodEnd, new Date(1769904000_000));
  assertEquals(older?.cancelAtPeriodEnd, true, 'a cancellation scheduled with cancel_at counts as ending');
});

Deno.test('a subscription with a bad id or status is not one; odd fields are dropped', () => {
  assertEquals(subscriptionState({ id: 'cus_1', status: 'active' }), undefined);
  assertEquals(subscriptionState({ id: 'sub_1', status: 'happy' }), undefined);
  assertEquals(subscriptionState({ id: 12, status: ['active'] }), undefined);
  const odd = subscriptionState({ id: 'sub_1', status: 'active', customer: 'someone', items: 'none', metadata: { plan: 'Pro!', account_id: 'x' } });
  assertEquals(odd, { customerId: undefined, subscriptionId: 'sub_1', status: 'active', priceId: undefined, metadataPlan: undefined,
    metadataAccount: undefined, currentPeriodEnd: undefined, cancelAtPeriodEnd: false });
});

Deno.test('a checkout session: account from client_reference_id, else metadata; paid or not', () => {
  assertEquals(checkoutState({ mode: 'subscription', customer: 'cus_1', subscription: 'sub_1', client_reference_id: ACCOUNT, metadata: { plan: 'pro' }, payment_status: 'paid' }),
    { customerId: 'cus_1', subscriptionId: 'sub_1', accountId: ACCOUNT, metadataPlan: 'pro', paid: true, isSubscription: true });
  const viaMetadata = checkoutState({ mode: 'payment', metadata: { account_id: ACCOUNT }, payment_status: 'unpaid' });
  assertEquals([viaMetadata.accountId, viaMetadata.paid, viaMetadata.isSubscription], [ACCOUNT, false, false]);
  assertEquals(checkoutState({ mode: 'subscription', payment_status: 'no_payment_required' }).paid, true, 'a free trial counts as paid');
});

Deno.test('an invoice names its subscription directly (older APIs) or under parent.subscription_details', () => {
  assertEquals(invoiceState({ customer: 'cus_1', subscription: 'sub_1' }), { customerId: 'cus_1', subscriptionId: 'sub_1', metadataAccount: undefined });
  assertEquals(invoiceState({ customer: 'cus_1', parent: { subscription_details: { subscription: { id: 'sub_2' }, metadata: { account_id: ACCOUNT } } } }),
    { customerId: 'cus_1', subscriptionId: 'sub_2', metadataAccount: ACCOUNT });
  assertEquals(invoiceState({ customer: 'cus_1', parent: null }).subscriptionId, undefined);
});
