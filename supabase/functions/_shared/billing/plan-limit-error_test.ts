// The database refuses what a plan does not allow with SQLSTATE PT402 (see the plan_limits
// migration); every function turns that into 402 `plan_limit_reached` with the message and hint.
import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { errorResponse } from '../http.ts';

Deno.test('a PT402 error from Postgres becomes 402 plan_limit_reached with its message and hint', async () => {
  const pgError = Object.assign(new Error('Plan limit reached: the Free plan allows 2 websites per account.'), {
    code: 'PT402', detail: 'websites: 2 used of 2 on the free plan.', hint: 'Upgrade the plan on the Billing page, or delete a website first.',
  });
  const res = errorResponse(pgError);
  assertEquals(res.status, 402);
  assertEquals(await res.json(), { error: { code: 'plan_limit_reached',
    message: 'Plan limit reached: the Free plan allows 2 websites per account. Upgrade the plan on the Billing page, or delete a website first.' } });
});

Deno.test('other database errors stay internal (500, nothing echoed)', async () => {
  const res = errorResponse(Object.assign(new Error('duplicate key value violates unique constraint "secret_idx"'), { code: '23505' }));
  assertEquals(res.status, 500);
  assertEquals((await res.json()).error.code, 'internal_error');
});
