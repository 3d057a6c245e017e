// "Forgot your password?" in real Chromium against the shared stack: a site owner asks for a reset
// link on the sign-in page (the same words whether or not the address has an account), the link
// (Supabase Auth's recovery e-mail, read from the stack's outbox since no mail server runs locally)
// leads to "Choose a new password" and then to their websites; the old password stops working. A
// used or expired link says so and offers to send a new one, which works.
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readOutbox } from '../../scripts/stack/auth/outbox.ts';
import { client, createWebsite, type Member, openBackoffice, screenshot, signUpMember, type BackofficePage, eventually } from './support/backoffice.ts';

const stack = inject('stack');
const db = new pg.Pool({ connectionString: stack.dbUrl, max: 2 });
const opened: BackofficePage[] = [];
const LINK_SENT = 'If an account exists for that e-mail, we sent it a link to choose a new password.';
const EXPIRED = 'This password reset link has already been used or has expired. Enter your e-mail to get a new one.';

async function open(): Promise<BackofficePage> {
  const bo = await openBackoffice(stack);
  opened.push(bo);
  return bo;
}

async function signInWorks(email: string, password: string): Promise<boolean> {
  const { data, error } = await client(stack).auth.signInWithPassword({ email, password });
  if (!error) return !!data.session;
  expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  return false;
}

/** On the sign-in page: "Forgot your password?", then the address, then "Send the link". */
async function askForLink(bo: BackofficePage, email: string): Promise<void> {
  await bo.page.getByLabel('E-mail').fill(email);
  await bo.page.getByRole('button', { name: 'Send the link' }).click();
}

/** Chooses `password` on the "Choose a new password" page the reset link led to. */
async function chooseNewPassword(bo: BackofficePage, password: string): Promise<void> {
  await bo.page.getByLabel('New password').fill(password);
  await bo.page.getByLabel('Repeat the password').fill(password);
  await bo.page.getByRole('button', { name: 'Save new password and continue' }).click();
}

let owner: Member;
let siteName: string;

beforeAll(async () => {
  owner = await signUpMember(stack, 'owner-recovery');
  siteName = `Recovery Shop ${randomUUID().slice(0, 4)}`;
  await createWebsite(owner, { name: siteName, ai_enabled: false });
});

afterAll(async () => {
  for (const bo of opened.splice(0)) await bo.close();
  await db.end();
});

describe('backoffice password recovery', { timeout: 120_000 }, () => {
  it('an owner asks for a link, follows it, chooses a new password and lands on their websites; the link works once', async () => {
    const ui = await open();
    await ui.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await ui.page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await askForLink(ui, owner.email);
    await ui.page.getByText(LINK_SENT).waitFor();
    await screenshot(ui.page, 'forgot-password-sent');

    // An address without an account gets the very same answer, and no message.
    const nobody = `nobody-${randomUUID().slice(0, 8)}@backoffice.test`;
    await askForLink(ui, nobody);
    await ui.page.getByText(LINK_SENT).waitFor();
    expect(readOutbox(stack.mailDir, nobody)).toEqual([]);
    // Asking again at once for the same address is refused in words (one message a minute).
    await askForLink(ui, owner.email);
    await ui.page.getByText('A link was sent to this address a moment ago.', { exact: false }).waitFor();

    await eventually(() => readOutbox(stack.mailDir, owner.email).length).toBe(1);
    const [mail] = readOutbox(stack.mailDir, owner.email);
    expect(mail.type).toBe('recovery');
    expect(mail.subject).toBe('Reset Your Password');
    expect(mail.redirect_to).toBe(`${stack.demo.backofficeUrl}/?link=recovery`);
    // Asking for the link changed nothing yet.
    expect(await signInWorks(owner.email, owner.password)).toBe(true);

    // The owner opens the link in another browser (as from their mail app).
    const linkUi = await open();
    await linkUi.page.goto(mail.link);
    const heading = linkUi.page.getByRole('heading', { name: 'Choose a new password' });
    await heading.waitFor();
    expect(new URL(linkUi.page.url()).origin).toBe(stack.demo.backofficeUrl);
    await eventually(() => linkUi.page.url()).not.toMatch(/access_token|link=recovery/);
    expect(await linkUi.page.locator('main').textContent()).toContain(owner.email);
    await screenshot(linkUi.page, 'choose-new-password');
    // A reload still asks: the link was for choosing a new password.
    await linkUi.page.reload();
    await heading.waitFor();

    const newPassword = `new-${randomUUID()}`;
    await chooseNewPassword(linkUi, newPassword);
    await linkUi.page.getByRole('heading', { name: 'Your websites' }).waitFor();
    await linkUi.page.locator('.site-card', { hasText: siteName }).waitFor();
    expect(await signInWorks(owner.email, newPassword)).toBe(true);
    expect(await signInWorks(owner.email, owner.password)).toBe(false);

    // The link works once: opened again, it says so and offers to send a new one.
    const again = await open();
    await again.page.goto(mail.link);
    await again.page.getByText(EXPIRED).waitFor();
    expect(await again.page.getByRole('button', { name: 'Send the link' }).isVisible()).toBe(true);
    expect(await again.page.getByRole('heading', { name: 'Choose a new password' }).count()).toBe(0);
    await screenshot(again.page, 'reset-link-used');

    for (const bo of [ui, linkUi, again]) expect(bo.errors).toEqual([]);
  });

  it('an expired link offers to send a new one, and the new one works', async () => {
    const member = await signUpMember(stack, 'owner-expired');
    // A link sent two hours ago (beyond [auth.email] otp_expiry), stored as GoTrue stores one.
    const otp = '123456';
    const hash = createHash('sha224').update(member.email + otp).digest('hex');
    await db.query(`update auth.users set recovery_token = $2, recovery_sent_at = now() - interval '2 hours' where id = $1`, [member.userId, hash]);
    const oldLink = `${stack.apiUrl}/auth/v1/verify?token=${hash}&type=recovery&redirect_to=${encodeURIComponent(`${stack.demo.backofficeUrl}/?link=recovery`)}`;

    const ui = await open();
    await ui.page.goto(oldLink);
    await ui.page.getByText(EXPIRED).waitFor();
    await askForLink(ui, member.email);
    await ui.page.getByText(LINK_SENT).waitFor();
    await eventually(() => readOutbox(stack.mailDir, member.email).length).toBe(1);
    const [mail] = readOutbox(stack.mailDir, member.email);

    await ui.page.goto(mail.link);
    await ui.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const newPassword = `new-${randomUUID()}`;
    await chooseNewPassword(ui, newPassword);
    await ui.page.getByRole('heading', { name: 'Your websites' }).waitFor();
    expect(await signInWorks(member.email, newPassword)).toBe(true);
    expect(await signInWorks(member.email, member.password)).toBe(false);
    expect(ui.errors).toEqual([]);
  });
});
