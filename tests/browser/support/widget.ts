// Driving the embedded chat widget in Chromium: its shadow root is open, so Playwright's CSS
// locators reach inside it. Also records what a page should never see: uncaught errors, CSP
// violations, dialogs (an executed XSS payload would open one).
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * expect.poll with room for a loaded machine (a Deno function's cold start, tests running in
 * parallel): vitest's default gives up after one second.
 */
export function eventually<T>(read: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(read, { timeout, interval: 100 });
}

export interface WidgetMessage {
  sender: string;
  state: string;
  text: string;
}

export interface WidgetPage {
  page: Page;
  /** Console errors about the Content-Security-Policy and uncaught page errors. */
  problems: string[];
  /** alert()/confirm()/prompt() the page opened. */
  dialogs: string[];
  launcher: Locator;
  panel: Locator;
  input: Locator;
  /** The messages in the open conversation (the welcome message excluded), in display order. */
  messages(): Promise<WidgetMessage[]>;
  send(text: string): Promise<void>;
  /** Waits until `count` AI answers are complete. */
  waitForAnswers(count: number, timeoutMs?: number): Promise<void>;
  /** The conversation the widget has open, from its per-website state in localStorage. */
  conversationId(websiteId: string): Promise<string | null>;
  /** Waits until the launcher is shown and the chat app has loaded (the JS API's `ready`). */
  ready(): Promise<void>;
  /** Waits until the conversation's channel is joined and no HTTP request has been in flight for 500 ms. */
  settled(conversationId: string): Promise<void>;
}

/** Closes every WebSocket of the page on the DOM event `emily-test:drop-sockets` (a real disconnect). */
const SOCKET_DROPPER = `(() => {
  const sockets = new Set();
  const Native = WebSocket;
  function Tracked(...args) { const ws = new Native(...args); sockets.add(ws); ws.addEventListener('close', () => sockets.delete(ws)); return ws; }
  Tracked.prototype = Native.prototype;
  Object.assign(Tracked, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Tracked;
  document.addEventListener('emily-test:drop-sockets', () => { for (const ws of sockets) ws.close(4000, 'test drops the connection'); });
})();`;

export async function openWidgetPage(
  context: BrowserContext,
  url: string,
  opts: { dropSockets?: boolean; beforeGoto?: (page: Page) => void | Promise<void> } = {},
): Promise<WidgetPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy|Refused to/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  if (opts.dropSockets) await page.addInitScript(SOCKET_DROPPER);
  const frames: string[] = [];
  let inFlight = 0;
  let lastActivity = Date.now();
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  page.on('request', () => {
    inFlight++;
    lastActivity = Date.now();
  });
  const finished = () => {
    inFlight--;
    lastActivity = Date.now();
  };
  page.on('requestfinished', finished);
  page.on('requestfailed', finished);
  await opts.beforeGoto?.(page);
  await page.goto(url);
  const host = page.locator('emily-chat');
  const widget: WidgetPage = {
    page,
    problems,
    dialogs,
    launcher: host.locator('button.launcher'),
    panel: host.locator('.panel'),
    input: host.locator('.composer textarea'),
    messages: () =>
      page.evaluate(() => {
        const root = document.querySelector('emily-chat')?.shadowRoot;
        if (!root) return [];
        return [...root.querySelectorAll('.log .msg')]
          .filter((el) => !el.classList.contains('welcome'))
          .map((el) => ({
            sender: ['user', 'assistant', 'agent', 'system'].find((s) => el.classList.contains(s)) ?? '?',
            state: ['sending', 'failed', 'streaming', 'sent'].find((s) => el.classList.contains(s)) ?? '?',
            text: el.querySelector('.bubble')?.textContent ?? '',
          }));
      }),
    async send(text) {
      await widget.input.fill(text);
      await widget.input.press('Enter');
    },
    async waitForAnswers(count, timeoutMs = 30_000) {
      await page.waitForFunction(
        (n) => {
          const root = document.querySelector('emily-chat')?.shadowRoot;
          return !!root && root.querySelectorAll('.log .msg.assistant.sent').length >= n && !root.querySelector('.log .msg.streaming');
        },
        count,
        { timeout: timeoutMs },
      );
    },
    async settled(conversationId) {
      const joined = `"realtime:conversation:${conversationId}","phx_reply",{"status":"ok"`;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(frames.some((f) => f.includes(joined)) && inFlight <= 0 && Date.now() - lastActivity > 500)) {
        await page.waitForTimeout(100);
      }
      expect(frames.some((f) => f.includes(joined)), 'the conversation channel was joined').toBe(true);
    },
    async ready() {
      await page.waitForFunction(() => {
        const launcher = document.querySelector('emily-chat')?.shadowRoot?.querySelector('.launcher');
        return !!launcher && getComputedStyle(launcher).visibility === 'visible';
      });
      // The app announces itself with the JS API's `ready` (it builds its panel only when opened).
      await page.evaluate(() => new Promise<void>((resolve) => (window as unknown as { EmilyChat: { on(e: string, f: () => void): void } }).EmilyChat.on('ready', resolve)));
    },
    conversationId: (websiteId) =>
      page.evaluate((id) => JSON.parse(localStorage.getItem(`emily:${id}:state`) ?? 'null')?.conversation_id ?? null, websiteId),
  };
  return widget;
}

/** The embed snippet of contract §2 as a page, with optional extra head/body markup. */
export function embedPage(opts: {
  widgetUrl: string;
  config: Record<string, unknown>;
  head?: string;
  body?: string;
  /** Extra script run right after the loader (the loader is then loaded synchronously). */
  after?: string;
  nonce?: string;
}): string {
  const nonce = opts.nonce ? ` nonce="${opts.nonce}"` : '';
  const loader = opts.after
    ? `<script src="${opts.widgetUrl}/emily-loader.js"></script><script${nonce}>${opts.after}</script>`
    : `<script src="${opts.widgetUrl}/emily-loader.js" async></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test shop</title>${opts.head ?? ''}</head>
<body>${opts.body ?? '<main><h1>Test shop</h1><p>Content.</p></main>'}
<script${nonce}>window.EmilyChat = ${JSON.stringify(opts.config)};</script>
${loader}</body></html>`;
}
