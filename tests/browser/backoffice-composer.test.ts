// The reply box's "Pause the AI when I reply" setting, in real Chromium against the shared stack
// (offline answer engine), on a website of this file's own owner. It is on by default: a reply
// sent without clicking "Pause AI" first pauses the conversation (in the database and on screen)
// before the reply is stored, so the visitor's next message gets no AI answer. Turned off (kept in
// this browser across reloads), a reply leaves the AI answering the visitor's next message.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { knowledge, sendMessage, visitor, type SseEvent } from '../integration/widget-api.support.ts';
import { createWebsite, eventually, type BackofficePage, type Member, openBackoffice, signIn, signUpMember } from './support/backoffice.ts';

const stack = inject('stack');
let owner: Member;
let siteId: string;
let bo: BackofficePage;

/** A visitor's first message; the offline engine answers it (SSE ending with `done`). */
async function answeredConversation(): Promise<{ conversationId: string; token: string }> {
  const v = await visitor(stack);
  const { events } = await sendMessage(stack, v, { website_id: siteId, content: 'How long does a wheel truing take?' });
  expect(events.map((e) => e.event)).toContain('done');
  const conversationId = (events.find((e) => e.event === 'conversation') as SseEvent).data.conversation_id as string;
  return { conversationId, token: v.token };
}

async function row(conversationId: string) {
  const { data, error } = await owner.client.from('conversations').select('ai_mode').eq('id', conversationId).single();
  expect(error).toBeNull();
  return data!;
}

async function countBy(conversationId: string, sender: string): Promise<number> {
  const { count, error } = await owner.client.from('messages').select('id', { count: 'exact', head: true })
    .eq('conversation_id', conversationId).eq('sender', sender);
  expect(error).toBeNull();
  return count ?? -1;
}

/** Opens the conversation in the signed-in backoffice and waits for its thread. */
async function openConversation(conversationId: string) {
  const { page } = bo;
  await page.goto(`${stack.demo.backofficeUrl}/#/w/${siteId}/inbox/${conversationId}`);
  await page.locator('#conversation-title').waitFor();
  await eventually(() => page.locator('.conversation .messages .msg').count()).toBe(2);
  return {
    setting: page.getByRole('checkbox', { name: /^Pause the AI when I reply/ }),
    reply: async (text: string) => {
      await page.getByLabel('Reply to the visitor').fill(text);
      await page.getByLabel('Reply to the visitor').press('Enter');
      await eventually(() => page.locator('.conversation .msg-agent.state-sent').count()).toBe(1);
    },
  };
}

beforeAll(async () => {
  owner = await signUpMember(stack, 'composer-owner');
  siteId = await createWebsite(owner, { ai_enabled: true });
  await knowledge(stack, siteId, [{ title: 'Workshop', content: 'Wheel truing takes about 30 minutes and costs 20 euros.' }]);
  bo = await openBackoffice(stack);
  await signIn(bo.page, owner.email, owner.password);
}, 60_000);

afterAll(async () => {
  await bo?.close();
  await owner?.client.auth.signOut().catch(() => {});
});

describe('pause the AI when replying', { timeout: 90_000 }, () => {
  it('is on by default: a reply without clicking "Pause AI" pauses the conversation, and the visitor\'s next message gets no AI answer', async () => {
    const { conversationId, token } = await answeredConversation();
    const { page } = bo;
    const { setting, reply } = await openConversation(conversationId);
    expect(await setting.isChecked()).toBe(true);
    expect(await page.locator('.conversation-head .badges').textContent()).toContain('AI answering');
    expect(await page.getByRole('button', { name: 'Pause AI' }).getAttribute('aria-pressed')).toBe('false');
    expect((await row(conversationId)).ai_mode).toBe('auto');

    await reply('Hello, this is the workshop: I will answer you myself.');

    // Paused in the database before the reply was stored, and on screen.
    expect((await row(conversationId)).ai_mode).toBe('paused');
    const resume = page.getByRole('button', { name: 'Resume AI' });
    await resume.waitFor();
    expect(await resume.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.conversation-head .badges').textContent()).toContain('AI paused');
    await eventually(() => page.locator(`.conv[data-conversation="${conversationId}"]`).textContent()).toContain('Paused');

    // The visitor writes again: stored, answered by nobody but the team.
    const next = await sendMessage(stack, { token }, { website_id: siteId, conversation_id: conversationId, content: 'And how much does it cost?' });
    expect(next.res.status).toBe(200);
    expect(next.json).toMatchObject({ conversation_id: conversationId, ai: 'paused' });
    expect(next.events).toEqual([]);
    expect(await countBy(conversationId, 'assistant')).toBe(1);
    await eventually(() => page.locator('.conversation .messages .msg-user').count()).toBe(2);
    expect(bo.errors).toEqual([]);
  });

  it('turned off, a reply leaves the AI answering, and the choice is kept across a reload', async () => {
    const { conversationId, token } = await answeredConversation();
    const { page } = bo;
    const first = await openConversation(conversationId);
    await first.setting.uncheck();
    expect(await first.setting.isChecked()).toBe(false);
    await page.reload();
    const { setting, reply } = await openConversation(conversationId);
    expect(await setting.isChecked()).toBe(false);

    await reply('A quick note from the workshop; the assistant keeps helping you.');

    expect((await row(conversationId)).ai_mode).toBe('auto');
    expect(await page.getByRole('button', { name: 'Pause AI' }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('.conversation-head .badges').textContent()).toContain('AI answering');

    const next = await sendMessage(stack, { token }, { website_id: siteId, conversation_id: conversationId, content: 'How much does wheel truing cost?' });
    expect(next.events.map((e) => e.event)).toContain('done');
    expect(await countBy(conversationId, 'assistant')).toBe(2);
    await eventually(() => page.locator('.conversation .messages .msg-assistant').count()).toBe(2);

    // Turning it on again is remembered the same way.
    await setting.check();
    expect(await page.evaluate(() => localStorage.getItem('emily-backoffice:pause-ai-on-reply'))).toBe('true');
    expect(bo.errors).toEqual([]);
  });
});
