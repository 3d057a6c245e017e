// Knowledge and analytics in the backoffice, on a website of a new owner (nothing shared is
// changed), in real Chromium against the shared stack: the inbox's unread count in the tab title
// and a desktop notification; a web page, a Q&A pair and a file added through the `knowledge`
// function with the progress shown live from the website topic (no polling); the next answer a
// visitor gets uses the new source; "try a question" shows the answer and its passages; re-read and
// delete; the analytics charts for the conversation that just happened.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type Browser } from './support/chromium.ts';
import { type BackofficePage, createWebsite, type Member, openBackoffice, screenshot, signIn, signUpMember, eventually } from './support/backoffice.ts';
import { serveTestSite, type TestSite } from './support/pages.ts';
import { embedPage, openWidgetPage, type WidgetPage } from './support/widget.ts';

const stack = inject('stack');
const QUESTION = 'What is the loyalty code of the workshop?';
const CODE = 'PELICAN-42';
/** How long the page the knowledge function reads takes to answer: long enough to see the progress bar. */
const SLOW_PAGE_MS = 2000;

let owner: Member;
let websiteId: string;
let backoffice: BackofficePage;
let shop: TestSite;
let visitorBrowser: Browser;
let visitor: WidgetPage;
let pageServer: Server;
let pageUrl: string;

beforeAll(async () => {
  owner = await signUpMember(stack, 'knowledge-owner');
  websiteId = await createWebsite(owner, { name: 'Zorblax Bikes' });
  shop = await serveTestSite({
    '/': { html: embedPage({ widgetUrl: `${stack.apiUrl}/widget`, config: { websiteId, supabaseUrl: stack.apiUrl, anonKey: stack.anonKey } }) },
  });
  // The "web page" the owner adds: answers slowly, like a real site far away.
  pageServer = createServer((req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Loyalty programme</title></head><body><main><h1>Loyalty programme</h1>
        <p>The loyalty code of the workshop is ${CODE}. Show the loyalty code at the till to get 10% off any repair.</p></main></body></html>`);
    }, req.url === '/loyalty' ? SLOW_PAGE_MS : 0);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  const address = pageServer.address();
  pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/loyalty`;

  backoffice = await openBackoffice(stack);
  await backoffice.browser.context.grantPermissions(['notifications'], { origin: stack.demo.backofficeUrl });
  // Records the desktop notifications the page creates (the real Notification API underneath).
  await backoffice.page.addInitScript(() => {
    const Native = window.Notification;
    const shown: string[] = [];
    (window as unknown as { __notifications: string[] }).__notifications = shown;
    class Recorded extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(`${title}: ${options?.body ?? ''}`);
      }
    }
    window.Notification = Recorded as typeof Notification;
  });
  await backoffice.page.reload();
  await signIn(backoffice.page, owner.email, owner.password);
  visitorBrowser = await launchChromium({ viewport: { width: 1200, height: 860 } });
}, 60_000);

afterAll(async () => {
  await backoffice?.close();
  await visitorBrowser?.close();
  await shop?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await owner?.client.auth.signOut().catch(() => {});
});

async function lastAnswer(): Promise<string> {
  const answers = (await visitor.messages()).filter((m) => m.sender === 'assistant');
  return answers.at(-1)?.text ?? '';
}

