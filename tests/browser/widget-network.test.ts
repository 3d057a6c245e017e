// What the widget costs the network and how it fits a phone, in real Chromium on the demo site:
// with a conversation open and nothing happening it makes no HTTP request for 30 s and keeps
// exactly one WebSocket; on a phone it fills the screen, its input does not trigger zoom, and the
// page behind does not move. The phone screenshot is kept in test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../scripts/stack/config.ts';
import { launchChromium, type Browser } from './support/chromium.ts';
import { openWidgetPage } from './support/widget.ts';

const stack = inject('stack');
const { websiteId, siteUrl } = stack.demo;
const ARTEFACTS = join(ROOT_DIR, 'test-results');

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

describe('widget network and layout', { timeout: 90_000 }, () => {
  it('makes no HTTP request during 30 s idle with a conversation open, over exactly one WebSocket', { timeout: 90_000 }, async () => {
    browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
    const sockets: string[] = [];
    const requests: string[] = [];
    const w = await openWidgetPage(browser.context, siteUrl, {
      beforeGoto: (page) => {
        page.on('websocket', (ws) => sockets.push(ws.url()));
        page.on('request', (req) => requests.push(`${req.method()} ${req.url()}`));
      },
    });
    await w.ready();
    await w.launcher.click();
    await w.send('Where can I park my bike?');
    await w.waitForAnswers(1);
    // Let the join, catch-up and read marker settle.
    await w.page.waitForTimeout(2500);
    expect(await w.conversationId(websiteId)).toBeTruthy();

    const before = requests.length;
    await w.page.waitForTimeout(30_000);
    expect(requests.slice(before)).toEqual([]);
    expect(sockets.filter((url) => url.includes('/realtime/v1/websocket'))).toHaveLength(1);
    // The chat is still live after the quiet period.
    await w.send('Thanks!');
    await w.waitForAnswers(2);
    expect(sockets).toHaveLength(1);
  });

  it('fills a phone screen, keeps the input at 16 px and leaves the page where it was', async () => {
    browser = await launchChromium({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const w = await openWidgetPage(browser.context, siteUrl);
    await w.ready();
    await w.page.evaluate(() => window.scrollTo(0, 600));
    const scrolled = await w.page.evaluate(() => window.scrollY);
    await w.launcher.tap();
    await w.input.waitFor({ state: 'visible' });
    await w.send('Do you have kids bikes?');
    await w.waitForAnswers(1);
    const layout = await w.page.evaluate(() => {
      const root = document.querySelector('emily-chat')!.shadowRoot!;
      const panel = root.querySelector('.panel')!.getBoundingClientRect();
      const input = root.querySelector('textarea')!;
      return {
        panel: [panel.left, panel.top, panel.width, panel.height],
        viewport: [window.innerWidth, window.visualViewport?.height ?? window.innerHeight],
        inputFontPx: parseFloat(getComputedStyle(input).fontSize),
        pageOverflow: document.documentElement.style.overflow,
      };
    });
    expect(layout.panel).toEqual([0, 0, layout.viewport[0], layout.viewport[1]]);
    expect(layout.inputFontPx).toBeGreaterThanOrEqual(16);
    expect(layout.pageOverflow).toBe('hidden');
    mkdirSync(ARTEFACTS, { recursive: true });
    await w.page.screenshot({ path: join(ARTEFACTS, 'widget-phone.png') });

    await w.panel.locator('.head .close').tap();
    const after = await w.page.evaluate(() => ({ y: window.scrollY, overflow: document.documentElement.style.overflow }));
    expect(after).toEqual({ y: scrolled, overflow: '' });
  });
});
