// Billing (#/billing, the signed-in account): the plan, usage against each limit as bars, upgrade
// through Stripe Checkout and manage (plan, card, cancellation, invoices) in Stripe's Customer
// Portal, with a banner when a payment failed or this month's AI answers are used up. Everything
// comes from the `billing` Edge Function; the limits themselves are enforced by the database. The
// plan changes only when Stripe's webhook arrives, so after Checkout the page checks again for a
// little while.
import { FunctionsHttpError } from '@supabase/supabase-js';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Badge, Button, Empty, Notice, ProgressBar, Spinner } from '../components/ui.tsx';
import { functionErrorText } from '../lib/errors.ts';
import { dateTime } from '../lib/format.ts';
import { href, navigate } from '../router.ts';
import { supabase } from '../supabase.ts';
import type { PageProps } from './registry.tsx';

interface Usage {
  used: number;
  limit: number | null;
}

interface PlanInfo {
  id: string;
  name: string;
  monthly_price_cents: number;
  currency: string;
}

interface CatalogPlan extends PlanInfo {
  limits: { websites: number | null; ai_answers_per_month: number | null; team_members: number | null; knowledge_sources: number | null };
  purchasable: boolean;
}

export interface Billing {
  plan: PlanInfo;
  subscription: null | {
    plan_id: string;
    status: string;
    current_period_end: string | null;
    cancel_at_period_end: boolean;
    payment_failed: boolean;
  };
  payment_failed: boolean;
  period_start: string;
  usage: {
    websites: Usage;
    team_members: Usage;
    ai_answers: Usage & { skipped: number };
    knowledge_sources: { limit: number | null; websites: Array<{ website_id: string; name: string; used: number }> };
  };
  ai_paused: boolean;
  plans: CatalogPlan[];
  stripe: { configured: boolean };
}

const LIVE = ['active', 'trialing', 'past_due'];
const STATUS: Record<string, { text: string; kind: 'green' | 'blue' | 'amber' | 'red' | 'grey' }> = {
  active: { text: 'Active', kind: 'green' },
  trialing: { text: 'Trial', kind: 'blue' },
  past_due: { text: 'Payment due', kind: 'amber' },
  unpaid: { text: 'Unpaid', kind: 'red' },
  canceled: { text: 'Canceled', kind: 'grey' },
  incomplete: { text: 'Incomplete', kind: 'amber' },
  incomplete_expired: { text: 'Expired', kind: 'grey' },
  paused: { text: 'Paused', kind: 'grey' },
};
/** How long to keep checking for Stripe's confirmation after a successful Checkout. */
const CONFIRM_POLLS = 15;
const CONFIRM_EVERY_MS = 2000;

export function price(plan: PlanInfo): string {
  const amount = new Intl.NumberFormat(undefined, { style: 'currency', currency: plan.currency.toUpperCase() }).format(plan.monthly_price_cents / 100);
  return `${amount} / month`;
}

const count = (n: number | null) => (n === null ? 'Unlimited' : n.toLocaleString());

