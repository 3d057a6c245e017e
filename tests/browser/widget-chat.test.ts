// The widget on the demo site (its own origin, the two-line embed), against the shared local stack
// with its offline answer engine: answers, history across reloads, several conversations, a team
// member's reply arriving live and after a network cut (once), unread badge and title, safe
// rendering of hostile text, keyboard use, the strict-CSP page, typing indicators both ways.
// Each test gets a fresh Chromium profile, hence a new anonymous visitor.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type Browser } from './support/chromium.ts';
import { signInMember, type TeamMember } from './support/team.ts';
import { eventually, openWidgetPage, type WidgetPage } from './support/widget.ts';

const stack = inject('stack');
const { websiteId, siteUrl, ownerEmail, ownerPassword } = stack.demo;

let team: TeamMember;
let browser: Browser | undefined;

beforeAll(async () => {
  team = await signInMember(stack, ownerEmail, ownerPassword);
});
afterAll(async () => {
  await team?.close();
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function demo(path = '/', opts: { dropSockets?: boolean } = {}): Promise<WidgetPage> {
  browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
  const w = await openWidgetPage(browser.context, siteUrl + path, opts);
  await w.ready();
  return w;
}

/** Opens the chat, asks, and waits for the AI's answer; returns the conversation id. */
async function askFirst(w: WidgetPage, question: string): Promise<string> {
  if (!(await w.panel.isVisible())) await w.launcher.click();
  await w.send(question);
  await w.waitForAnswers(1);
  const id = await w.conversationId(websiteId);
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

const texts = (messages: Array<{ sender: string; text: string }>) => messages.map((m) => `${m.sender}: ${m.text}`);

describe('widget on the demo site', { timeout: 90_000 }, () => {
  it('answers the first message with sources, keeps the history across a reload, each message once', async () => {
    const w = await demo();
    await askFirst(w, 'How much is a puncture repair?');
    const before = await w.messages();
    expect(before.map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'sent']]);
    expect(before[1].text).toContain('€15');
    const sources = await w.panel.locator('.msg.assistant .sources li').allTextContents();
    expect(sources.length).toBeGreaterThan(0);
    // The answer is announced once, whole, to screen readers.
    expect(await w.panel.locator('.sr[aria-live]').textContent()).toContain('€15');

    await w.page.reload();
    await w.ready();
    await w.launcher.click();
    await eventually(async () => texts(await w.messages())).toEqual(texts(before));
    // Settled: nothing arrives twice later (realtime join + catch-up + history all ran).
    await w.page.waitForTimeout(1500);
    expect(texts(await w.messages())).toEqual(texts(before));
    expect(w.problems).toEqual([]);
  });

  it('after a reload, the chat opened while the catch-up is still reading shows the whole history too', async () => {
    const w = await demo();
    await askFirst(w, 'How much is a puncture repair?');
    const before = await w.messages();
    expect(before.map((m) => m.sender)).toEqual(['user', 'assistant']);

    // The real catch-up request (after the saved cursor: the answer) is held at the browser's edge
    // until the visitor has opened the chat, as a loaded server or a slow network does. The history
    // read the opening asks for must still run (it was dropped: only the visitor's message showed).
    let caughtUp!: () => void;
    const held = new Promise<void>((resolve) => (caughtUp = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await w.page.route(
      (url) => url.pathname.endsWith('/messages') && url.searchParams.has('after'),
      async (route) => {
        caughtUp();
        await gate;
        await route.continue();
      },
    );
    await w.page.reload();
    await w.ready();
    await held;
    await w.launcher.click();
    release();
    await eventually(async () => texts(await w.messages())).toEqual(texts(before));
    expect(w.problems).toEqual([]);
  });

  it('after a reload, reads the history again when the first read of it fails on the way', async () => {
    const w = await demo();
    await askFirst(w, 'How much is a puncture repair?');
    const before = await w.messages();
    expect(before.map((m) => m.sender)).toEqual(['user', 'assistant']);

    // The first whole-history read after the reload dies on the network (a reset connection); the
    // answer, the saved cursor, comes back with no catch-up, only with a whole history.
    let failed = 0;
    await w.page.route(
      (url) => url.pathname.endsWith('/messages') && !url.searchParams.has('after'),
      (route) => (failed++ ? route.continue() : route.abort('connectionreset')),
    );
    await w.page.reload();
    await w.ready();
    await w.launcher.click();
    await eventually(async () => texts(await w.messages())).toEqual(texts(before));
    expect(failed).toBe(2);
  });

  it('starts a second conversation and lists both', async () => {
    const w = await demo();
    const first = await askFirst(w, 'When are you open on Saturday?');
    await w.panel.locator('.head .new').click();
    expect(await w.messages()).toEqual([]);
    expect(await w.panel.locator('.log .welcome').count()).toBe(1);
    await w.send('Do you rent city bikes?');
    await w.waitForAnswers(1);
    const second = await w.conversationId(websiteId);
    expect(second).not.toBe(first);

    await w.panel.locator('.head .back').click();
    const items = w.panel.locator('.list .conv');
    await eventually(() => items.count()).toBe(2);
    expect(await items.first().textContent()).toContain('Do you rent city bikes?');
    await items.nth(1).click();
    await eventually(async () => (await w.messages())[0]?.text).toBe('When are you open on Saturday?');
    expect(await w.conversationId(websiteId)).toBe(first);
  });

  it('shows a team reply stored through REST without a reload, once, with unread badge and title while closed', async () => {
    const w = await demo();
    await w.page.evaluate(() => {
      const html = document.documentElement;
      const api = (window as unknown as { EmilyChat: { on(e: string, f: (d: unknown) => void): void } }).EmilyChat;
      api.on('unread', (d) => {
        html.dataset.unread = String((d as { count: number }).count);
      });
      api.on('message', (d) => {
        html.dataset.messages = `${html.dataset.messages ?? ''}${(d as { sender: string }).sender} `;
      });
    });
    const conversation = await askFirst(w, 'Can I book a full service?');
    await w.settled(conversation);
    await w.panel.locator('.head .close').click();
    const title = await w.page.title();

    await team.reply(conversation, websiteId, 'Hi, this is Sam from the workshop: yes, **tomorrow at 10** works.');
    await eventually(() => w.launcher.locator('.badge').textContent()).toBe('1');
    expect(await w.page.title()).toBe(`(1) ${title}`);
    expect(await w.page.evaluate(() => document.documentElement.dataset.unread)).toBe('1');
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat (1 new)');

    await w.launcher.click();
    await eventually(() => w.page.title()).toBe(title);
    expect(await w.launcher.locator('.badge').textContent()).toBe('');
    const agent = (await w.messages()).filter((m) => m.sender === 'agent');
    expect(agent).toEqual([{ sender: 'agent', state: 'sent', text: 'Hi, this is Sam from the workshop: yes, tomorrow at 10 works.' }]);
    expect(await w.panel.locator('.msg.agent .who').first().textContent()).toBe('Northside Cycles');
    // The host page heard of each new message once: the visitor's, the AI's, the team's.
    expect(await w.page.evaluate(() => document.documentElement.dataset.messages)).toBe('user assistant agent ');
  });

  it('marks the visitor message "Seen" when the team reads the conversation, live and after a reload', async () => {
    const w = await demo();
    const conversation = await askFirst(w, 'Is my bike ready?');
    await w.send('It is the blue one.');
    await w.waitForAnswers(2);
    const seen = w.panel.locator('.msg.user .seen');
    expect(await seen.count()).toBe(0);
    const { error } = await team.client.rpc('mark_conversation_read', { conv_id: conversation });
    expect(error).toBeNull();
    // Only under the last visitor message the team has read.
    await eventually(() => seen.count()).toBe(1);
    expect(await w.panel.locator('.msg.user').last().locator('.seen').textContent()).toBe('Seen');
    await w.page.reload();
    await w.ready();
    await w.launcher.click();
    await eventually(() => w.panel.locator('.msg.user').last().locator('.seen').count()).toBe(1);
  });

  it('gets a reply sent while the page was offline once it is back, exactly once', async () => {
    const w = await demo('/', { dropSockets: true });
    const conversation = await askFirst(w, 'Do you repair e-bikes?');
    // Nothing in flight that could still bring the reply in while "offline".
    await w.settled(conversation);
    await w.page.context().setOffline(true);
    // A real disconnect: the socket closes (going offline alone would only hold its frames).
    await w.page.evaluate(() => document.dispatchEvent(new Event('emily-test:drop-sockets')));
    await team.reply(conversation, websiteId, 'Yes, we service e-bikes of every brand.');
    await w.page.waitForTimeout(1000);
    expect((await w.messages()).some((m) => m.sender === 'agent')).toBe(false);
    await eventually(() => w.panel.locator('.banner').textContent()).toContain('offline');

    await w.page.context().setOffline(false);
    await eventually(async () => (await w.messages()).filter((m) => m.sender === 'agent').length, 20_000).toBe(1);
    // The socket rejoins too (its own catch-up): still once.
    await w.page.waitForTimeout(3000);
    expect((await w.messages()).filter((m) => m.sender === 'agent').map((m) => m.text)).toEqual(['Yes, we service e-bikes of every brand.']);
    expect(await w.panel.locator('.banner').textContent()).toBe('');
  });

  it('shows XSS payloads from the visitor and from the team as text', async () => {
    const w = await demo();
    const payloads = ['<img src=x onerror=alert(1)>', '[click me](javascript:alert(2)) and <script>alert(3)</script>'];
    const conversation = await askFirst(w, payloads[0]);
    await w.send(payloads[1]);
    await w.waitForAnswers(2);
    await team.reply(conversation, websiteId, '<svg/onload=alert(4)> <iframe src="javascript:alert(5)"></iframe> [safe](https://example.com/help)');
    await eventually(async () => (await w.messages()).filter((m) => m.sender === 'agent').length).toBe(1);
    const texts = (await w.messages()).map((m) => m.text);
    expect(texts).toContain(payloads[0]);
    expect(texts).toContain('[click me](javascript:alert(2)) and <script>alert(3)</script>');
    const inLog = await w.page.evaluate(() => {
      const log = document.querySelector('emily-chat')!.shadowRoot!.querySelector('.log')!;
      return {
        dangerous: log.querySelectorAll('img, script, svg:not([aria-hidden]), iframe').length,
        links: [...log.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), rel: a.rel, target: a.target })),
      };
    });
    expect(inLog.dangerous).toBe(0);
    expect(inLog.links.filter((l) => !l.href?.startsWith('https://'))).toEqual([]);
    expect(inLog.links).toContainEqual({ href: 'https://example.com/help', rel: 'noopener noreferrer nofollow', target: '_blank' });
    expect(w.dialogs).toEqual([]);
  });

  it('works with the keyboard alone: Enter opens, focus moves in, Esc closes and returns focus to the launcher', async () => {
    const w = await demo();
    await w.launcher.focus();
    await w.page.keyboard.press('Enter');
    await eventually(() => w.page.evaluate(() => document.querySelector('emily-chat')!.shadowRoot!.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await w.launcher.getAttribute('aria-label')).toBe('Close chat');
    await w.page.keyboard.type('Where is the shop?');
    await w.page.keyboard.press('Enter');
    await w.waitForAnswers(1);
    // Every control in the panel has an accessible name.
    const unnamed = await w.page.evaluate(() =>
      [...document.querySelector('emily-chat')!.shadowRoot!.querySelectorAll('button, textarea')]
        .filter((el) => !(el as HTMLElement).hidden && !el.getAttribute('aria-label') && !el.textContent?.trim()).length,
    );
    expect(unnamed).toBe(0);
    await w.page.keyboard.press('Escape');
    await eventually(() => w.panel.isVisible()).toBe(false);
    expect(await w.page.evaluate(() => document.querySelector('emily-chat')!.shadowRoot!.activeElement?.className)).toContain('launcher');
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('false');
  });

  it('works on the demo page under a strict Content-Security-Policy', async () => {
    const w = await demo('/strict-csp.html');
    await askFirst(w, 'How much does a wheel truing cost?');
    expect((await w.messages()).map((m) => m.sender)).toEqual(['user', 'assistant']);
    expect(w.problems).toEqual([]);
  });

  it("shows the team's typing (which always expires) and tells the team when the visitor types", async () => {
    const w = await demo();
    const conversation = await askFirst(w, 'Do you sell helmets?');
    await w.settled(conversation);
    const live = await team.live(conversation);
    try {
      const typingLine = w.panel.locator('.typing');
      await live.typing(true);
      await eventually(() => typingLine.textContent()).toBe('Northside Cycles is typing…');
      // No further typing event: it stays a while, then goes away by itself.
      await w.page.waitForTimeout(2500);
      expect(await typingLine.textContent()).toBe('Northside Cycles is typing…');
      await eventually(() => typingLine.textContent(), 9000).toBe('');
      await live.typing(true);
      await eventually(() => typingLine.textContent()).toBe('Northside Cycles is typing…');
      await live.typing(false);
      await eventually(() => typingLine.textContent()).toBe('');

      await w.input.pressSequentially('Hel', { delay: 30 });
      await eventually(() => live.heard.some((e) => e.sender === 'user' && e.typing)).toBe(true);
    } finally {
      await team.client.removeChannel(live.channel);
    }
  });

  it('after a reload with the chat closed, counts nothing the visitor had seen as unread; a new reply it does', async () => {
    const w = await demo();
    const conversation = await askFirst(w, 'Do you fit mudguards?');
    const replyId = await team.reply(conversation, websiteId, 'Yes, while you wait.');
    await eventually(async () => (await w.messages()).map((m) => m.sender)).toEqual(['user', 'assistant', 'agent']);
    // Watched while open: the team's reply is the last message seen.
    await eventually(() => w.page.evaluate((id) => JSON.parse(localStorage.getItem(`emily:${id}:state`) ?? 'null')?.seen, websiteId)).toBe(replyId);
    // The AI's answer lies in the 10 s before it, which a catch-up (?after=) returns again.
    const { data } = await team.client.from('messages').select('sender, created_at').eq('conversation_id', conversation);
    const at = (sender: string) => Date.parse(data!.find((m) => m.sender === sender)!.created_at);
    expect(at('agent') - at('assistant')).toBeLessThan(10_000);

    const caughtUp = w.page.waitForResponse((r) => r.url().includes(`/widget-conversations/${conversation}/messages?after=${replyId}`), { timeout: 30_000 });
    await w.page.reload();
    await w.ready();
    await (await caughtUp).finished();
    await w.page.waitForTimeout(1000);
    expect(await w.launcher.locator('.badge').textContent()).toBe('');
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat');

    await team.reply(conversation, websiteId, 'We close at 6 today.');
    await eventually(() => w.launcher.locator('.badge').textContent()).toBe('1');
  });
});