describe('backoffice knowledge and analytics', { timeout: 120_000 }, () => {
  it('counts the unread visitor message in the tab title and shows a desktop notification', async () => {
    const { page } = backoffice;
    await page.goto(`${stack.demo.backofficeUrl}/#/w/${websiteId}/inbox`);
    await page.locator('.feed-status.feed-live').waitFor();
    expect(await page.title()).toBe('Inbox · Zorblax Bikes · Emily');
    await page.getByRole('button', { name: 'Turn on desktop notifications' }).click();
    await page.getByRole('button', { name: 'Desktop notifications: on' }).waitFor();

    visitor = await openWidgetPage(visitorBrowser.context, shop.origin);
    await visitor.ready();
    await visitor.launcher.click();
    await visitor.send(QUESTION);
    await visitor.waitForAnswers(1);
    expect(await lastAnswer()).not.toContain(CODE);

    await eventually(() => page.title()).toBe('(1) Inbox · Zorblax Bikes · Emily');
    expect(await page.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications))
      .toEqual([`New message on Zorblax Bikes: ${QUESTION}`]);
    expect(await page.locator('.sidenav .count').textContent()).toBe('1');
  });

  it('adds a web page with a live progress bar, and the next answer uses it', async () => {
    const { page } = backoffice;
    await page.locator('.sidenav a', { hasText: 'Knowledge' }).click();
    await page.getByRole('heading', { name: 'Knowledge', exact: true }).waitFor();
    expect(await page.locator('.empty h3').textContent()).toBe('Nothing yet');
    // The unread count stays in the title on every page of the website.
    expect(await page.title()).toBe('(1) Knowledge · Zorblax Bikes · Emily');

    const reads: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/rest/v1/knowledge_sources')) reads.push(r.url()); });
    await page.getByRole('button', { name: 'Web page' }).click();
    await page.getByLabel('Address of the page').fill(pageUrl);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Added. It is being read now').waitFor();
    const row = page.locator('.source').first();
    // While the page is being fetched: a progress bar with its value, then the passages.
    await row.getByRole('progressbar').waitFor();
    expect(Number(await row.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeLessThan(100);
    await screenshot(page, 'knowledge-reading');
    await eventually(() => row.getAttribute('data-status'), 20_000).toBe('ready');
    expect(await row.textContent()).toContain('1 passage');
    expect(await row.locator('.source-title strong').textContent()).toBe('Loyalty programme');
    // Progress and the final state came over the website topic: the only read was the one right after adding.
    expect(reads).toHaveLength(1);

    await visitor.send(QUESTION);
    await visitor.waitForAnswers(2);
    expect(await lastAnswer()).toContain(CODE);
  });

  it('adds a Q&A pair and a file, tries a question, re-reads and deletes sources', async () => {
    const { page } = backoffice;
    await page.getByRole('button', { name: 'Question & answer' }).click();
    await page.getByLabel('Question', { exact: true }).first().fill('Do you sell helmets?');
    await page.getByLabel('Answer').fill('Yes: helmets from 39 euros, fitted for free.');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Added. It is being read now').waitFor();

    await page.getByRole('button', { name: 'File' }).click();
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'rentals.txt', mimeType: 'text/plain', buffer: Buffer.from('Cargo bike rental costs 45 euros per day, with a rain cover.') });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Added. It is being read now').waitFor();
    await eventually(() => page.locator('.source[data-status="ready"]').count(), 20_000).toBe(3);
    expect(await page.locator('#sources-heading').textContent()).toContain('3 sources, 3 passages');

    // An empty form says what is missing.
    await page.getByRole('button', { name: 'Text', exact: true }).click();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await page.locator('.add-source .notice-error').textContent()).toBe('Write or paste the text the assistant should know.');

    await page.getByLabel('Question', { exact: true }).last().fill('How much is a cargo bike for a day?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const result = page.locator('.try-result');
    await result.waitFor();
    expect(await result.locator('.answer').textContent()).toContain('45 euros');
    // The shared test stack has no model key: the panel says the offline engine quoted the sources.
    expect(await result.locator('.engine').textContent()).toMatch(/^Offline engine: no language model is configured/);
    expect(await result.locator('.passages li').first().textContent()).toContain('rentals.txt');
    await screenshot(page, 'knowledge', true);

    // Re-read the web page: it goes through ingestion again and ends ready.
    const web = page.locator('.source', { hasText: 'Loyalty programme' });
    await web.getByRole('button', { name: 'Re-read' }).click();
    await eventually(() => web.getAttribute('data-status')).not.toBe('ready');
    await eventually(() => web.getAttribute('data-status'), 20_000).toBe('ready');

    // Delete the Q&A pair (asked twice).
    const faq = page.locator('.source', { hasText: 'Do you sell helmets?' });
    await faq.getByRole('button', { name: 'Delete' }).click();
    await faq.getByRole('button', { name: 'Delete' }).click();
    await eventually(() => faq.count()).toBe(0);
    const { data } = await owner.client.from('knowledge_sources').select('title').eq('website_id', websiteId);
    expect(data!.map((r) => r.title).sort()).toEqual(['Loyalty programme', 'rentals.txt']);
    expect(backoffice.errors).toEqual([]);
  });

  it('charts the website\'s conversations, messages and first-response time', async () => {
    const { page } = backoffice;
    await page.locator('.sidenav a', { hasText: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Analytics', exact: true }).waitFor();
    await page.locator('.stats').waitFor();
    const stat = (label: string) => page.locator('.stat', { hasText: label }).locator('.stat-value').textContent();
    expect(await stat('conversations')).toBe('1');
    expect(await stat('answered by the AI alone')).toBe('100%');
    expect(await stat('median first response')).toMatch(/^\d+(\.\d)? s$/);
    // uPlot (loaded on demand) draws the four charts.
    await eventually(() => page.locator('.chart-box canvas').count()).toBe(4);
    const { data } = await owner.client.rpc('website_analytics', { site_id: websiteId, days: 30 });
    expect(data.totals).toMatchObject({ conversations: 1, user_messages: 2, assistant_messages: 2, agent_messages: 0, ai_only: 1 });
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await eventually(() => page.locator('.chart-table tbody').first().locator('tr').count()).toBe(7);
    await screenshot(page, 'analytics', true);
  });
});
