// Accounts and website settings in the backoffice, in real Chromium against the shared stack:
// sign up, create / edit / delete a website with field errors in words, the live preview running
// the real widget with unsaved settings, the embed snippet, the identity secret shown and rotated
// by its owner; a colour change reaching a customer's site on the next page load; keyboard use and
// accessible names; a widget visitor's anonymous session refused at the door.
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { launchChromium, type Browser } from './support/chromium.ts';
import { client, createWebsite, type BackofficePage, openBackoffice, screenshot, signIn, signInMember, signUpMember, eventually } from './support/backoffice.ts';
import { serveTestSite } from './support/pages.ts';
import { embedPage, openWidgetPage } from './support/widget.ts';

const stack = inject('stack');
const opened: Array<BackofficePage | Browser> = [];

afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
});

async function open(path = '/'): Promise<BackofficePage> {
  const bo = await openBackoffice(stack, path);
  opened.push(bo);
  return bo;
}

/** The launcher's background colour inside a page (or frame) that embeds the widget. */
const launcherColour = (frame: { evaluate: <T>(fn: () => T) => Promise<T> }) => frame.evaluate(() => {
  const launcher = document.querySelector('emily-chat')?.shadowRoot?.querySelector('.launcher');
  return launcher ? getComputedStyle(launcher).backgroundColor : null;
});

