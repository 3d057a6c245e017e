// The backoffice's live inbox against the shared stack, in real Chromium: the demo owner signs in
// (and stays signed in across a reload); a visitor on the demo site (another browser) writes, and
// the conversation appears in the inbox without a reload (the delivery time is measured in the
// pages and printed); the owner pauses the AI, sees the visitor typing, types and replies; the
// visitor sees the reply live while the AI stays silent; close and reopen; sign out.
// The demo website is shared with other tests running at the same time: this file only changes
// its own conversation and finds it by unique texts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type Browser } from './support/chromium.ts';
import { type BackofficePage, openBackoffice, screenshot, signIn, signInMember, type Member, eventually } from './support/backoffice.ts';
import { openWidgetPage, type WidgetPage } from './support/widget.ts';

const stack = inject('stack');
const { websiteId, siteUrl, ownerEmail, ownerPassword } = stack.demo;

let owner: BackofficePage;
let visitorBrowser: Browser;
let visitor: WidgetPage;
let api: Member;
const tag = randomUUID().slice(0, 8);
const delivery: Array<{ what: string; ms: number }> = [];

beforeAll(async () => {
  api = await signInMember(stack, ownerEmail, ownerPassword);
  owner = await openBackoffice(stack);
  visitorBrowser = await launchChromium({ viewport: { width: 1200, height: 860 } });
}, 60_000);

afterAll(async () => {
  if (delivery.length) {
    const sorted = delivery.map((d) => d.ms).sort((a, b) => a - b);
    console.log(`[backoffice] visitor message → backoffice, measured in the browsers: ${delivery.map((d) => `${d.what} ${d.ms.toFixed(0)} ms`).join(', ')}; ` +
      `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`);
  }
  await owner?.close();
  await visitorBrowser?.close();
  await api?.client.auth.signOut().catch(() => {});
});

