// Removing a team member in the backoffice's Team page, in real Chromium against the shared stack
// with two owners, an agent and a website of this file's own: the agent is not offered to remove
// either owner (and REST refuses it); the owner's removal asks twice (Cancel keeps the agent), then the
// member list updates at once and after a reload, and the agent's session loses the website: their
// REST read of its conversations returns nothing and their inbox, reloaded, shows nothing of it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { client, createWebsite, eventually, type BackofficePage, type Member, openBackoffice, signIn, signUpMember } from './support/backoffice.ts';

const stack = inject('stack');
let owner: Member;
let coOwner: Member;
let agent: Member;
let siteId: string;
let conversationId: string;
const opened: BackofficePage[] = [];

async function open(member: Member, screen: string): Promise<BackofficePage> {
  const bo = await openBackoffice(stack);
  opened.push(bo);
  await signIn(bo.page, member.email, member.password);
  await bo.page.goto(`${stack.demo.backofficeUrl}/#/w/${siteId}/${screen}`);
  return bo;
}

async function memberIds(): Promise<string[]> {
  const { data, error } = await owner.client.from('website_members').select('user_id').eq('website_id', siteId);
  expect(error).toBeNull();
  return data!.map((m) => m.user_id as string).sort();
}

beforeAll(async () => {
  owner = await signUpMember(stack, 'team-owner');
  coOwner = await signUpMember(stack, 'team-co-owner');
  agent = await signUpMember(stack, 'team-agent');
  siteId = await createWebsite(owner, { name: `Team Shop ${randomUUID().slice(0, 4)}`, ai_enabled: false });
  // Two owners: neither is the last one, whom nobody may remove anyway.
  for (const [who, role] of [[coOwner, 'owner'], [agent, 'agent']] as const) {
    const added = await owner.client.rpc('add_website_member', { site_id: siteId, member_email: who.email, member_role: role });
    expect(added.error).toBeNull();
  }
  // A visitor conversation through the widget API (AI off: stored and answered with JSON).
  const visitor = client(stack);
  const { data } = await visitor.auth.signInAnonymously();
  const res = await fetch(`${stack.apiUrl}/functions/v1/widget-messages`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, authorization: `Bearer ${data.session!.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ website_id: siteId, content: 'Do you repair e-bikes?', client_id: randomUUID() }),
  });
  expect(res.status).toBe(200);
  conversationId = ((await res.json()) as { conversation_id: string }).conversation_id;
}, 60_000);

afterAll(async () => {
  for (const bo of opened.splice(0)) await bo.close();
});

describe('removing a team member', { timeout: 120_000 }, () => {
  it('an agent is not offered to remove an owner, and REST refuses it', async () => {
    const { page, errors } = await open(agent, 'team');
    const ownRow = page.locator(`.member[data-email="${agent.email}"]`);
    await ownRow.waitFor();
    await eventually(() => page.locator('.member').count()).toBe(3);
    // The agent may leave, but has no control over anyone else.
    expect(await ownRow.getByRole('button', { name: 'Leave' }).count()).toBe(1);
    for (const o of [owner, coOwner]) {
      const ownerRow = page.locator(`.member[data-email="${o.email}"]`);
      expect(await ownerRow.textContent()).toContain('Owner');
      expect(await ownerRow.getByRole('button').count()).toBe(0);
      expect(await ownerRow.getByRole('combobox').count()).toBe(0);
    }
    expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0);

    const removed = await agent.client.from('website_members').delete().eq('website_id', siteId).eq('user_id', coOwner.userId).select();
    expect(removed.data).toEqual([]);
    expect(await memberIds()).toEqual([owner.userId, coOwner.userId, agent.userId].sort());
    expect(errors).toEqual([]);
  });

  it('the owner removes the agent (asked twice): the list updates, and the agent loses the website\'s conversations', async () => {
    // Before: the agent works the inbox and reads the conversations through REST.
    const agentUi = await open(agent, 'inbox');
    await agentUi.page.locator(`.conv[data-conversation="${conversationId}"]`).waitFor();
    expect((await agent.client.from('conversations').select('id').eq('website_id', siteId)).data).toEqual([{ id: conversationId }]);

    const { page, errors } = await open(owner, 'team');
    const agentRow = page.locator(`.member[data-email="${agent.email}"]`);
    await agentRow.waitFor();
    await eventually(() => page.locator('.member').count()).toBe(3);

    // Cancel keeps them.
    await agentRow.getByRole('button', { name: 'Remove' }).click();
    const confirm = agentRow.getByRole('group', { name: `Remove ${agent.email} from the team?` });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await page.locator('.member').count()).toBe(3);
    expect(await memberIds()).toEqual([owner.userId, coOwner.userId, agent.userId].sort());

    // Confirmed: gone from the list without a reload, and from the database.
    await agentRow.getByRole('button', { name: 'Remove' }).click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await agentRow.waitFor({ state: 'detached', timeout: 15_000 });
    const shown = () => page.locator('.member').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-email')).sort());
    expect(await shown()).toEqual([owner.email, coOwner.email].sort());
    expect(await memberIds()).toEqual([owner.userId, coOwner.userId].sort());
    await page.reload();
    await page.locator(`.member[data-email="${coOwner.email}"]`).waitFor();
    expect(await shown()).toEqual([owner.email, coOwner.email].sort());
    expect(errors).toEqual([]);

    // The agent's session (still signed in) reads nothing of the website any more.
    expect((await agent.client.from('conversations').select('id').eq('website_id', siteId)).data).toEqual([]);
    expect((await agent.client.from('conversations').select('id').eq('id', conversationId)).data).toEqual([]);
    expect((await agent.client.from('websites').select('id').eq('id', siteId)).data).toEqual([]);
    await agentUi.page.reload();
    await agentUi.page.getByRole('heading', { name: 'Website not available' }).waitFor();
    expect(await agentUi.page.locator('.conv').count()).toBe(0);
    expect(await agentUi.page.locator('main').textContent()).not.toContain('Do you repair e-bikes?');
    expect(agentUi.errors).toEqual([]);
  });
});