describe('backoffice accounts and settings', { timeout: 120_000 }, () => {
  it('signs up, creates a website, edits it with errors in words, previews the real widget, shows the snippet and the secret, deletes it', async () => {
    const { page, errors } = await open('/#/sign-up');
    const email = `new-owner-${Date.now()}@backoffice.test`;
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Choose a password of at least 8 characters.');
    await page.getByLabel('Password').fill('a-good-long-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your websites' }).waitFor();
    expect(await page.locator('.empty h3').textContent()).toBe('No website yet');

    await page.getByLabel('Name').fill('Riverside Books');
    await page.getByLabel('Domain (optional)').fill('books.example');
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await page.locator('.notice-success').first().textContent()).toContain('Website created');
    const websiteId = /#\/w\/([0-9a-f-]{36})\/settings/.exec(page.url())![1];
    const owner = await signInMember(stack, email, 'a-good-long-password');

    // The preview frame runs the real widget (emily-loader.js → emily-chat.js) with the saved settings…
    const frame = page.frameLocator('iframe.preview-frame');
    await eventually(() => frame.locator('emily-chat #emily-title').textContent()).toBe('Riverside Books');
    // …and with unsaved ones: a new name, welcome message and colour show before saving.
    await page.getByLabel('Name', { exact: true }).fill('Riverside Books & Coffee');
    await page.getByLabel('Welcome message').fill('Hello! Ask us about books or coffee.');
    await page.getByLabel('Colour as hex code').fill('#7c3aed');
    await eventually(() => frame.locator('emily-chat #emily-title').textContent()).toBe('Riverside Books & Coffee');
    expect(await frame.locator('emily-chat .log .welcome').textContent()).toContain('Hello! Ask us about books or coffee.');
    const preview = page.frames().find((f) => f.url().endsWith('/preview.html'))!;
    expect(await launcherColour(preview)).toBe('rgb(124, 58, 237)');
    expect((await owner.client.from('websites').select('name').eq('id', websiteId).single()).data?.name).toBe('Riverside Books');

    // A wrong allowed domain is explained next to the field and nothing is saved.
    await page.getByLabel('Allowed domains').fill('https://books.example/shop');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await page.locator('.field-error').first().textContent()).toContain('Not a host name: https://books.example/shop');
    expect((await owner.client.from('websites').select('name').eq('id', websiteId).single()).data?.name).toBe('Riverside Books');
    await page.getByLabel('Allowed domains').fill('books.example\n*.books.example');
    await page.getByLabel('The AI answers visitors').uncheck();
    await page.getByLabel('Instructions for the AI').fill('Always recommend the coffee.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved. Visitors get the new settings on their next page view.').waitFor();
    const { data: saved } = await owner.client.from('websites').select('*').eq('id', websiteId).single();
    expect(saved).toMatchObject({
      name: 'Riverside Books & Coffee', domain: 'books.example', primary_color: '#7c3aed', welcome_message: 'Hello! Ask us about books or coffee.',
      allowed_domains: ['books.example', '*.books.example'], ai_enabled: false, ai_instructions: 'Always recommend the coffee.',
    });

    // The embed snippet names this website and the widget's loader.
    const snippet = await page.locator('pre[aria-label="Embed snippet"]').textContent();
    expect(snippet).toContain(`websiteId: "${websiteId}"`);
    expect(snippet).toContain(`src="${stack.apiUrl}/widget/emily-loader.js"`);

    // The identity secret: shown on request, the one in the database; rotating replaces it.
    const secretBox = page.getByLabel('Identity secret');
    expect(await secretBox.textContent()).toMatch(/^•+$/);
    await page.getByRole('button', { name: 'Show' }).click();
    const { data: secretRow } = await owner.client.from('website_secrets').select('identity_secret').eq('website_id', websiteId).single();
    expect(await secretBox.textContent()).toBe(secretRow!.identity_secret);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Yes, rotate' }).click();
    await page.getByText('New secret created.').waitFor();
    const { data: rotated } = await owner.client.from('website_secrets').select('identity_secret').eq('website_id', websiteId).single();
    expect(rotated!.identity_secret).not.toBe(secretRow!.identity_secret);
    expect(await secretBox.textContent()).toBe(rotated!.identity_secret);
    await screenshot(page, 'settings');

    // Deleting asks for the name first.
    const remove = page.getByRole('button', { name: 'Delete this website and all its conversations' });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Type Riverside Books & Coffee to confirm').fill('Riverside Books & Coffee');
    await remove.click();
    await page.getByRole('heading', { name: 'Your websites' }).waitFor();
    expect((await owner.client.from('websites').select('id').eq('id', websiteId)).data).toEqual([]);
    expect(errors).toEqual([]);
  });

  // On a website of its own, embedded on a customer page served here: the demo website's colour is
  // asserted by the widget's own tests running at the same time. The same visitor browser loads the
  // page before and after the change, so its HTTP cache holds widget-init's first answer: the new
  // colour shows only because widget-init is revalidated on every load (`no-cache` + ETag).
  it('changes the colour; the customer\'s site shows it on the next page load in the same browser', async () => {
    const owner = await signUpMember(stack, 'colour-owner');
    const websiteId = await createWebsite(owner, { name: 'Colour Bikes', primary_color: '#14532d' });
    const shop = await serveTestSite({
      '/': { html: embedPage({ widgetUrl: `${stack.apiUrl}/widget`, config: { websiteId, supabaseUrl: stack.apiUrl, anonKey: stack.anonKey } }) },
    });
    try {
      const visitorBrowser = await launchChromium({ viewport: { width: 1200, height: 800 } });
      opened.push(visitorBrowser);
      const visit = async () => {
        const site = await openWidgetPage(visitorBrowser.context, shop.origin);
        await site.ready();
        return site;
      };
      expect(await launcherColour((await visit()).page)).toBe('rgb(20, 83, 45)');

      const { page } = await open();
      await signIn(page, owner.email, owner.password);
      await page.goto(`${stack.demo.backofficeUrl}/#/w/${websiteId}/settings`);
      await page.getByLabel('Colour as hex code').fill('#b45309');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Saved.', { exact: false }).waitFor();

      const site = await visit();
      expect(await launcherColour(site.page)).toBe('rgb(180, 83, 9)');
      await site.launcher.click();
      expect(await site.panel.locator('.head').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(180, 83, 9)');
      await screenshot(site.page, 'customer-site-new-colour');
    } finally {
      await shop.close();
    }
  });

  it('works with the keyboard alone, and every control has an accessible name', async () => {
    const owner = await signUpMember(stack, 'keyboard-owner');
    const websiteId = await createWebsite(owner, { name: 'Keyboard Cafe' });
    const { page } = await open();
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? ''}:${(el as HTMLInputElement).type ?? ''}` : '';
    });
    await page.getByRole('heading', { name: 'Sign in to your backoffice' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^input:.*:email$/);
    await page.keyboard.type(owner.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(owner.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your websites' }).waitFor();
    // A new screen puts the focus on its heading; a website card opens with Enter.
    expect(await focused()).toMatch(/^h1:Your websites/);
    await page.locator('.site-card').waitFor();
    for (let i = 0; i < 10 && !(await focused()).startsWith('a:Keyboard Cafe'); i++) await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^a:Keyboard Cafe/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(await focused()).toMatch(/^h1:Inbox/);
    // The first stop in the tab order is the skip link, which jumps to the content.
    expect(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')?.textContent)).toBe('Skip to content');
    await page.locator('.skip').focus();
    expect(await page.locator('.skip').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await focused()).toMatch(/^main:/);

    for (const screen of ['inbox', 'settings', 'knowledge', 'analytics', 'team']) {
      await page.goto(`${stack.demo.backofficeUrl}/#/w/${websiteId}/${screen}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const unnamed = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('main input, main select, main textarea, main button, main a')]
        .filter((el) => {
          if (el.offsetParent === null) return false;
          const labels = (el as HTMLInputElement).labels;
          return !(labels && labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !el.textContent?.trim() && !el.getAttribute('title');
        })
        .map((el) => el.outerHTML.slice(0, 80)));
      expect(unnamed, screen).toEqual([]);
    }
  });

  it('refuses a widget visitor\'s anonymous session with a clear message', async () => {
    const anonymous = client(stack);
    const { data, error } = await anonymous.auth.signInAnonymously();
    expect(error).toBeNull();
    const { page } = await open();
    await page.evaluate((session) => localStorage.setItem('sb-127-auth-token', JSON.stringify(session)), data.session);
    await page.reload();
    await eventually(() => page.locator('.notice-warning').textContent()).toContain('That was a chat-widget visitor session.');
    await page.getByRole('heading', { name: 'Sign in to your backoffice' }).waitFor();
    await eventually(() => page.evaluate(() => localStorage.getItem('sb-127-auth-token'))).toBeNull();
    // And the database agrees: an anonymous user cannot create a website.
    const insert = await anonymous.from('websites').insert({ name: 'Sneaky' }).select();
    expect(insert.error?.code).toBe('42501');
  });
});

afterAll(async () => {
  for (const b of opened.splice(0)) await b.close();
});
