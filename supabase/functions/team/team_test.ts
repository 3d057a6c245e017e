// deno-lint-ignore-file no-explicit-any -- answers are JSON of many shapes, checked field by field
// Integration tests of the team function over HTTP against the running test stack (`npm test`
// passes it in EMILY_TEST_STACK): real Auth, REST, RLS and Postgres. Bad input of every kind is a
// 4xx JSON error (never a 5xx); only a website's owners may invite; a new address gets Supabase
// Auth's invitation (read back from the stack's outbox: no mail server runs locally) and can sign
// in only after opening its link and choosing a password; nobody else ever picks that password.
import { deepStrictEqual as assertEquals, ok } from 'node:assert/strict';
import { readOutbox } from '../../../scripts/stack/auth/outbox.ts';

const stack = JSON.parse(Deno.env.get('EMILY_TEST_STACK') ?? 'null') as { apiUrl: string; anonKey: string; mailDir: string } | null;
const ignore = !stack;
const api = stack?.apiUrl ?? '';
const anonKey = stack?.anonKey ?? '';
const TEAM = `${api}/functions/v1/team`;
const statuses: number[] = [];

interface Session { token: string; userId: string; email?: string }

async function auth(path: string, body: unknown): Promise<Response> {
  return await fetch(`${api}/auth/v1/${path}`, {
    method: 'POST', headers: { apikey: anonKey, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
}

async function session(res: Response): Promise<Session> {
  const body = await res.json();
  if (!res.ok) throw new Error(`auth ${res.status}: ${JSON.stringify(body)}`);
  return { token: body.access_token, userId: body.user.id, email: body.user.email };
}

const signUp = async (email = `team-${crypto.randomUUID()}@test.emily.local`, password = 'correct-horse-battery') =>
  await session(await auth('signup', { email, password }));
const signIn = async (email: string, password: string) => await auth('token?grant_type=password', { email, password });
const visitor = async () => await session(await auth('signup', {}));

const outbox = (email: string) => readOutbox(stack?.mailDir ?? '', email);

/** Opens the link of the latest invitation to `email` (no apikey, as a browser), then sets a password with its session. */
async function acceptInvitation(email: string, password: string): Promise<Session> {
  const mails = outbox(email);
  ok(mails.length > 0, `an invitation to ${email} in the outbox`);
  const res = await fetch(mails.at(-1)!.link, { redirect: 'manual' });
  await res.body?.cancel();
  assertEquals(res.status, 303);
  const fragment = new URLSearchParams((res.headers.get('location') ?? '').split('#')[1] ?? '');
  assertEquals(fragment.get('type'), 'invite');
  const token = fragment.get('access_token')!;
  const set = await fetch(`${api}/auth/v1/user`, {
    method: 'PUT', headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  assertEquals(set.status, 200, await set.clone().text());
  await set.body?.cancel();
  return await session(await signIn(email, password));
}

async function rest(s: Session, method: string, path: string, body?: unknown, prefer = 'return=representation'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api}/rest/v1/${path}`, {
    method,
    headers: { apikey: anonKey, authorization: `Bearer ${s.token}`, 'content-type': 'application/json', prefer },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function createWebsite(owner: Session, name: string): Promise<string> {
  const { status, body } = await rest(owner, 'POST', 'websites', { name });
  if (status !== 201) throw new Error(`website ${status} ${JSON.stringify(body)}`);
  return body[0].id;
}

async function call(init: { token?: string; body?: unknown; raw?: string; method?: string; contentType?: string; path?: string }): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { apikey: anonKey, origin: 'http://127.0.0.1:54323' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.contentType !== '') headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(TEAM + (init.path ?? ''), {
    method: init.method ?? 'POST', headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  statuses.push(res.status);
  const text = await res.text();
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : null; } catch { /* kept as text */ }
  return { status: res.status, body, headers: res.headers };
}

function assertError(res: { status: number; body: any }, status: number, code: string, message?: RegExp) {
  assertEquals(res.status, status, JSON.stringify(res.body));
  assertEquals(res.body?.error?.code, code, JSON.stringify(res.body));
  ok(typeof res.body.error.message === 'string' && !/\bat .*\.ts:\d+/.test(res.body.error.message), 'a message, never a stack trace');
  if (message) ok(message.test(res.body.error.message), res.body.error.message);
}

Deno.test({
  name: 'team: owners invite by e-mail; every bad request is a clear 4xx; non-owners get 403',
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const owner = await signUp();
    const other = await signUp();
    const site = await createWebsite(owner, 'Team Test Cycles');
    const otherSite = await createWebsite(other, 'Someone Else Ltd');
    const newEmail = () => `invitee-${crypto.randomUUID()}@test.emily.local`;

    await t.step('CORS preflight and headers on errors', async () => {
      const res = await call({ method: 'OPTIONS', contentType: '' });
      assertEquals(res.status, 204);
      assertEquals(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:54323');
      const err = await call({ body: {} });
      assertEquals(err.headers.get('access-control-allow-origin'), 'http://127.0.0.1:54323');
    });

    await t.step('no session, the anon key, a forged token: 401', async () => {
      assertError(await call({ body: { website_id: site, email: newEmail() } }), 401, 'unauthorized');
      assertError(await call({ token: anonKey, body: { website_id: site, email: newEmail() } }), 401, 'unauthorized');
      assertError(await call({ token: `${owner.token.slice(0, -4)}AAAA`, body: { website_id: site, email: newEmail() } }), 401, 'unauthorized');
    });

    await t.step('wrong method, path, content type, JSON', async () => {
      assertError(await call({ token: owner.token, method: 'GET', contentType: '' }), 405, 'method_not_allowed');
      assertError(await call({ token: owner.token, method: 'DELETE', path: `/${site}` }), 404, 'not_found');
      assertError(await call({ token: owner.token, raw: 'email=a@b.co', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
      assertError(await call({ token: owner.token, raw: '{"website_id":' }), 400, 'invalid_json');
      assertError(await call({ token: owner.token, raw: '' }), 400, 'invalid_json');
      assertError(await call({ token: owner.token, body: [site, 'a@b.co'] }), 400, 'invalid_request', /JSON object/);
      assertError(await call({ token: owner.token, body: 'a@b.co' }), 400, 'invalid_request');
    });

    await t.step('oversize bodies: 413 before anything is stored', async () => {
      const email = newEmail();
      assertError(await call({ token: owner.token, body: { website_id: site, email, role: 'x'.repeat(70_000) } }), 413, 'payload_too_large');
      const team = await rest(owner, 'POST', 'rpc/website_team', { site_id: site });
      assertEquals(team.body.length, 1, 'the team is still the owner alone');
    });

    await t.step('missing fields, wrong types, bad UUIDs, bad values: 400 naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ email: newEmail() }, /^website_id is required/],
        [{ website_id: 7, email: newEmail() }, /^website_id must be a string UUID/],
        [{ website_id: { id: site }, email: newEmail() }, /^website_id must be a string UUID/],
        [{ website_id: `${site}0`, email: newEmail() }, /^website_id must be a UUID/],
        [{ website_id: "' or 1=1 --", email: newEmail() }, /^website_id must be a UUID/],
        [{ website_id: site }, /^email is required/],
        [{ website_id: site, email: 12 }, /^email must be a string/],
        [{ website_id: site, email: 'not an address' }, /^email must be an e-mail address/],
        [{ website_id: site, email: `${'x'.repeat(260)}@example.com` }, /^email must be at most 254/],
        [{ website_id: site, email: newEmail(), role: 'admin' }, /^role must be one of agent, owner/],
        [{ website_id: site, email: newEmail(), role: true }, /^role must be one of/],
        [{ website_id: site, email: newEmail(), user_id: owner.userId }, /^user_id is not a field/],
      ];
      for (const [body, message] of cases) assertError(await call({ token: owner.token, body }), 400, 'invalid_request', message);
    });

    await t.step('someone else\'s website, an unknown website, a visitor: 403 with the same words', async () => {
      const refused = /^Only the website's owners can invite team members\.$/;
      assertError(await call({ token: owner.token, body: { website_id: otherSite, email: newEmail() } }), 403, 'forbidden', refused);
      assertError(await call({ token: owner.token, body: { website_id: crypto.randomUUID(), email: newEmail() } }), 403, 'forbidden', refused);
      const anonymous = await visitor();
      assertError(await call({ token: anonymous.token, body: { website_id: site, email: newEmail() } }), 403, 'forbidden', refused);
      const { body } = await rest(other, 'GET', `website_members?website_id=eq.${otherSite}&select=user_id`);
      assertEquals(body.length, 1, 'nothing was added to the other website');
    });

    await t.step('a password chosen by the inviter is refused, and nothing is created or sent', async () => {
      const email = newEmail();
      for (const password of ['chosen by the owner', '', null]) {
        assertError(await call({ token: owner.token, body: { website_id: site, email, password } }), 400, 'invalid_request', /^password is not accepted/);
      }
      assertEquals((await signIn(email, 'chosen by the owner')).status, 400);
      assertEquals(outbox(email), [], 'no invitation was sent');
      const team = await rest(owner, 'POST', 'rpc/website_team', { site_id: site });
      assertEquals(team.body.length, 1);
    });

    let agent: Session & { password: string };
    await t.step('a new address gets an invitation e-mail; the account signs in only once the link is opened and a password chosen', async () => {
      const email = newEmail();
      const res = await call({ token: owner.token, body: { website_id: site, email: email.toUpperCase() } });
      assertEquals(res.status, 201, JSON.stringify(res.body));
      assertEquals(Object.keys(res.body), ['member'], 'no password, no word on whether the address had an account');
      assertEquals(res.body.member.email, email);
      assertEquals(res.body.member.role, 'agent');
      const [mail] = outbox(email);
      assertEquals(mail.type, 'invite');
      assertEquals(mail.redirect_to, 'http://127.0.0.1:54323/', 'the link leads to the backoffice the owner invited from');
      for (const guess of ['correct-horse-battery', 'chosen by the owner', '']) assertEquals((await signIn(email, guess)).status, 400);
      agent = { ...(await acceptInvitation(email, 'the agent chose this')), password: 'the agent chose this' };
      assertEquals(agent.userId, res.body.member.user_id);
      const team = await rest(owner, 'POST', 'rpc/website_team', { site_id: site });
      assertEquals(team.body.map((m: { email: string; role: string }) => `${m.role} ${m.email}`).sort(), [`agent ${email}`, `owner ${owner.email}`].sort());
    });

    await t.step('the same person twice: 409, whatever the letter case', async () => {
      const email = agent.email!;
      assertError(await call({ token: owner.token, body: { website_id: site, email: email.toUpperCase(), role: 'owner' } }), 409, 'already_member', /already on this website's team \(agent\)/);
    });

    await t.step('inviting someone still waiting sends a new link (the old one stops working)', async () => {
      const email = newEmail();
      const first = await call({ token: owner.token, body: { website_id: site, email } });
      const second = await call({ token: owner.token, body: { website_id: site, email } });
      assertEquals(second.status, 201, JSON.stringify(second.body));
      assertEquals(second.body, first.body);
      const mails = outbox(email);
      assertEquals(mails.length, 2);
      const stale = await fetch(mails[0].link, { redirect: 'manual' });
      await stale.body?.cancel();
      ok((stale.headers.get('location') ?? '').includes('error_code=otp_expired'));
      const removed = await rest(owner, 'DELETE', `website_members?website_id=eq.${site}&user_id=eq.${first.body.member.user_id}`);
      assertEquals(removed.body.length, 1, 'the seat is freed again');
    });

    await t.step('an agent cannot invite (403), nor add members through REST (RLS)', async () => {
      assertError(await call({ token: agent.token, body: { website_id: site, email: newEmail() } }), 403, 'forbidden');
      const direct = await rest(agent, 'POST', 'website_members', { website_id: site, user_id: other.userId, role: 'agent' });
      ok(direct.status === 403 || direct.status === 401, `REST insert by an agent: ${direct.status}`);
      const rpc = await rest(agent, 'POST', 'rpc/add_website_member', { site_id: site, member_email: other.email, member_role: 'owner' });
      assertEquals(rpc.status, 403);
    });

    let coOwner: Session;
    await t.step('an invited owner chooses a password and signs in as owner', async () => {
      const email = newEmail();
      const res = await call({ token: owner.token, body: { website_id: site, email, role: 'owner' } });
      assertEquals(res.status, 201, JSON.stringify(res.body));
      assertEquals(res.body.member.role, 'owner');
      coOwner = await acceptInvitation(email, 'the co-owner chose this');
    });

    await t.step('owners remove members through REST (RLS), which frees the seat', async () => {
      const removed = await rest(owner, 'DELETE', `website_members?website_id=eq.${site}&user_id=eq.${agent.userId}`);
      assertEquals(removed.body.length, 1);
      assertError(await call({ token: agent.token, body: { website_id: site, email: newEmail() } }), 403, 'forbidden');
    });

    await t.step('an invited owner invites in turn; an existing account joins as it is, with an answer shaped like any other', async () => {
      const res = await call({ token: coOwner.token, body: { website_id: site, email: other.email } });
      assertEquals(res.status, 201, JSON.stringify(res.body));
      assertEquals(Object.keys(res.body), ['member']);
      assertEquals(Object.keys(res.body.member).sort(), ['created_at', 'email', 'role', 'user_id']);
      assertEquals(res.body.member.user_id, other.userId);
      assertEquals(outbox(other.email!), [], 'an account in use gets no invitation link');
      assertEquals((await signIn(other.email!, 'correct-horse-battery')).status, 200);
      const seen = await rest(other, 'GET', `websites?id=eq.${site}&select=id`);
      assertEquals(seen.body, [{ id: site }], 'the new member now sees the website');
    });

    await t.step('never a 5xx', () => {
      ok(statuses.every((s) => s < 500), `statuses: ${statuses.join(', ')}`);
    });
  },
});
