// Widget features the other browser tests leave out, in real Chromium against the shared stack:
// `open: true` (the chat opens by itself once per browser session; closed, it stays closed on reload),
// identify() with a correct and a wrong HMAC (the visitor row, read through supabase-js with the
// service role), the catch-up when a hidden tab becomes visible again while its socket is down,
// and prefers-reduced-motion with the messages' timestamps. Pages come from a site of their own
// origin; the last two point the widget at a loopback proxy (support/flaky-proxy.ts) that can
// drop the WebSocket alone and hold an AI answer after its first event. Everything of ours is real.
import { createHmac, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { db, supabaseClient } from '../integration/widget-api.support.ts';
import { launchChromium, type Browser } from './support/chromium.ts';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-proxy.ts';
import { serveTestSite, type TestSite } from './support/pages.ts';
import { signInMember, type TeamMember } from './support/team.ts';
import { embedPage, eventually, openWidgetPage, type WidgetPage } from './support/widget.ts';

const stack = inject('stack');
const widgetUrl = `${stack.apiUrl}/widget`;
const { websiteId, ownerEmail, ownerPassword } = stack.demo;
const config = (extra: Record<string, unknown> = {}) => ({ websiteId, supabaseUrl: stack.apiUrl, anonKey: stack.anonKey, ...extra });

let site: TestSite;
let proxy: FlakyProxy;
let browser: Browser | undefined;

beforeAll(async () => {
  site = await serveTestSite();
  proxy = await startFlakyProxy(stack.apiUrl);
});

afterEach(async () => {
  proxy.socketsUp();
  await browser?.close();
  browser = undefined;
});

afterAll(async () => {
  await proxy?.close();
  await site?.close();
});

async function open(path: string, opts: Parameters<typeof openWidgetPage>[2] = {}): Promise<WidgetPage> {
  browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
  return openWidgetPage(browser.context, site.origin + path, opts);
}

/** The visitor (anonymous user) this page's widget signed in as. */
const visitorId = (w: WidgetPage) =>
  w.page.evaluate((id) => JSON.parse(localStorage.getItem(`emily:${id}:session`) ?? 'null')?.user_id as string | undefined, websiteId);

describe('widget `open: true`', { timeout: 120_000 }, () => {
  it('opens the chat by itself once per browser session: closed by the visitor it stays closed on reload, EmilyChat.open() still opens it, a new session opens it again', async () => {
    const after = `EmilyChat.on('open', () => { document.documentElement.dataset.opened = String(Number(document.documentElement.dataset.opened ?? 0) + 1); });`;
    site.set('/open', { html: embedPage({ widgetUrl, config: config({ open: true }), after }) });
    const appRequests: string[] = [];
    const w = await open('/open', { beforeGoto: (page) => void page.on('request', (r) => r.url().endsWith('/emily-chat.js') && appRequests.push(r.resourceType())) });
    const opened = (page: Page) => page.evaluate(() => document.documentElement.dataset.opened);

    // First view: nothing touches the page; the app is run at once (not only cached on idle) and opens itself.
    await eventually(() => w.panel.isVisible()).toBe(true);
    await w.page.locator('emily-chat .panel.open').waitFor();
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await opened(w.page)).toBe('1');
    expect(appRequests).toEqual(['script']);
    await eventually(() => w.panel.locator('.log .msg.welcome .bubble').textContent()).toContain('Northside Cycles assistant');

    const question = `Do you rent out e-bikes? (${randomUUID().slice(0, 8)})`;
    await w.send(question);
    await w.waitForAnswers(1);
    const conversation = await w.conversationId(websiteId);
    expect(conversation).toBeTruthy();

    // Still open on the next page view while the visitor has not closed it.
    await w.page.reload();
    await eventually(() => w.panel.isVisible()).toBe(true);
    expect(await opened(w.page)).toBe('1');

    // The visitor closes it: later page views of this session leave it closed.
    await w.panel.locator('.head .close').click();
    await eventually(() => w.panel.isVisible()).toBe(false);
    await w.page.reload();
    // `ready` comes once the app has started (a returning visitor's runs on idle), and the app makes
    // its open-or-not decision as it starts: had it meant to open the chat, it would have by now.
    await w.ready();
    expect(await w.panel.isVisible()).toBe(false);
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await opened(w.page)).toBeUndefined();

    // The page's own EmilyChat.open() still opens it, with the stored conversation.
    await w.page.evaluate(() => (window as unknown as { EmilyChat: { open(): void } }).EmilyChat.open());
    await eventually(() => w.panel.isVisible()).toBe(true);
    expect(await opened(w.page)).toBe('1');
    await eventually(async () => (await w.messages()).map((m) => `${m.sender}:${m.state}`)).toEqual(['user:sent', 'assistant:sent']);
    expect((await w.messages())[0].text).toBe(question);
    expect(await w.conversationId(websiteId)).toBe(conversation);
    expect(w.problems).toEqual([]);

    // A new browser session (another browser profile): it opens by itself again.
    const second = await launchChromium({ viewport: { width: 1280, height: 860 } });
    try {
      const fresh = await openWidgetPage(second.context, site.origin + '/open');
      await eventually(() => fresh.panel.isVisible()).toBe(true);
      expect(await fresh.launcher.getAttribute('aria-expanded')).toBe('true');
      expect(await opened(fresh.page)).toBe('1');
      expect(fresh.problems).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe('widget identify()', { timeout: 90_000 }, () => {
  const service = supabaseClient(stack, stack.serviceRoleKey);
  const visitorRow = async (userId: string) => {
    const { data, error } = await service.from('visitors').select('external_id, name, email, identified_at').eq('website_id', websiteId).eq('user_id', userId);
    if (error) throw error;
    return data;
  };
  let secret: string;
  beforeAll(async () => {
    const { rows } = await db(stack).query(`select identity_secret from public.website_secrets where website_id = $1`, [websiteId]);
    secret = rows[0].identity_secret;
  });

  /** A page that identifies its signed-in user right after the loader, as README's snippet does. */
  async function identifyingPage(identity: Record<string, string>) {
    const path = `/identify-${randomUUID()}`;
    site.set(path, { html: embedPage({ widgetUrl, config: config(), after: `EmilyChat.identify(${JSON.stringify(identity)});` }) });
    const identifyStatuses: number[] = [];
    const warnings: string[] = [];
    const w = await open(path, {
      beforeGoto: (page) => {
        page.on('response', (r) => r.url().endsWith('/functions/v1/widget-identify') && r.request().method() === 'POST' && identifyStatuses.push(r.status()));
        page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
      },
    });
    await w.ready();
    await w.launcher.click();
    await w.send('Hello, can I book a repair?');
    await w.waitForAnswers(1);
    return { w, identifyStatuses, warnings };
  }

  it('stores the verified user id, name and e-mail on the visitor when the HMAC is right', async () => {
    const userId = `shop-user-${randomUUID()}`;
    const email = `ann-${randomUUID().slice(0, 8)}@example.com`;
    const userHash = createHmac('sha256', secret).update(userId).digest('hex');
    const { w, identifyStatuses } = await identifyingPage({ userId, userHash, name: 'Ann Lee', email });
    expect(identifyStatuses).toEqual([200]);
    const visitor = await visitorId(w);
    expect(visitor).toBeTruthy();
    const rows = await visitorRow(visitor!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ external_id: userId, name: 'Ann Lee', email });
    expect(rows[0].identified_at).toBeTruthy();
    expect(w.problems).toEqual([]);
  });

  it('ignores an identity whose HMAC is wrong and the chat goes on', async () => {
    const userId = `shop-user-${randomUUID()}`;
    const userHash = createHmac('sha256', 'not-the-website-secret').update(userId).digest('hex');
    const { w, identifyStatuses, warnings } = await identifyingPage({ userId, userHash, name: 'Mallory', email: 'mallory@evil.example' });
    // Asked and refused; the message was still stored and answered.
    expect(identifyStatuses).toEqual([403]);
    expect(warnings.join('\n')).toContain('[Emily] identify(): userHash does not verify');
    expect((await w.messages()).map((m) => `${m.sender}:${m.state}`)).toEqual(['user:sent', 'assistant:sent']);
    const visitor = await visitorId(w);
    expect(visitor).toBeTruthy();
    for (const row of await visitorRow(visitor!)) expect(row).toMatchObject({ external_id: null, identified_at: null });
    // A second message is sent without asking again (one attempt per visitor and identity).
    await w.send('And on Saturday?');
    await w.waitForAnswers(2);
    expect(identifyStatuses).toEqual([403]);
    expect(w.problems).toEqual([]);
  });
});

/**
 * Hides or shows the page as the browser does when the visitor switches tabs. Headless Chromium
 * keeps every page visible (Page.setWebLifecycleState, a minimised window and another tab in
 * the window all leave visibilityState 'visible' here), so the test plays the browser's part:
 * document.visibilityState and the visibilitychange event the widget listens to.
 */
const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
  page.evaluate((s) => {
    if (s === 'hidden') {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    } else {
      delete (document as { visibilityState?: unknown }).visibilityState;
      delete (document as { hidden?: unknown }).hidden;
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

describe('widget catch-up on visibilitychange', { timeout: 120_000 }, () => {
  let team: TeamMember;
  beforeAll(async () => {
    team = await signInMember(stack, ownerEmail, ownerPassword);
  });
  afterAll(async () => {
    await team?.close();
  });

  it('shows, once, a team reply sent while the tab was hidden and its socket down, as soon as the tab is visible', async () => {
    site.set('/proxied', { html: embedPage({ widgetUrl, config: config({ supabaseUrl: proxy.url }) }) });
    const catchUps: string[] = [];
    const sockets: Array<{ isClosed(): boolean }> = [];
    const w = await open('/proxied', {
      beforeGoto: (page) => {
        page.on('request', (r) => /\/widget-conversations\/[^/]+\/messages\?after=/.test(r.url()) && catchUps.push(r.url()));
        page.on('websocket', (ws) => void sockets.push(ws));
      },
    });
    await w.ready();
    await w.launcher.click();
    await w.send('Are you open on Sundays?');
    await w.waitForAnswers(1);
    const conversation = (await w.conversationId(websiteId))!;
    await w.settled(conversation);

    await setVisibility(w.page, 'hidden');
    proxy.socketsDown();
    await eventually(() => sockets.every((s) => s.isClosed())).toBe(true);
    const upgrades = () => proxy.log.filter((l) => l.startsWith('UPGRADE')).length;
    const upgradesWhileDown = upgrades();
    const reply = `Sundays 11 to 16, ${randomUUID().slice(0, 8)}`;
    await team.reply(conversation, websiteId, reply);
    const replies = async () => (await w.messages()).filter((m) => m.text === reply).length;
    const catchUpsBefore = catchUps.length;

    await setVisibility(w.page, 'visible');
    await eventually(replies).toBe(1);
    // The database was read because the tab came back: no socket got through meanwhile.
    expect(catchUps.slice(catchUpsBefore).filter((u) => u.includes(`/widget-conversations/${conversation}/messages?after=`)).length).toBeGreaterThan(0);
    expect(upgrades()).toBe(upgradesWhileDown);
    expect((await w.messages()).find((m) => m.text === reply)).toMatchObject({ sender: 'agent', state: 'sent' });

    // The socket comes back, rejoins and catches up again: the reply is still shown once.
    const catchUpsBeforeRejoin = catchUps.length;
    const rejoinCatchUp = w.page.waitForResponse((r) => /\/messages\?after=/.test(r.url()), { timeout: 30_000 });
    proxy.socketsUp();
    await rejoinCatchUp;
    expect(upgrades()).toBeGreaterThan(upgradesWhileDown);
    expect(catchUps.length).toBeGreaterThan(catchUpsBeforeRejoin);
    await w.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await replies()).toBe(1);
    expect(w.problems).toEqual([]);
  });
});

describe('widget with prefers-reduced-motion', { timeout: 90_000 }, () => {
  it('turns transitions and animations off, and shows each message time in the visitor\'s locale', async () => {
    site.set('/motion', { html: embedPage({ widgetUrl, config: config({ supabaseUrl: proxy.url, locale: 'de' }) }) });
    const w = await open('/motion', { beforeGoto: (page) => page.emulateMedia({ reducedMotion: 'reduce' }) });
    await w.ready();
    await w.launcher.click();
    await w.input.waitFor({ state: 'visible' });
    const motion = () =>
      w.page.evaluate(() => {
        const root = document.querySelector('emily-chat')!.shadowRoot!;
        const panel = getComputedStyle(root.querySelector('.panel')!);
        return {
          panel: panel.transitionDuration,
          dots: [...root.querySelectorAll('.log .msg.streaming .dots i')].map((el) => getComputedStyle(el).animationName),
        };
      });

    // The AI is "thinking" (its answer held after the stored message) while the styles are read.
    const release = proxy.holdAfterEvent((req) => req.method === 'POST' && !!req.url?.includes('/widget-messages'), 'message');
    try {
      await w.send('Was kostet eine Reifenreparatur?');
      await w.page.locator('emily-chat .log .msg.streaming .dots i').first().waitFor();
      expect(await motion()).toEqual({ panel: '0s', dots: ['none', 'none', 'none'] });
      // The same page without the preference animates: the readings above can tell.
      await w.page.emulateMedia({ reducedMotion: 'no-preference' });
      expect(await motion()).toEqual({ panel: '0.18s, 0.18s', dots: ['emily-blink', 'emily-blink', 'emily-blink'] });
      await w.page.emulateMedia({ reducedMotion: 'reduce' });
      expect(await motion()).toEqual({ panel: '0s', dots: ['none', 'none', 'none'] });
    } finally {
      release();
    }
    await w.waitForAnswers(1);

    // Times: the stored instant, as hours and minutes in German for today, with the date before today.
    const conversation = (await w.conversationId(websiteId))!;
    await db(stack).query(
      `insert into public.messages (conversation_id, website_id, sender, content, created_at)
       values ($1, $2, 'agent', 'Eine Antwort von vorgestern', now() - interval '2 days')`,
      [conversation, websiteId],
    );
    await eventually(async () => (await w.messages()).length).toBe(3);
    const { rows } = await db(stack).query(`select created_at from public.messages where conversation_id = $1 order by created_at, id`, [conversation]);
    const shown = await w.page.evaluate(() =>
      [...document.querySelector('emily-chat')!.shadowRoot!.querySelectorAll('.log .msg:not(.welcome) time')].map((t) => {
        const at = new Date(t.getAttribute('datetime')!);
        const today = at.toDateString() === new Date().toDateString();
        return {
          at: at.getTime(),
          text: t.textContent,
          expected: new Intl.DateTimeFormat('de', today ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(at),
        };
      }),
    );
    expect(shown.map((s) => s.at)).toEqual(rows.map((r) => (r.created_at as Date).getTime()));
    for (const s of shown) expect(s.text).toBe(s.expected);
    expect(shown[0].text).not.toMatch(/^\d{2}:\d{2}$/);
    expect(shown.slice(1).map((s) => s.text)).toEqual(shown.slice(1).map(() => expect.stringMatching(/^\d{2}:\d{2}$/)));
    expect(w.problems).toEqual([]);
  });
});
