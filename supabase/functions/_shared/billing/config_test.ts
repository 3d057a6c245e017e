import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { billingConfig, DEFAULT_WEBHOOK_TOLERANCE_S, planForPrice } from './config.ts';

Deno.test("each paid plan's price comes from STRIPE_PRICE_<PLAN>; a price maps back to its plan", () => {
  Deno.env.set('STRIPE_PRICE_PRO', ' price_pro ');
  Deno.env.set('STRIPE_PRICE_BUSINESS', 'price_business');
  Deno.env.delete('STRIPE_PRICE_FREE');
  try {
    assertEquals(billingConfig.priceForPlan('pro'), 'price_pro');
    assertEquals(planForPrice('price_business', ['free', 'pro', 'business']), 'business');
    assertEquals(planForPrice('price_pro', ['free', 'business']), undefined, 'only plans of the catalogue');
    assertEquals(planForPrice('price_other', ['free', 'pro', 'business']), undefined);
    assertEquals(planForPrice(undefined, ['free', 'pro']), undefined);
  } finally {
    Deno.env.delete('STRIPE_PRICE_PRO');
    Deno.env.delete('STRIPE_PRICE_BUSINESS');
  }
});

Deno.test("the webhook tolerance defaults to Stripe's 300 s and takes only positive integers", () => {
  for (const [value, expected] of [[undefined, DEFAULT_WEBHOOK_TOLERANCE_S], ['60', 60], ['0', 300], ['-5', 300], ['1.5', 300], ['x', 300]] as const) {
    if (value === undefined) Deno.env.delete('STRIPE_WEBHOOK_TOLERANCE_S');
    else Deno.env.set('STRIPE_WEBHOOK_TOLERANCE_S', value);
    assertEquals(billingConfig.webhookToleranceS(), expected, String(value));
  }
  Deno.env.delete('STRIPE_WEBHOOK_TOLERANCE_S');
});
