// The website's widget_style in real Chromium: each style draws its launcher and places its panel
// (bubble, a "Chat with us" pill in the visitor's language, a tab on the bottom edge, a compact
// square), an unknown value falls back to the bubble, and the backoffice's live preview switches
// style before saving. Websites of their own, on accounts of their own (the demo website's
// settings and its account's plan belong to the tests running alongside), with the style set
// through the service role. Screenshots go to test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../scripts/stack/config.ts';
import { supabaseClient } from '../integration/widget-api.support.ts';
import { createWebsite, type Member, openBackoffice, signIn, signUpMember } from './support/backoffice.ts';
import { launchChromium, type Browser } from './support/chromium.ts';
import { serveTestSite, type TestSite } from './support/pages.ts';
import { embedPage, eventually, openWidgetPage, type WidgetPage } from './support/widget.ts';

const stack = inject('stack');
const ARTEFACTS = join(ROOT_DIR, 'test-results');
const VIEWPORT = { width: 1280, height: 800 };

/** The Free plan allows three websites per account. */
const WEBSITES_PER_OWNER = 3;

let browser: Browser;
let site: TestSite;
let owner: { member: Member; websites: number } | undefined;
const websites = new Map<string, string>();

beforeAll(async () => {
  browser = await launchChromium({ viewport: VIEWPORT });
  site = await serveTestSite();
  mkdirSync(ARTEFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** A website of its own with this style (one per style), embedded on a page of the test site. */
async function websiteWith(style: string): Promise<string> {
  const known = websites.get(style);
  if (known) return known;
  if (!owner || owner.websites === WEBSITES_PER_OWNER) owner = { member: await signUpMember(stack, 'style-owner'), websites: 0 };
  owner.websites++;
  const id = await createWebsite(owner.member, { name: `Style ${style}`, primary_color: '#7c3aed' });
  const { error } = await supabaseClient(stack, stack.serviceRoleKey).from('websites').update({ widget_style: style }).eq('id', id);
  if (error) throw error;
  websites.set(style, id);
  return id;
}

async function styledPage(style: string, locale?: string): Promise<WidgetPage> {
  const websiteId = await websiteWith(style);
  const path = `/${style}-${locale ?? 'auto'}`;
  site.set(path, { html: embedPage({ widgetUrl: `${stack.apiUrl}/widget`, config: { websiteId, supabaseUrl: stack.apiUrl, anonKey: stack.anonKey, locale } }) });
  const w = await openWidgetPage(browser.context, site.origin + path);
  await w.ready();
  return w;
}

/** What a visitor sees of the launcher and (when open) the panel. */
function geometry(w: WidgetPage) {
  return w.page.evaluate(() => {
    const root = document.querySelector('emily-chat')!.shadowRoot!;
    const launcher = root.querySelector('.launcher')!;
    const label = root.querySelector('.label')!;
    const panel = root.querySelector('.panel');
    const l = launcher.getBoundingClientRect();
    const p = panel && getComputedStyle(panel).display !== 'none' ? panel.getBoundingClientRect() : null;
    return {
      launcher: { width: Math.round(l.width), height: Math.round(l.height), bottomGap: Math.round(innerHeight - l.bottom), radius: getComputedStyle(launcher).borderRadius },
      label: getComputedStyle(label).display === 'none' ? null : label.textContent,
      name: launcher.getAttribute('aria-label'),
      panel: p && { width: Math.round(p.width), bottomGap: Math.round(innerHeight - p.bottom), radius: getComputedStyle(panel!).borderRadius, aboveLauncher: p.bottom <= l.top },
    };
  });
}

/** Opens the chat (the click runs the app), shoots it, then closes it: what it looked like open, and the app's name for it closed. */
async function openAndShoot(w: WidgetPage, name: string) {
  await w.page.screenshot({ path: join(ARTEFACTS, `widget-style-${name}-closed.png`) });
  await w.launcher.click();
  await w.input.waitFor({ state: 'visible' });
  await eventually(() => w.panel.evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
  await w.page.screenshot({ path: join(ARTEFACTS, `widget-style-${name}-open.png`) });
  const open = await geometry(w);
  await w.launcher.click();
  await eventually(() => w.panel.isVisible()).toBe(false);
  return { open, closedName: await w.launcher.getAttribute('aria-label') };
}

describe('widget styles', { timeout: 90_000 }, () => {
  it('bubble: a round icon launcher with the panel above it', async () => {
    const w = await styledPage('bubble');
    // Named by the loader's words until the app runs (a first-time visitor's first interaction).
    expect(await geometry(w)).toMatchObject({ launcher: { width: 56, height: 56, bottomGap: 20, radius: '28px' }, label: null, name: 'Chat with us', panel: null });
    const { open, closedName } = await openAndShoot(w, 'bubble');
    expect(open.panel).toEqual({ width: 380, bottomGap: 88, radius: '16px', aboveLauncher: true });
    expect(open.name).toBe('Close chat');
    expect(closedName).toBe('Open chat');
    await w.page.close();
  });

  it('pill: a launcher saying "Chat with us" in the visitor\'s language, named by those words', async () => {
    const w = await styledPage('pill');
    const closed = await geometry(w);
    expect(closed).toMatchObject({ launcher: { height: 56, bottomGap: 20 }, label: 'Chat with us', name: 'Chat with us' });
    expect(closed.launcher.width).toBeGreaterThan(120);
    const { open, closedName } = await openAndShoot(w, 'pill');
    // Open, it shrinks to its close button; closed again, the app names it by its words too.
    expect(open).toMatchObject({ label: null, name: 'Close chat', panel: { width: 380, aboveLauncher: true } });
    expect(open.launcher.width).toBeLessThan(100);
    expect(closedName).toBe('Chat with us');
    await w.page.close();

    for (const [locale, words] of [['fr', 'Discutez avec nous'], ['de', 'Chatten Sie mit uns'], ['es', 'Chatea con nosotros']]) {
      const translated = await styledPage('pill', locale);
      expect(await geometry(translated)).toMatchObject({ label: words, name: words });
      await translated.page.close();
    }
  });

  it('tab: a labelled tab on the bottom edge of the window, the panel just above it', async () => {
    const w = await styledPage('tab');
    expect(await geometry(w)).toMatchObject({ launcher: { height: 44, bottomGap: 0, radius: '12px 12px 0px 0px' }, label: 'Chat with us' });
    const { open, closedName } = await openAndShoot(w, 'tab');
    expect(open.panel).toMatchObject({ width: 380, bottomGap: 56, aboveLauncher: true });
    expect(closedName).toBe('Chat with us');
    await w.page.close();
  });

  it('compact: a small square launcher and a smaller panel with square corners', async () => {
    const w = await styledPage('compact');
    expect(await geometry(w)).toMatchObject({ launcher: { width: 48, height: 48, radius: '12px' }, label: null, name: 'Chat with us' });
    const { open, closedName } = await openAndShoot(w, 'compact');
    expect(open.panel).toEqual({ width: 340, bottomGap: 80, radius: '6px', aboveLauncher: true });
    expect(closedName).toBe('Open chat');
    await w.page.close();
  });

  it('draws a style it does not know as the bubble', async () => {
    const w = await styledPage('neon-glow');
    expect(await geometry(w)).toMatchObject({ launcher: { width: 56, height: 56, radius: '28px' }, label: null });
    expect(await w.launcher.getAttribute('class')).toContain('s-bubble');
    await w.page.close();
  });

  it('switches style in the backoffice\'s live preview before saving', async () => {
    const owner = await signUpMember(stack, 'style-owner');
    const websiteId = await createWebsite(owner, { name: 'Style Preview Shop' });
    const bo = await openBackoffice(stack);
    try {
      await signIn(bo.page, owner.email, owner.password);
      await bo.page.goto(`${stack.demo.backofficeUrl}/#/w/${websiteId}/settings`);
      const frame = bo.page.frameLocator('iframe.preview-frame');
      const launcher = frame.locator('emily-chat .launcher');
      await eventually(() => launcher.getAttribute('class')).toContain('s-bubble');

      await bo.page.getByLabel('Style', { exact: true }).selectOption('pill');
      await eventually(() => launcher.getAttribute('class')).toContain('s-pill');
      expect(await frame.locator('emily-chat .label').textContent()).toBe('Chat with us');

      await bo.page.getByLabel('Style', { exact: true }).selectOption('compact');
      await eventually(() => launcher.getAttribute('class')).toContain('s-compact');
      await eventually(() => frame.locator('emily-chat .panel').evaluate((el) => el.getBoundingClientRect().width)).toBe(340);
      await bo.page.screenshot({ path: join(ARTEFACTS, 'widget-style-backoffice-preview.png') });
      // Nothing was saved: the preview drew the unsaved choice.
      const { data } = await owner.client.from('websites').select('widget_style').eq('id', websiteId).single();
      expect(data?.widget_style).toBe('bubble');
      expect(bo.errors).toEqual([]);
    } finally {
      await bo.close();
    }
  });
});
