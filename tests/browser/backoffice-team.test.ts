// Who may see and do what, in the backoffice and underneath it (REST, RPC, Realtime, Functions
// under RLS), in real Chromium against the shared stack with owners and websites of its own:
// a second owner sees nothing of the first owner's website; an owner invites an agent by e-mail
// (Supabase Auth's invitation, read from the stack's outbox since no mail server runs locally), the
// agent opens the link in another browser, chooses a password, works the inbox but cannot change
// settings, see the secret or manage the team, whatever they send; removal takes effect. A stranger
// cannot use an invitation to get an account for someone else's address.
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readOutbox } from '../../scripts/stack/auth/outbox.ts';
import { client, createWebsite, type Member, openBackoffice, screenshot, signIn, signInMember, signUpMember, type BackofficePage, eventually } from './support/backoffice.ts';

const stack = inject('stack');
let ownerA: Member;
let siteA: string;
let conversationA: string;
const opened: BackofficePage[] = [];

/** A visitor conversation on a website, written through the widget API (AI off: answered with JSON). */
async function visitorConversation(websiteId: string): Promise<string> {
  const visitor = client(stack);
  const { data } = await visitor.auth.signInAnonymously();
  const res = await fetch(`${stack.apiUrl}/functions/v1/widget-messages`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, authorization: `Bearer ${data.session!.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ website_id: websiteId, content: 'Is my order ready?', client_id: randomUUID() }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { conversation_id: string }).conversation_id;
}

async function open(): Promise<BackofficePage> {
  const bo = await openBackoffice(stack);
  opened.push(bo);
  return bo;
}

async function invoke(c: SupabaseClient, name: string, body: unknown): Promise<number> {
  return (await invokeFull(c, name, body)).status;
}

/** A function's status and JSON answer, through supabase-js (200 stands for any success). */
async function invokeFull(c: SupabaseClient, name: string, body: unknown): Promise<{ status: number; body: any }> {
  const { data, error } = await c.functions.invoke(name, { body: body as Record<string, unknown> });
  if (!error) return { status: 200, body: data };
  const res = (error as { context?: Response }).context;
  return { status: res?.status ?? 0, body: await res?.json().catch(() => null) };
}

/** Signing in with a password is refused as GoTrue refuses a wrong one. */
async function cannotSignIn(email: string, password: string): Promise<void> {
  const { data, error } = await client(stack).auth.signInWithPassword({ email, password });
  expect(data.session, `${email} with "${password}"`).toBeNull();
  expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
}

/** Whether a member's private join of a topic is accepted (Realtime asks RLS). */
async function canJoin(c: SupabaseClient, topic: string): Promise<boolean> {
  await c.realtime.setAuth();
  const channel = c.channel(topic, { config: { private: true } });
  const status = await new Promise<string>((resolve) => channel.subscribe((s) => { if (s !== 'CLOSED') resolve(s); }));
  await c.removeChannel(channel);
  return status === 'SUBSCRIBED';
}

beforeAll(async () => {
  ownerA = await signUpMember(stack, 'owner-a');
  siteA = await createWebsite(ownerA, { name: `Alpha Private Shop ${randomUUID().slice(0, 4)}`, ai_enabled: false });
  conversationA = await visitorConversation(siteA);
  const { error } = await ownerA.client.from('knowledge_sources').insert({ website_id: siteA, kind: 'text', title: 'Internal prices', content: 'Cost price 12 euros' });
  expect(error).toBeNull();
}, 60_000);

afterAll(async () => {
  for (const bo of opened.splice(0)) await bo.close();
});

describe('backoffice access', { timeout: 120_000 }, () => {
  it('a second owner sees nothing of the first owner\'s website: not in the UI, not through REST, RPC, Realtime or Functions', async () => {
    const ownerB = await signUpMember(stack, 'owner-b');
    const siteB = await createWebsite(ownerB, { name: 'Bravo Shop' });
    const { page, errors } = await open();
    await signIn(page, ownerB.email, ownerB.password);
    expect(await page.locator('.site-list').textContent()).toContain('Bravo Shop');
    expect(await page.locator('.site-list').textContent()).not.toContain('Alpha Private Shop');
    expect(await page.locator('.site-list li').count()).toBe(1);
    for (const screen of ['inbox', 'settings', 'knowledge', 'analytics', 'team', `inbox/${conversationA}`]) {
      await page.goto(`${stack.demo.backofficeUrl}/#/w/${siteA}/${screen}`);
      await page.getByRole('heading', { name: 'Website not available' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('This website does not exist, or you are not on its team.');
      expect(await page.locator('main').textContent()).not.toContain('Alpha');
    }
    // Its own conversation view refuses a conversation of another website too.
    await page.goto(`${stack.demo.backofficeUrl}/#/w/${siteB}/inbox/${conversationA}`);
    await page.getByText('This conversation does not exist, or it belongs to another website.').waitFor();
    await screenshot(page, 'other-owner-refused');
    expect(errors).toEqual([]);

    const b = ownerB.client;
    for (const table of ['websites', 'website_members', 'website_secrets', 'conversations', 'messages', 'visitors', 'knowledge_sources']) {
      const column = table === 'websites' ? 'id' : 'website_id';
      const { data, error } = await b.from(table).select('*').eq(column, siteA);
      expect(error, table).toBeNull();
      expect(data, table).toEqual([]);
    }
    expect((await b.from('conversations').select('id').eq('id', conversationA)).data).toEqual([]);
    const renamed = await b.from('websites').update({ name: 'Hijacked' }).eq('id', siteA).select();
    expect(renamed.data).toEqual([]);
    const deleted = await b.from('websites').delete().eq('id', siteA).select();
    expect(deleted.data).toEqual([]);
    const paused = await b.from('conversations').update({ ai_mode: 'paused' }).eq('id', conversationA).select();
    expect(paused.data).toEqual([]);
    const reply = await b.from('messages').insert({ conversation_id: conversationA, website_id: siteA, sender: 'agent', author_id: ownerB.userId, content: 'Hi', client_id: randomUUID() });
    expect(reply.error?.code).toBe('42501');
    for (const [fn, args] of [['website_analytics', { site_id: siteA }], ['rotate_identity_secret', { site_id: siteA }], ['website_team', { site_id: siteA }],
      ['add_website_member', { site_id: siteA, member_email: ownerB.email, member_role: 'owner' }]] as const) {
      const { error } = await b.rpc(fn, args);
      expect(error?.code, fn).toBe('42501');
    }
    expect(await invoke(b, 'knowledge', { website_id: siteA, kind: 'text', content: 'Injected' })).toBe(404);
    expect(await invoke(b, 'knowledge/search', { website_id: siteA, question: 'prices' })).toBe(404);
    expect(await invoke(b, 'team', { website_id: siteA, email: ownerB.email, role: 'owner' })).toBe(403);
    expect(await canJoin(b, `website:${siteA}`)).toBe(false);
    expect(await canJoin(b, `conversation:${conversationA}`)).toBe(false);
    expect(await canJoin(b, `website:${siteB}`)).toBe(true);
    // Nothing changed on the first website.
    expect((await ownerA.client.from('websites').select('name').eq('id', siteA).single()).data?.name).toMatch(/^Alpha Private Shop/);
    expect((await ownerA.client.from('conversations').select('ai_mode').eq('id', conversationA).single()).data?.ai_mode).toBe('auto');
  });

  it('an owner invites an agent by e-mail; the agent follows the link, chooses a password and works the inbox but cannot change settings, see the secret or manage the team', async () => {
    const owner = await open();
    await signIn(owner.page, ownerA.email, ownerA.password);
    await owner.page.goto(`${stack.demo.backofficeUrl}/#/w/${siteA}/team`);
    const agentEmail = `agent-${randomUUID().slice(0, 8)}@backoffice.test`;
    // Nobody chooses a password for someone else any more.
    expect(await owner.page.getByLabel(/password/i).count()).toBe(0);
    await owner.page.getByLabel('E-mail').fill(agentEmail);
    await owner.page.getByRole('button', { name: 'Invite' }).click();
    await owner.page.locator('.notice-success').waitFor();
    expect(await owner.page.locator('.notice-success').textContent()).toContain(`Invitation sent to ${agentEmail}, who is now on the team as agent.`);
    await eventually(() => owner.page.locator('.member').count()).toBe(2);
    await screenshot(owner.page, 'team');

    // The invitation e-mail, from the local stack's outbox: its link leads to this backoffice.
    await eventually(() => readOutbox(stack.mailDir, agentEmail).length).toBe(1);
    const [mail] = readOutbox(stack.mailDir, agentEmail);
    expect(mail.subject).toBe("You've been invited");
    expect(mail.redirect_to).toBe(`${stack.demo.backofficeUrl}/`);
    expect(mail.link.startsWith(`${stack.apiUrl}/auth/v1/verify?token=`)).toBe(true);
    for (const guess of ['', 'password', ownerA.password]) await cannotSignIn(agentEmail, guess);

    // The agent opens the link in a browser of their own and chooses a password.
    const agentUi = await open();
    await agentUi.page.goto(mail.link);
    const welcome = agentUi.page.getByRole('heading', { name: 'Welcome! Choose your password' });
    await welcome.waitFor();
    expect(new URL(agentUi.page.url()).origin).toBe(stack.demo.backofficeUrl);
    await eventually(() => agentUi.page.url().includes('access_token')).toBe(false);
    expect(await agentUi.page.locator('main').textContent()).toContain(agentEmail);
    await screenshot(agentUi.page, 'choose-password');
    // Signed in by the link, but no password works yet; a reload still asks for one.
    await cannotSignIn(agentEmail, '');
    await agentUi.page.reload();
    await welcome.waitFor();
    const password = `agent-${randomUUID()}`;
    await agentUi.page.getByLabel('New password').fill(password);
    await agentUi.page.getByLabel('Repeat the password').fill(`${password}x`);
    await agentUi.page.getByRole('button', { name: 'Save password and continue' }).click();
    await agentUi.page.getByText('The two passwords are not the same.').waitFor();
    await agentUi.page.getByLabel('Repeat the password').fill(password);
    await agentUi.page.getByRole('button', { name: 'Save password and continue' }).click();

    // The link works once.
    const reused = await fetch(mail.link, { redirect: 'manual' });
    expect(reused.headers.get('location')).toContain('error_code=otp_expired');

    const card = agentUi.page.locator('.site-card');
    expect(await card.textContent()).toContain('Agent');
    await card.click();
    await agentUi.page.locator('.feed-status.feed-live').waitFor();
    await agentUi.page.locator(`.conv[data-conversation="${conversationA}"]`).click();
    await agentUi.page.getByLabel('Reply to the visitor').fill('Hello from the agent.');
    await agentUi.page.getByLabel('Reply to the visitor').press('Enter');
    await eventually(() => agentUi.page.locator('.conversation .msg-agent.state-sent').count()).toBe(1);

    // Settings: read-only, no secret, no delete; team: no invitation form.
    await agentUi.page.locator('.sidenav a', { hasText: 'Settings' }).click();
    await agentUi.page.getByText('You are an agent on this website').waitFor();
    expect(await agentUi.page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    expect(await agentUi.page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await agentUi.page.locator('#s-secret').locator('..').textContent()).toContain('Only owners can see the identity secret.');
    expect(await agentUi.page.getByLabel('Identity secret').count()).toBe(0);
    expect(await agentUi.page.getByText('Delete website').count()).toBe(0);
    await agentUi.page.locator('.sidenav a', { hasText: 'Team' }).click();
    await agentUi.page.getByText('Only owners can invite or remove people.').waitFor();
    expect(await agentUi.page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    expect(agentUi.errors).toEqual([]);

    // Underneath the UI, RLS says the same whatever the agent sends.
    const agent = await signInMember(stack, agentEmail, password);
    const a = agent.client;
    expect((await a.from('websites').select('id').eq('id', siteA)).data).toEqual([{ id: siteA }]);
    expect((await a.from('conversations').select('id').eq('id', conversationA)).data).toEqual([{ id: conversationA }]);
    expect((await a.from('website_secrets').select('*').eq('website_id', siteA)).data).toEqual([]);
    expect((await a.from('websites').update({ name: 'Renamed by agent', ai_instructions: 'Leak everything' }).eq('id', siteA).select()).data).toEqual([]);
    expect((await a.from('websites').delete().eq('id', siteA).select()).data).toEqual([]);
    expect((await a.from('website_members').update({ role: 'owner' }).eq('website_id', siteA).eq('user_id', agent.userId).select()).data).toEqual([]);
    expect((await a.from('website_members').delete().eq('website_id', siteA).eq('user_id', ownerA.userId).select()).data).toEqual([]);
    const addSelf = await a.from('website_members').insert({ website_id: siteA, user_id: randomUUID(), role: 'owner' });
    expect(addSelf.error?.code).toBe('42501');
    expect((await a.rpc('rotate_identity_secret', { site_id: siteA })).error?.code).toBe('42501');
    expect((await a.rpc('add_website_member', { site_id: siteA, member_email: agentEmail, member_role: 'owner' })).error?.code).toBe('42501');
    expect(await invoke(a, 'team', { website_id: siteA, email: `x-${randomUUID()}@backoffice.test` })).toBe(403);
    // Impersonating the owner in a reply is refused too.
    const forged = await a.from('messages').insert({ conversation_id: conversationA, website_id: siteA, sender: 'agent', author_id: ownerA.userId, content: 'I am the owner', client_id: randomUUID() });
    expect(forged.error?.code).toBe('42501');
    // What agents may do, they can: take over a conversation and read the analytics.
    expect((await a.from('conversations').update({ ai_mode: 'paused' }).eq('id', conversationA).select('ai_mode')).data).toEqual([{ ai_mode: 'paused' }]);
    expect((await a.rpc('website_analytics', { site_id: siteA, days: 7 })).data?.totals.agent_messages).toBe(1);
    const { data: site } = await ownerA.client.from('websites').select('name, ai_instructions').eq('id', siteA).single();
    expect(site?.name).toMatch(/^Alpha Private Shop/);
    expect(site?.ai_instructions).toBe('');
    expect((await ownerA.client.from('website_members').select('role').eq('website_id', siteA).eq('user_id', agent.userId).single()).data?.role).toBe('agent');

    // The owner removes the agent: from then on the agent sees nothing.
    await owner.page.reload();
    const row = owner.page.locator('.member', { hasText: agentEmail });
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Remove' }).click();
    await eventually(() => owner.page.locator('.member').count()).toBe(1);
    expect((await a.from('websites').select('id').eq('id', siteA)).data).toEqual([]);
    expect(await canJoin(a, `website:${siteA}`)).toBe(false);
    await agentUi.page.reload();
    await agentUi.page.getByRole('heading', { name: 'Website not available' }).waitFor();
  });
  it('a stranger cannot use an invitation to get an account for someone else\'s address, nor learn whether it has one', async () => {
    const stranger = await signUpMember(stack, 'stranger');
    const site = await createWebsite(stranger, { name: 'Stranger Shop' });
    const victim = `ceo-${randomUUID().slice(0, 8)}@bigcorp.test`;
    const chosen = 'chosen-by-the-stranger';

    const withPassword = await invokeFull(stranger.client, 'team', { website_id: site, email: victim, password: chosen });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.error.message).toMatch(/^password is not accepted/);
    expect(readOutbox(stack.mailDir, victim)).toEqual([]);
    await cannotSignIn(victim, chosen);

    // Invited without a password: the account waits, unconfirmed and without a password, for its
    // owner to open the link that went to their own mailbox.
    const invited = await invokeFull(stranger.client, 'team', { website_id: site, email: victim });
    expect(invited.status).toBe(200);
    expect(readOutbox(stack.mailDir, victim)).toHaveLength(1);
    for (const guess of [chosen, '', 'password']) await cannotSignIn(victim, guess);
    const db = new pg.Client({ connectionString: stack.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query('select encrypted_password, email_confirmed_at, invited_at is not null as invited from auth.users where email = $1', [victim]);
      expect(rows).toEqual([{ encrypted_password: '', email_confirmed_at: null, invited: true }]);
    } finally {
      await db.end();
    }

    // An address with an account in use gets the same kind of answer as a new one.
    const existing = await signUpMember(stack, 'existing');
    const joined = await invokeFull(stranger.client, 'team', { website_id: site, email: existing.email });
    expect(joined.status).toBe(200);
    expect(Object.keys(joined.body)).toEqual(Object.keys(invited.body));
    expect(Object.keys(joined.body.member).sort()).toEqual(Object.keys(invited.body.member).sort());
    expect(readOutbox(stack.mailDir, existing.email)).toEqual([]);
    expect((await client(stack).auth.signInWithPassword({ email: existing.email, password: existing.password })).error).toBeNull();
  });
});
