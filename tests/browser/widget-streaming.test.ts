// Streaming and failure paths of the widget in real Chromium, on a private stack whose Edge
// Functions use the OpenAI-compatible engine pointed at a FAKE OpenAI server on loopback
// (tests/support/fake-openai.ts: not a model; it streams a canned answer quoting passage [1], a
// token every 100 ms on `#slow`, and dies mid-answer on `#fail-mid`). Everything of ours is real.
// A loopback proxy that cuts a connection after the server received the request stands in for a
// bad mobile network in the retry test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/stack.ts';
import { type FakeOpenAi, FAKE_MODEL, startFakeOpenAi } from '../support/fake-openai.ts';
import { startTestStack } from '../support/stack.ts';
import { closeDb, db, knowledge, member, type StackInfo, website } from '../integration/widget-api.support.ts';
import { launchChromium, type Browser } from './support/chromium.ts';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-proxy.ts';
import { serveTestSite, type TestSite } from './support/pages.ts';
import { embedPage, eventually, openWidgetPage, type WidgetPage } from './support/widget.ts';

let fake: FakeOpenAi;
let running: RunningStack;
let stack: StackInfo;
let siteId: string;
let pages: TestSite;
let proxy: FlakyProxy;
let browser: Browser | undefined;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  fake.behave('slow', { slowMs: 100 });
  running = await startTestStack(
    {
      functions: {
        passEnv: [],
        env: { OPENAI_API_KEY: 'sk-fake-test-key', OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: FAKE_MODEL, EMILY_AI_IDLE_TIMEOUT_MS: '3000' },
      },
    },
    { noStatic: true },
  );
  stack = running.info;
  const owner = await member(stack);
  siteId = await website(stack, owner, { name: 'Test Cycles' });
  await db(stack).query(`update public.websites set primary_color = '#7c3aed', welcome_message = 'Hello from Test Cycles' where id = $1`, [siteId]);
  await knowledge(stack, siteId, [
    { title: 'Repairs', url: 'https://test-cycles.example/repairs', content: 'A puncture repair costs 12 euros and is done while you wait. Wheels are trued for 20 euros.' },
  ]);
  pages = await serveTestSite();
  proxy = await startFlakyProxy(stack.apiUrl);
  const embed = (supabaseUrl: string) => embedPage({ widgetUrl: `${stack.apiUrl}/widget`, config: { websiteId: siteId, supabaseUrl, anonKey: stack.anonKey } });
  pages.set('/', { html: embed(stack.apiUrl) });
  pages.set('/flaky', { html: embed(proxy.url) });
}, 120_000);

afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

afterAll(async () => {
  await proxy?.close();
  await pages?.close();
  await closeDb(stack);
  await running?.stop();
  await fake?.close();
});

async function open(path: string): Promise<WidgetPage> {
  browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
  const w = await openWidgetPage(browser.context, pages.origin + path);
  await w.ready();
  await w.launcher.click();
  await w.input.waitFor({ state: 'visible' });
  return w;
}

/** Records, on each change of the log, what the AI bubble shows: thinking dots or its text so far. */
async function watchAnswer(w: WidgetPage): Promise<() => Promise<string[]>> {
  await w.page.evaluate(() => {
    const root = document.querySelector('emily-chat')!.shadowRoot!;
    const seen: string[] = [];
    const record = () => {
      const bubble = root.querySelector('.log .msg.assistant:not(.welcome)');
      if (!bubble) return;
      const state = bubble.querySelector('.dots') ? 'thinking' : `${bubble.classList.contains('streaming') ? 'streaming' : 'done'}:${bubble.querySelector('.bubble')!.textContent}`;
      if (seen[seen.length - 1] !== state) seen.push(state);
      document.documentElement.dataset.answerStates = JSON.stringify(seen);
    };
    new MutationObserver(record).observe(root.querySelector('.log')!, { subtree: true, childList: true, characterData: true });
  });
  return async () => JSON.parse((await w.page.evaluate(() => document.documentElement.dataset.answerStates)) ?? '[]');
}