/** Starts watching the owner's page for `text` under `selector`; resolves with the wall-clock time it appeared. */
async function watchFor(selector: string, text: string): Promise<() => Promise<number>> {
  const key = randomUUID();
  await owner.page.evaluate(({ key, selector, text }) => {
    const w = window as unknown as { __seen: Record<string, number> };
    w.__seen ??= {};
    const check = () => {
      if (w.__seen[key]) return;
      if ([...document.querySelectorAll(selector)].some((el) => el.textContent?.includes(text))) {
        w.__seen[key] = performance.timeOrigin + performance.now();
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    check();
  }, { key, selector, text });
  return async () => {
    const handle = await owner.page.waitForFunction((k) => (window as unknown as { __seen: Record<string, number> }).__seen[k], key, { timeout: 15_000 });
    return (await handle.jsonValue()) as number;
  };
}

/** Records when each conversation row first appears in the owner's inbox (rows shown already count as seen now). */
async function watchRows(): Promise<void> {
  await owner.page.evaluate(() => {
    const w = window as unknown as { __rows: Record<string, number> };
    w.__rows = {};
    const check = () => {
      for (const el of document.querySelectorAll<HTMLElement>('.conv-list .conv[data-conversation]')) {
        w.__rows[el.dataset.conversation!] ??= performance.timeOrigin + performance.now();
      }
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true });
    check();
  });
}

async function rowSeenAt(conversationId: string): Promise<number> {
  const handle = await owner.page.waitForFunction((id) => (window as unknown as { __rows: Record<string, number> }).__rows[id], conversationId, { timeout: 15_000 });
  return (await handle.jsonValue()) as number;
}

/** The visitor sends `text`; returns the wall-clock time the Enter key went down in the visitor's page. */
async function visitorSends(text: string): Promise<number> {
  await visitor.input.fill(text);
  await visitor.page.evaluate(() => {
    addEventListener('keydown', (e) => {
      if (e.key === 'Enter') (window as unknown as { __sentAt: number }).__sentAt = performance.timeOrigin + performance.now();
    }, { capture: true, once: true });
  });
  await visitor.input.press('Enter');
  return visitor.page.evaluate(() => (window as unknown as { __sentAt: number }).__sentAt);
}

async function assistantMessages(conversationId: string): Promise<number> {
  const { count, error } = await api.client.from('messages').select('id', { count: 'exact', head: true })
    .eq('conversation_id', conversationId).eq('sender', 'assistant');
  if (error) throw error;
  return count ?? 0;
}

describe('backoffice inbox', { timeout: 120_000 }, () => {
  let conversationId: string;

  it('signs the demo owner in, and keeps the session across a reload', async () => {
    const { page } = owner;
    await page.getByRole('heading', { name: 'Sign in to your backoffice' }).waitFor();
    await screenshot(page, 'sign-in');
    await page.getByLabel('E-mail').fill(ownerEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('Wrong e-mail or password.');
    await signIn(page, ownerEmail, ownerPassword);
    expect(await page.locator('.site-list').textContent()).toContain('Northside Cycles');
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('.account .me').textContent()).toBe(ownerEmail);
  });

  it('shows a visitor\'s new conversation in the inbox at once, without a reload', async () => {
    const { page } = owner;
    await page.goto(`${stack.demo.backofficeUrl}/#/w/${websiteId}/inbox`);
    await page.locator('.feed-status.feed-live').waitFor();
    const reloads = await page.evaluate(() => performance.getEntriesByType('navigation').length);

    visitor = await openWidgetPage(visitorBrowser.context, siteUrl);
    await visitor.ready();
    await visitor.launcher.click();
    // A question the demo knowledge answers (other tests may ask it at the same time: the row is
    // told apart by the conversation id the visitor's widget stores).
    const question = 'How much is a puncture repair?';
    await watchRows();
    const sentAt = await visitorSends(question);
    await eventually(() => visitor.conversationId(websiteId)).toMatch(/^[0-9a-f-]{36}$/);
    conversationId = (await visitor.conversationId(websiteId))!;
    delivery.push({ what: 'new conversation', ms: (await rowSeenAt(conversationId)) - sentAt });

    const row = page.locator(`.conv[data-conversation="${conversationId}"]`);
    expect(await row.locator('.conv-title').textContent()).toBe(question);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(reloads);
    await visitor.waitForAnswers(1);
    expect((await visitor.messages())[1].text).toContain('€15');
    // The AI's answer updates the row's preview live.
    await eventually(() => row.locator('.conv-preview').textContent()).toMatch(/^AI: /);
    // Its unread visitor message counts in the row and in the tab title.
    expect(Number(await row.locator('.count').textContent())).toBe(1);
    expect(await page.title()).toMatch(/^\(\d+\) Inbox · Northside Cycles · Emily$/);
  });

  it('opens the conversation: history with sources under the AI answer, visitor details, read marker', async () => {
    const { page } = owner;
    await page.locator(`.conv[data-conversation="${conversationId}"]`).click();
    const thread = page.locator('.conversation .messages');
    await eventually(() => thread.locator('.msg').count()).toBe(2);
    expect(await thread.locator('.msg-user .msg-body').textContent()).toBe('How much is a puncture repair?');
    expect(await thread.locator('.msg-assistant .msg-body').textContent()).toContain('€15');
    expect(await thread.locator('.msg-assistant .msg-author').textContent()).toBe('AI assistant');
    expect(await thread.locator('.msg-assistant .msg-sources li').count()).toBeGreaterThan(0);
    const visitorPanel = page.locator('.visitor');
    expect(await visitorPanel.textContent()).toContain('Anonymous visitor');
    expect(await visitorPanel.locator('a').first().getAttribute('href')).toBe(`${siteUrl}/`);
    // Opened and visible: the team has read it (agent_unread_count 0 in the database, badge gone).
    await eventually(async () => (await api.client.from('conversations').select('agent_unread_count').eq('id', conversationId).single()).data?.agent_unread_count).toBe(0);
    await eventually(() => page.locator(`.conv[data-conversation="${conversationId}"] .count`).count()).toBe(0);
  });

  it('pauses the AI in one click; visitor and agent see each other type; the visitor gets the reply live and no AI answer', async () => {
    const { page } = owner;
    const pause = page.getByRole('button', { name: 'Pause AI' });
    await pause.click();
    await page.getByRole('button', { name: 'Resume AI' }).waitFor();
    expect(await page.locator('.conversation-head .badges').textContent()).toContain('AI paused');
    expect((await api.client.from('conversations').select('ai_mode').eq('id', conversationId).single()).data?.ai_mode).toBe('paused');

    // The visitor types: the agent sees it.
    await visitor.input.pressSequentially('Are you th', { delay: 20 });
    await eventually(() => page.locator('.conversation .typing').textContent()).toBe('The visitor is typing…');

    // The visitor sends with the AI paused: the message arrives live, no answer is generated.
    const followUp = 'Can someone from the shop call me?';
    const seen = await watchFor('.conversation .messages .msg-user', followUp);
    const sentAt = await visitorSends(followUp);
    delivery.push({ what: 'paused conversation', ms: (await seen()) - sentAt });
    await eventually(() => page.locator('.conversation .typing').textContent()).toBe('');

    // The agent types: the visitor sees "typing…".
    const reply = page.getByLabel('Reply to the visitor');
    await reply.pressSequentially('Hi, this is the work', { delay: 20 });
    const visitorTyping = visitor.page.locator('emily-chat .typing');
    await eventually(() => visitorTyping.textContent()).toMatch(/typing/i);
    await reply.fill('Hi, this is the workshop team: yes, we will call you in ten minutes.');
    await reply.press('Enter');

    // The visitor sees the reply live; the AI said nothing after the pause.
    await eventually(async () => (await visitor.messages()).filter((m) => m.sender === 'agent').map((m) => m.text))
      .toEqual(['Hi, this is the workshop team: yes, we will call you in ten minutes.']);
    await eventually(() => visitorTyping.textContent()).toBe('');
    // (The widget adds a local notice of its own after a message the AI does not answer.)
    expect((await visitor.messages()).map((m) => m.sender).filter((s) => s !== 'system')).toEqual(['user', 'assistant', 'user', 'agent']);
    expect(await assistantMessages(conversationId)).toBe(1);
    const ownThread = page.locator('.conversation .messages .msg');
    await eventually(() => ownThread.count()).toBe(4);
    expect(await ownThread.last().locator('.msg-author').textContent()).toBe('You');
    // Shown at once as sending; sent when the insert's answer (or its realtime echo) reaches the
    // page, which on a loaded machine may come after the visitor already has the reply.
    await eventually(() => ownThread.last().getAttribute('class')).toContain('state-sent');
    await screenshot(page, 'inbox-conversation');
  });

  it('keeps delivering visitor messages to the inbox row while the AI is paused', async () => {
    for (let i = 1; i <= 4; i++) {
      const text = `Also, message ${i} (${tag})`;
      const seen = await watchFor(`.conv[data-conversation="${conversationId}"] .conv-preview`, text);
      const sentAt = await visitorSends(text);
      delivery.push({ what: `message ${i}`, ms: (await seen()) - sentAt });
    }
    expect(await assistantMessages(conversationId)).toBe(1);
  });

  it('resumes the AI, closes and reopens the conversation, filters by state', async () => {
    const { page } = owner;
    await page.getByRole('button', { name: 'Resume AI' }).click();
    await page.getByRole('button', { name: 'Pause AI' }).waitFor();
    expect((await api.client.from('conversations').select('ai_mode').eq('id', conversationId).single()).data?.ai_mode).toBe('auto');

    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    expect((await api.client.from('conversations').select('status').eq('id', conversationId).single()).data?.status).toBe('closed');
    await page.locator('.filters a', { hasText: 'Closed' }).click();
    await eventually(() => page.locator(`.conv-list .conv[data-conversation="${conversationId}"]`).count()).toBe(1);
    await page.locator('.filters a', { hasText: 'AI answering' }).click();
    await eventually(() => page.locator(`.conv-list .conv[data-conversation="${conversationId}"]`).count()).toBe(0);
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('button', { name: 'Close', exact: true }).waitFor();
    await eventually(() => page.locator(`.conv-list .conv[data-conversation="${conversationId}"]`).count()).toBe(1);

    // Search finds the conversation by the text of a message that is neither its title nor its preview.
    await page.locator('.filters a', { hasText: 'All' }).click();
    await page.getByLabel('Search conversations').fill(`message 2 (${tag}`);
    await eventually(() => page.locator('.conv-list .conv').count()).toBe(1);
    expect(await page.locator('.conv-list .conv').getAttribute('data-conversation')).toBe(conversationId);
    await page.getByLabel('Search conversations').fill(`nothing-like-this-${tag}`);
    await eventually(() => page.locator('.empty h3').first().textContent()).toContain('Nothing matches');
    expect(owner.errors).toEqual([]);
  });

  it('catches up on what it missed while its connection was down', async () => {
    const { page } = owner;
    // Lets the test cut the page's WebSockets for real and refuse new ones until it allows them
    // again (the REST API stays reachable, as when only a proxy drops long-lived connections).
    await page.addInitScript(() => {
      const sockets = new Set<WebSocket>();
      let blocked = false;
      const Native = WebSocket;
      const Tracked = function (this: unknown, url: string | URL, protocols?: string | string[]) {
        const ws = new Native(blocked ? 'ws://127.0.0.1:9/refused' : url, protocols);
        sockets.add(ws);
        ws.addEventListener('close', () => sockets.delete(ws));
        return ws;
      } as unknown as typeof WebSocket;
      Tracked.prototype = Native.prototype;
      Object.assign(Tracked, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
      window.WebSocket = Tracked;
      document.addEventListener('backoffice-test:cut', () => {
        blocked = true;
        for (const ws of sockets) ws.close(4000, 'test cuts the connection');
      });
      document.addEventListener('backoffice-test:restore', () => { blocked = false; });
    });
    await page.getByLabel('Search conversations').fill('');
    await page.reload();
    await page.locator('.feed-status.feed-live').waitFor();
    const row = page.locator(`.conv[data-conversation="${conversationId}"]`);
    await row.waitFor();

    await page.evaluate(() => document.dispatchEvent(new Event('backoffice-test:cut')));
    await page.locator('.feed-status.feed-offline').waitFor();
    const missed = `Are you still there? (${tag})`;
    await visitorSends(missed);
    await eventually(async () => (await api.client.from('messages').select('id').eq('conversation_id', conversationId).eq('content', missed)).data?.length).toBe(1);
    await page.waitForTimeout(500);
    expect(await page.locator('.conversation .messages').textContent()).not.toContain(missed);
    expect(await page.locator('.feed-status').textContent()).toBe('Offline, reconnecting…');

    await page.evaluate(() => document.dispatchEvent(new Event('backoffice-test:restore')));
    await page.locator('.feed-status.feed-live').waitFor({ timeout: 30_000 });
    // The open conversation caught up, each message once; the row shows what the database has
    // (the AI, answering again, may have replied meanwhile).
    await eventually(async () => (await page.locator('.conversation .messages .msg-user .msg-body').allTextContents()).filter((b) => b === missed).length, 30_000).toBe(1);
    const preview = async () => (await api.client.from('conversations').select('last_message_preview').eq('id', conversationId).single()).data?.last_message_preview;
    await eventually(async () => (await row.locator('.conv-preview').textContent())?.endsWith((await preview()) ?? '?')).toBe(true);
  });

  it('signs out', async () => {
    const { page } = owner;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to your backoffice' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to your backoffice' }).waitFor();
  });
});
