// No message is lost when the page closes before it was sent, in real Chromium on the demo site:
// the widget keeps it in localStorage (its outbox) and the next page view sends it with the same
// client_id, shown as pending until the server confirms it; of two tabs opened at once, only one
// sends it. The functions route is cut with Playwright's page.route (the rest of the network,
// Auth included, works), as when a send keeps failing until the visitor gives up and leaves.
import type { Page, Route } from 'playwright-core';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { closeDb, db } from '../integration/widget-api.support.ts';
import { launchChromium, type Browser } from './support/chromium.ts';
import { eventually, openWidgetPage, type WidgetPage } from './support/widget.ts';

const stack = inject('stack');
const { websiteId, siteUrl } = stack.demo;
const SEND_ROUTE = '**/functions/v1/widget-messages';
const OUTBOX_PREFIX = `emily:${websiteId}:outbox:`;

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => closeDb(stack));

/** Every send fails as if the network were down; resolves once `attempts` have failed. */
async function cutSends(page: Page, attempts = 1): Promise<() => Promise<void>> {
  let failed = 0;
  let reached: () => void;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  await page.route(SEND_ROUTE, async (route) => {
    await route.abort('internetdisconnected');
    if (++failed >= attempts) reached();
  });
  return () => enough;
}

/** Holds every send of the page until `gate` opens, recording which tab sent which client_id. */
async function holdSends(page: Page, tab: string, sent: Array<[string, string]>, gate: Promise<void>): Promise<void> {
  await page.route(SEND_ROUTE, async (route: Route) => {
    sent.push([tab, JSON.parse(route.request().postData() ?? '{}').client_id]);
    await gate;
    await route.continue();
  });
}

const outbox = (page: Page) =>
  page.evaluate((prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix)).map((k) => JSON.parse(localStorage.getItem(k)!)), OUTBOX_PREFIX);

async function storedTimes(clientId: string): Promise<number> {
  const { rows } = await db(stack).query('select count(*)::int as n from public.messages where client_id = $1', [clientId]);
  return rows[0].n;
}

async function conversationRows(clientId: string): Promise<Array<{ sender: string; content: string }>> {
  const { rows } = await db(stack).query(
    `select m.sender, m.content from public.messages m
     where m.conversation_id = (select conversation_id from public.messages where client_id = $1)
     order by m.created_at, m.id`,
    [clientId],
  );
  return rows;
}

/** Writes while every send fails, waits for a failed attempt, and closes the page: returns the message's client_id. */
async function writeAndLeave(w: WidgetPage, text: string): Promise<string> {
  if (!(await w.panel.isVisible())) await w.launcher.click();
  const failedOnce = await cutSends(w.page);
  await w.send(text);
  await failedOnce();
  expect((await w.messages()).at(-1)).toEqual({ sender: 'user', state: 'sending', text });
  const waiting = await outbox(w.page);
  expect(waiting.map((e) => e.content)).toEqual([text]);
  await w.page.close();
  return waiting[0].client_id;
}

describe('widget outbox', { timeout: 120_000 }, () => {
  it('sends a message left unsent by a closed page from the next page, once, with one AI answer, even with two tabs opening at once', async () => {
    browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
    const first = await openWidgetPage(browser.context, siteUrl);
    await first.ready();
    const text = `Do you fix carbon frames? (${crypto.randomUUID().slice(0, 8)})`;
    const clientId = await writeAndLeave(first, text);
    expect(await storedTimes(clientId)).toBe(0);

    // Two tabs of the site open at the same time; sends are held so that both had their chance.
    const sent: Array<[string, string]> = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tabs = await Promise.all(
      ['a', 'b'].map((tab) => openWidgetPage(browser!.context, siteUrl, { beforeGoto: (page) => holdSends(page, tab, sent, gate) })),
    );
    await Promise.all(tabs.map((t) => t.ready()));
    await eventually(() => sent.length).toBe(1);
    await tabs[0].page.waitForTimeout(1500);
    expect(sent.map(([, id]) => id)).toEqual([clientId]);

    // The tab sending it shows it as pending until the server confirms it.
    const [sender, other] = sent[0][0] === 'a' ? tabs : [tabs[1], tabs[0]];
    await sender.launcher.click();
    await eventually(() => sender.messages()).toEqual([{ sender: 'user', state: 'sending', text }]);

    release();
    await sender.waitForAnswers(1);
    const shown = await sender.messages();
    expect(shown.map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'sent']]);
    expect(shown[0].text).toBe(text);
    expect(await storedTimes(clientId)).toBe(1);
    const rows = await conversationRows(clientId);
    expect(rows.map((r) => r.sender)).toEqual(['user', 'assistant']);
    expect(rows[0].content).toBe(text);
    await eventually(() => outbox(sender.page)).toEqual([]);
    expect(await outbox(other.page)).toEqual([]);
    expect(sent.map(([, id]) => id)).toEqual([clientId]);
    expect([...sender.problems, ...other.problems]).toEqual([]);
  });

  it('resumes into the conversation it was written in, after a reload', async () => {
    browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
    const w = await openWidgetPage(browser.context, siteUrl);
    await w.ready();
    await w.launcher.click();
    await w.send('Is the shop open on Sundays?');
    await w.waitForAnswers(1);
    const conversation = await w.conversationId(websiteId);
    const text = `And on public holidays? (${crypto.randomUUID().slice(0, 8)})`;
    const clientId = await writeAndLeave(w, text);

    const next = await openWidgetPage(browser.context, siteUrl);
    await next.ready();
    await next.launcher.click();
    await next.waitForAnswers(2);
    expect((await next.messages()).map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'sent'], ['user', 'sent'], ['assistant', 'sent']]);
    expect(await storedTimes(clientId)).toBe(1);
    const rows = await conversationRows(clientId);
    expect(rows.map((r) => r.sender)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const { rows: where } = await db(stack).query('select conversation_id from public.messages where client_id = $1', [clientId]);
    expect(where[0].conversation_id).toBe(conversation);
    expect(await next.conversationId(websiteId)).toBe(conversation);
    await eventually(() => outbox(next.page)).toEqual([]);
  });
});