describe('widget streaming (fake OpenAI-compatible provider)', { timeout: 90_000 }, () => {
  it('shows "thinking" until the first token, then the answer as it arrives, then the stored answer once with sources', async () => {
    const w = await open('/');
    const states = await watchAnswer(w);
    await w.send('How much is a puncture repair? #slow');
    await w.waitForAnswers(1);
    const seen = await states();
    expect(seen[0]).toBe('thinking');
    const streaming = seen.filter((s) => s.startsWith('streaming:'));
    // Several growing partial texts: streamed, not buffered.
    expect(streaming.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < streaming.length; i++) expect(streaming[i].length).toBeGreaterThan(streaming[i - 1].length);
    const final = seen[seen.length - 1];
    expect(final).toMatch(/^done:According to the site, A puncture repair costs 12 euros/);
    expect(await w.panel.locator('.msg.assistant .sources a').getAttribute('href')).toBe('https://test-cycles.example/repairs');
    // The stored answer also comes by realtime and by catch-up: still one.
    await w.page.waitForTimeout(1500);
    expect((await w.messages()).map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'sent']]);
  });

  it('says so when the answer breaks off, and keeps the visitor message', async () => {
    const w = await open('/');
    await w.send('Can you true my wheel? #fail-mid');
    await eventually(async () => (await w.messages()).map((m) => m.sender), 15_000).toEqual(['user', 'system']);
    const [visitor, notice] = await w.messages();
    expect(visitor).toEqual({ sender: 'user', state: 'sent', text: 'Can you true my wheel? #fail-mid' });
    expect(notice.text).toBe('The assistant could not answer. A team member will follow up.');
    expect(await w.panel.locator('.msg.streaming').count()).toBe(0);
  });

  it('retries a send whose answer was lost with the same client_id: one message stored, one answer shown', async () => {
    const w = await open('/flaky');
    const sends = () => proxy.log.filter((l) => l.startsWith('POST /functions/v1/widget-messages')).length;
    const before = sends();
    proxy.cutAfterForwarding((req) => req.method === 'POST' && (req.url ?? '').startsWith('/functions/v1/widget-messages'));
    await w.send('Is a puncture repair done while I wait?');
    await w.waitForAnswers(1, 30_000);
    expect(sends() - before).toBe(2);
    const conversation = await w.conversationId(siteId);
    const { rows } = await db(stack).query(
      `select sender, client_id from public.messages where conversation_id = $1 order by created_at`,
      [conversation],
    );
    expect(rows.map((r) => r.sender)).toEqual(['user', 'assistant']);
    await w.page.waitForTimeout(1000);
    expect((await w.messages()).map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'sent']]);
  });

  it('a retry whose first attempt is still answering (in_progress): no error, thinking until the stored answer arrives', async () => {
    // Tokens a second apart: the first attempt takes ~20 s, longer than the retry's 10 s wait for it.
    fake.behave('slow', { slowMs: 1200 });
    try {
      const w = await open('/flaky');
      const streams: string[] = [];
      w.page.on('requestfinished', async (req) => {
        if (req.url().includes('/functions/v1/widget-messages')) streams.push((await (await req.response())?.text()) ?? '');
      });
      // What the log shows on each change: the AI bubble (none, thinking, or its text) and any notice.
      await w.page.evaluate(() => {
        const root = document.querySelector('emily-chat')!.shadowRoot!;
        const seen: string[] = [];
        const record = () => {
          const bubble = root.querySelector('.log .msg.assistant:not(.welcome)');
          const notice = root.querySelector('.log .msg.system');
          const state = notice ? `notice:${notice.textContent}` : !bubble ? 'none' : bubble.querySelector('.dots') ? 'thinking' : `answer:${bubble.querySelector('.bubble')!.textContent}`;
          if (seen[seen.length - 1] !== state) seen.push(state);
          document.documentElement.dataset.logStates = JSON.stringify(seen);
        };
        record();
        new MutationObserver(record).observe(root.querySelector('.log')!, { subtree: true, childList: true, characterData: true });
      });
      proxy.cutAfterForwarding((req) => req.method === 'POST' && (req.url ?? '').startsWith('/functions/v1/widget-messages'));
      await w.send('Is a puncture repair expensive?');
      // The retry's stream ends with in_progress while the first attempt is still answering…
      await eventually(() => streams.find((body) => body.includes('event: error')), 30_000).toContain('"code":"in_progress"');
      // …and the widget keeps thinking instead of saying the assistant could not answer.
      expect((await w.messages()).map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'streaming']]);
      // The first attempt stores its answer: it replaces the thinking bubble, once.
      await w.waitForAnswers(1, 30_000);
      const states: string[] = JSON.parse((await w.page.evaluate(() => document.documentElement.dataset.logStates)) ?? '[]');
      expect(states.slice(0, 2)).toEqual(['none', 'thinking']);
      expect(states.slice(2)).toEqual([expect.stringMatching(/^answer:According to the site, A puncture repair costs 12 euros/)]);
      const { rows } = await db(stack).query(
        `select sender from public.messages where conversation_id = $1 order by created_at`,
        [await w.conversationId(siteId)],
      );
      expect(rows.map((r) => r.sender)).toEqual(['user', 'assistant']);
      await w.page.waitForTimeout(1000);
      expect((await w.messages()).map((m) => [m.sender, m.state])).toEqual([['user', 'sent'], ['assistant', 'sent']]);
    } finally {
      fake.behave('slow', { slowMs: 100 });
    }
  });
});
