// The embed snippet's copy button on the settings page, in real Chromium (clipboard permissions
// granted to the backoffice's origin) against the shared stack: a click puts exactly the snippet
// shown, which names this website and the stack's widget loader, on the system clipboard, and the
// button says "Copied" in a polite live region, then goes back to its label.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWebsite, type BackofficePage, type Member, openBackoffice, signIn, signUpMember } from './support/backoffice.ts';

const stack = inject('stack');
let owner: Member;
let siteId: string;
let bo: BackofficePage;

/**
 * The two lines of contract §2. The project's URL and key are named only when the backoffice
 * talks to another project than the one it was built for (backoffice/build.ts's default).
 */
function expectedSnippet(): string {
  const baked = (process.env.EMILY_SUPABASE_URL || 'http://127.0.0.1:54321').replace(/\/+$/, '');
  const project = stack.apiUrl === baked ? '' : `, supabaseUrl: ${JSON.stringify(stack.apiUrl)}, anonKey: ${JSON.stringify(stack.anonKey)}`;
  return `<script>window.EmilyChat = { websiteId: ${JSON.stringify(siteId)}${project} };</script>\n` +
    `<script src="${stack.apiUrl}/widget/emily-loader.js" async></script>`;
}

beforeAll(async () => {
  owner = await signUpMember(stack, 'snippet-owner');
  siteId = await createWebsite(owner);
  bo = await openBackoffice(stack);
  await bo.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.demo.backofficeUrl });
  await signIn(bo.page, owner.email, owner.password);
}, 60_000);

afterAll(async () => {
  await bo?.close();
  await owner?.client.auth.signOut().catch(() => {});
});

describe('embed snippet', () => {
  it('the copy button puts exactly the snippet on the clipboard and announces "Copied"', async () => {
    const { page, errors } = bo;
    await page.goto(`${stack.demo.backofficeUrl}/#/w/${siteId}/settings`);
    const shown = page.locator('pre[aria-label="Embed snippet"]');
    await shown.waitFor();
    expect(await shown.textContent()).toBe(expectedSnippet());
    // Something else on the clipboard first, so only the button can put the snippet there.
    await page.evaluate(() => navigator.clipboard.writeText('something copied earlier'));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('something copied earlier');

    const button = page.getByRole('button', { name: 'Copy snippet' });
    await button.click();
    const copied = page.getByRole('button', { name: /^Copied/ });
    await copied.waitFor();
    // The same element, a polite live region: screen readers hear the new label.
    expect(await copied.getAttribute('aria-live')).toBe('polite');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expectedSnippet());

    // It goes back to its label, ready to copy again.
    await button.waitFor();
    expect(await page.getByRole('button', { name: /^Copied/ }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