/** The first day of next month (UTC), when the AI-answer count starts again. */
function nextPeriod(periodStart: string): string {
  const d = new Date(`${periodStart}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'long', timeZone: 'UTC' });
}

async function errorCode(error: unknown): Promise<string | undefined> {
  if (!(error instanceof FunctionsHttpError)) return undefined;
  try {
    return (await (error.context as Response).clone().json())?.error?.code;
  } catch {
    return undefined;
  }
}

function UsageRow({ label, usage, note }: { label: string; usage: Usage; note?: string }) {
  const full = usage.limit !== null && usage.used >= usage.limit;
  return (
    <div class={`usage-row${full ? ' usage-full' : ''}`} data-usage={label}>
      <div class="usage-head">
        <span>{label}</span>
        <span class="muted">{usage.used.toLocaleString()} of {count(usage.limit)}{full ? ' (limit reached)' : ''}</span>
      </div>
      {usage.limit !== null && <ProgressBar value={usage.limit ? usage.used / usage.limit : 1} label={`${label}: ${usage.used} of ${usage.limit}`} />}
      {note && <div class="hint">{note}</div>}
    </div>
  );
}

function PlanCard({ plan, billing, busy, onCheckout, onPortal }: {
  plan: CatalogPlan;
  billing: Billing;
  busy: string | undefined;
  onCheckout: (plan: string) => void;
  onPortal: () => void;
}) {
  const current = plan.id === billing.plan.id;
  const subscribed = !!billing.subscription && LIVE.includes(billing.subscription.status);
  let action = null;
  if (current) action = <Badge kind="blue">Current plan</Badge>;
  else if (plan.monthly_price_cents === 0) action = subscribed ? <span class="muted small">Cancel in the billing portal</span> : null;
  else if (subscribed) action = <Button busy={busy === 'portal'} disabled={!!busy} onClick={onPortal}>Switch in the billing portal</Button>;
  else if (plan.purchasable) action = <Button variant="primary" busy={busy === plan.id} disabled={!!busy} onClick={() => onCheckout(plan.id)}>Upgrade to {plan.name}</Button>;
  else action = <span class="muted small">Not available on this server</span>;
  return (
    <li class={`card plan${current ? ' plan-current' : ''}`} data-plan={plan.id}>
      <h3>{plan.name}</h3>
      <p class="plan-price">{price(plan)}</p>
      <ul class="plan-limits">
        <li>{count(plan.limits.websites)} websites</li>
        <li>{count(plan.limits.ai_answers_per_month)} AI answers a month</li>
        <li>{count(plan.limits.team_members)} team members</li>
        <li>{count(plan.limits.knowledge_sources)} knowledge sources per website</li>
      </ul>
      {action}
    </li>
  );
}

export function BillingPage({ route }: PageProps) {
  const [billing, setBilling] = useState<Billing>();
  const [error, setError] = useState<string>();
  const [notAccount, setNotAccount] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const returned = route.query.get('checkout');

  const load = useCallback(async () => {
    const { data, error: err } = await supabase.functions.invoke<Billing>('billing', { method: 'GET' });
    if (err) {
      if (await errorCode(err) === 'not_an_account_holder') setNotAccount(true);
      else setError(await functionErrorText(err));
      return undefined;
    }
    setError(undefined);
    setBilling(data!);
    return data!;
  }, []);

  useEffect(() => {
    let polls = returned === 'success' ? CONFIRM_POLLS : 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const data = await load();
      // After Checkout: wait for the webhook to turn the payment into the plan.
      if (polls-- > 0 && data && !(data.subscription && LIVE.includes(data.subscription.status))) timer = setTimeout(tick, CONFIRM_EVERY_MS);
    };
    void tick();
    return () => clearTimeout(timer);
  }, [load, returned]);

  const go = async (key: string, path: string, body: Record<string, unknown>) => {
    setBusy(key);
    setActionError(undefined);
    const { data, error: err } = await supabase.functions.invoke<{ url: string }>(path, { body });
    if (err || !data?.url) {
      setBusy(undefined);
      setActionError(err ? await functionErrorText(err) : 'Stripe did not return a page to go to.');
      return;
    }
    location.assign(data.url);
  };
  const checkout = (plan: string) => void go(plan, 'billing/checkout', { plan });
  const portal = () => void go('portal', 'billing/portal', {});

  if (notAccount) {
    return (
      <div class="page narrow">
        <h1 tabIndex={-1}>Billing</h1>
        <Empty title="Billing belongs to the account that created the websites." action={<a class="btn btn-primary" href="#/">Go to your websites</a>}>
          You work on websites someone else pays for. Create a website of your own to get a plan of your own.
        </Empty>
      </div>
    );
  }
  if (!billing) {
    return (
      <div class="page narrow">
        <h1 tabIndex={-1}>Billing</h1>
        {error ? <Notice kind="error">{error} <Button onClick={() => void load()}>Try again</Button></Notice> : <Spinner label="Loading your plan…" />}
      </div>
    );
  }

  const sub = billing.subscription;
  const live = !!sub && LIVE.includes(sub.status);
  const status = sub ? STATUS[sub.status] ?? { text: sub.status, kind: 'grey' as const } : undefined;
  const { usage } = billing;
  const dismissReturn = () => navigate(href(['billing']), true);
  return (
    <div class="page billing">
      <h1 tabIndex={-1}>Billing</h1>
      {returned === 'success' && (
        <Notice kind="success" onClose={dismissReturn}>
          {live ? <>Thank you! You are on the <strong>{billing.plan.name}</strong> plan.</>
            : <>Thank you! Your payment went through; your plan changes as soon as Stripe confirms it (usually within seconds).</>}
        </Notice>
      )}
      {returned === 'canceled' && <Notice kind="info" onClose={dismissReturn}>Checkout was canceled; nothing was charged.</Notice>}
      {billing.payment_failed && (
        <Notice kind="error">
          <strong>Your last payment failed.</strong> Update your payment method to keep the {billing.plan.name} plan; Stripe retries the
          payment automatically. <Button variant="primary" busy={busy === 'portal'} disabled={!!busy} onClick={portal}>Update payment method</Button>
        </Notice>
      )}
      {billing.ai_paused && (
        <Notice kind="warning">
          <strong>AI answers are paused until {nextPeriod(billing.period_start)}.</strong> This month's {count(usage.ai_answers.limit)} AI
          answers of the {billing.plan.name} plan are used up, so visitors' messages wait for your team
          {usage.ai_answers.skipped ? ` (${usage.ai_answers.skipped.toLocaleString()} so far)` : ''}. Upgrade to resume now.
        </Notice>
      )}
      {actionError && <Notice kind="error" onClose={() => setActionError(undefined)}>{actionError}</Notice>}

      <section class="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">Your plan: {billing.plan.name}</h2>
        <p>
          {price(billing.plan)}
          {status && <> · <Badge kind={status.kind}>{status.text}</Badge></>}
          {live && sub?.current_period_end && (
            <span class="muted"> · {sub.cancel_at_period_end ? 'Ends' : 'Renews'} on {dateTime(sub.current_period_end)}</span>
          )}
        </p>
        {live && sub?.cancel_at_period_end && <Notice kind="info">Your subscription is canceled; you keep the {billing.plan.name} plan until the end of the period.</Notice>}
        {sub && <Button variant={live ? 'primary' : 'secondary'} busy={busy === 'portal'} disabled={!!busy || !billing.stripe.configured} onClick={portal}>Manage billing</Button>}
        {!billing.stripe.configured && <p class="muted small">Payments are not set up on this server, so plans cannot be changed here.</p>}
      </section>

      <section class="card" aria-labelledby="usage-heading">
        <h2 id="usage-heading">Usage</h2>
        <UsageRow label="Websites" usage={usage.websites} />
        <UsageRow label="Team members" usage={usage.team_members} note="People on your websites' teams, you included." />
        <UsageRow label="AI answers this month" usage={usage.ai_answers} note={`Counted from ${new Date(`${billing.period_start}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'long', timeZone: 'UTC' })}; starts again on ${nextPeriod(billing.period_start)}.`} />
        {usage.knowledge_sources.websites.map((w) => (
          <UsageRow key={w.website_id} label={`Knowledge sources: ${w.name}`} usage={{ used: w.used, limit: usage.knowledge_sources.limit }} />
        ))}
      </section>

      <section aria-labelledby="plans-heading">
        <h2 id="plans-heading">Plans</h2>
        <ul class="plans">
          {billing.plans.map((p) => <PlanCard key={p.id} plan={p} billing={billing} busy={busy} onCheckout={checkout} onPortal={portal} />)}
        </ul>
      </section>
    </div>
  );
}
