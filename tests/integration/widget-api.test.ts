// The Widget API Edge Functions (contract §4) against the shared test stack, with the offline
// answer engine (no API key): widget-init, widget-messages (SSE and JSON, idempotency, concurrency),
// widget-conversations, widget-identify, and every kind of bad input, each answered with a 4xx JSON
// envelope, after which a normal request still works. AI provider failures, timeouts, rate-limit
// bursts with low limits and Qdrant run on a private stack in widget-api-ai.test.ts.
import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { signJwt } from '../../scripts/stack/jwt.ts';
import { db, fn, member, names, postJson, readSse, sendMessage, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');
const DEMO = '00000000-0000-4000-8000-00000000d3e0';

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = await res.json();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\bat .*\.ts:\d+/); // never a stack trace
  return body;
}

describe('widget-init', () => {
  it('returns the public settings, AI state and engine, with an ETag the browser revalidates on every load; 304 when unchanged', async () => {
    const res = await fn(stack, `widget-init?website_id=${DEMO}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const body = await res.json();
    expect(body.website).toMatchObject({ id: DEMO, name: 'Northside Cycles', primary_color: '#14532d', launcher_position: 'right' });
    for (const field of ['welcome_message', 'input_placeholder', 'offline_message', 'widget_style']) expect(typeof body.website[field]).toBe('string');
    // Nothing server-side leaks: instructions, allowed domains, the account, the secret.
    for (const hidden of ['ai_instructions', 'allowed_domains', 'account_id', 'identity_secret']) expect(body.website).not.toHaveProperty(hidden);
    expect(JSON.stringify(body)).not.toMatch(/You are the assistant/);
    expect(body.ai).toEqual({ enabled: true, engine: 'offline' });
    expect(body.identity_verification).toBe(true);

    const again = await fn(stack, `widget-init?website_id=${DEMO}`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('changes its ETag when the settings change', async () => {
    const owner = await member(stack);
    const id = await website(stack, owner);
    const first = (await fn(stack, `widget-init?website_id=${id}`)).headers.get('etag');
    await db(stack).query(`update public.websites set primary_color = '#123456' where id = $1`, [id]);
    const res = await fn(stack, `widget-init?website_id=${id}`, { headers: { 'if-none-match': first! } });
    expect(res.status).toBe(200);
    expect((await res.json()).website.primary_color).toBe('#123456');
  });

  it('answers preflights and echoes an allowed Origin with Vary: Origin', async () => {
    const pre = await fn(stack, `widget-init?website_id=${DEMO}`, {
      method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:5555', 'access-control-request-method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5555');
    const res = await fn(stack, `widget-init?website_id=${DEMO}`, { headers: { origin: 'http://localhost:3000' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('bad input: malformed or missing UUID, unknown website, wrong method, disallowed Origin', async () => {
    await expectError(await fn(stack, 'widget-init?website_id=not-a-uuid'), 400, 'invalid_request');
    await expectError(await fn(stack, 'widget-init'), 400, 'invalid_request');
    await expectError(await fn(stack, `widget-init?website_id=${DEMO}&website_id=${DEMO}`), 400, 'invalid_request');
    await expectError(await fn(stack, `widget-init?website_id=${randomUUID()}`), 404, 'website_not_found');
    const post = await fn(stack, `widget-init?website_id=${DEMO}`, { method: 'POST', body: '{}' });
    await expectError(post, 405, 'method_not_allowed');
    expect(post.headers.get('allow')).toContain('GET');
    await expectError(await fn(stack, `widget-init?website_id=${DEMO}`, { headers: { origin: 'https://evil.example' } }), 403, 'origin_not_allowed');
    expect((await fn(stack, `widget-init?website_id=${DEMO}`)).status).toBe(200);
  });
});

describe('widget-messages: the demo site answers from its knowledge base (offline engine)', () => {
  it('streams conversation → message → deltas → done with citations, and stores both messages', async () => {
    const v = await visitor(stack);
    const clientId = randomUUID();
    const res = await postJson(stack, 'widget-messages', { website_id: DEMO, content: 'How much does an e-bike service cost?', client_id: clientId }, v.token, {
      'accept-language': 'en-GB,en;q=0.9', referer: 'http://127.0.0.1:54324/repairs',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    expect(names(events)).toEqual(['conversation', 'message', 'delta', 'done']);
    const conversationId = events[0].data.conversation_id;
    expect(events[1].data).toMatchObject({ sender: 'user', content: 'How much does an e-bike service cost?', client_id: clientId, conversation_id: conversationId });
    const text = events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('');
    const done = events.at(-1)!.data.message;
    expect(done.content).toBe(text.trim());
    expect(done.sender).toBe('assistant');
    expect(done.content).toMatch(/€139/);
    expect(done.content).toMatch(/\[1\]/);
    expect(done.sources[0]).toMatchObject({ title: 'E-bike servicing' });

    const { rows } = await db(stack).query(
      `select sender, content, metadata from public.messages where conversation_id = $1 order by created_at`, [conversationId]);
    expect(rows.map((r) => r.sender)).toEqual(['user', 'assistant']);
    expect(rows[1].metadata).toMatchObject({ engine: 'offline', model: 'emily-extractive-v1', grounded: true, sources: expect.arrayContaining([expect.objectContaining({ title: 'E-bike servicing' })]) });
    const { rows: [visitorRow] } = await db(stack).query(
      `select locale, last_page_url from public.visitors where website_id = $1 and user_id = $2`, [DEMO, v.userId]);
    expect(visitorRow).toEqual({ locale: 'en-GB', last_page_url: 'http://127.0.0.1:54324/repairs' });
  });

  it('through supabase-js functions.invoke as the widget would call it', async () => {
    const v = await visitor(stack);
    const { data, error } = await v.client.functions.invoke('widget-messages', {
      body: { website_id: DEMO, content: 'Can I rent a bike for a day?', client_id: randomUUID(), locale: 'en' },
    });
    expect(error).toBeNull();
    const events = await readSse(data as Response);
    expect(events.at(-1)!.event).toBe('done');
    expect(events.at(-1)!.data.message.sources.length).toBeGreaterThan(0);
  });

  it('says it does not know, offering a person, and flags the conversation, when nothing relevant is known', async () => {
    const v = await visitor(stack);
    const { events } = await sendMessage(stack, v, { website_id: DEMO, content: 'Do you sell sailing boats or kayaks?' });
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.message.content).toMatch(/couldn't find|person/i);
    expect(done.data.message.sources).toEqual([]);
    const { rows: [c] } = await db(stack).query(`select needs_human from public.conversations where id = $1`, [events[0].data.conversation_id]);
    expect(c.needs_human).toBe(true);
  });

  it('continues a conversation when conversation_id is given', async () => {
    const v = await visitor(stack);
    const first = await sendMessage(stack, v, { website_id: DEMO, content: 'When are you open?' });
    const conversationId = first.events[0].data.conversation_id;
    const second = await sendMessage(stack, v, { website_id: DEMO, conversation_id: conversationId, content: 'Where is the shop?' });
    expect(second.events[0].data.conversation_id).toBe(conversationId);
    const { rows } = await db(stack).query(`select count(*)::int as n from public.messages where conversation_id = $1`, [conversationId]);
    expect(rows[0].n).toBe(4);
  });
});

describe('widget-messages: idempotency by client_id', () => {
  it('the same client_id twice is the same stored message, one row, and no second answer', async () => {
    const v = await visitor(stack);
    const clientId = randomUUID();
    const first = await sendMessage(stack, v, { website_id: DEMO, content: 'What are your opening hours?', client_id: clientId });
    const second = await sendMessage(stack, v, { website_id: DEMO, content: 'What are your opening hours?', client_id: clientId });
    expect(second.events[0].data.conversation_id).toBe(first.events[0].data.conversation_id);
    expect(second.events[1].data.id).toBe(first.events[1].data.id);
    // The retry replays the stored answer instead of generating another.
    expect(names(second.events)).toEqual(['conversation', 'message', 'done']);
    expect(second.events.at(-1)!.data.message.id).toBe(first.events.at(-1)!.data.message.id);
    const { rows } = await db(stack).query(
      `select sender, count(*)::int as n from public.messages where conversation_id = $1 group by sender order by sender`, [first.events[0].data.conversation_id]);
    expect(rows).toEqual([{ sender: 'assistant', n: 1 }, { sender: 'user', n: 1 }]);
  });

  it('under concurrency: 8 simultaneous sends with one client_id store one message, one conversation, one answer', async () => {
    const v = await visitor(stack);
    const clientId = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () =>
      sendMessage(stack, v, { website_id: DEMO, content: 'Do you repair punctures?', client_id: clientId })));
    const conversations = new Set(results.map((r) => r.events[0].data.conversation_id));
    const messages = new Set(results.map((r) => r.events[1].data.id));
    const answers = new Set(results.map((r) => r.events.at(-1)!.data.message?.id));
    expect(conversations.size).toBe(1);
    expect(messages.size).toBe(1);
    expect(answers.size).toBe(1);
    const { rows } = await db(stack).query(
      `select m.sender, count(*)::int as n from public.messages m join public.conversations c on c.id = m.conversation_id
       where c.visitor_id = $1 group by m.sender order by m.sender`, [v.userId]);
    expect(rows).toEqual([{ sender: 'assistant', n: 1 }, { sender: 'user', n: 1 }]);
  });
});

describe('widget-messages: AI paused or off → JSON, owners notified through the data', () => {
  it('paused conversation → {conversation_id, message, ai: "paused"}, flagged for a human', async () => {
    const v = await visitor(stack);
    const first = await sendMessage(stack, v, { website_id: DEMO, content: 'Hello, is anyone there?' });
    const conversationId = first.events[0].data.conversation_id;
    await db(stack).query(`update public.conversations set ai_mode = 'paused' where id = $1`, [conversationId]);
    const { res, json } = await sendMessage(stack, v, { website_id: DEMO, conversation_id: conversationId, content: 'I want a person please' });
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ conversation_id: conversationId, ai: 'paused', message: { sender: 'user', content: 'I want a person please' } });
    const { rows } = await db(stack).query(`select needs_human from public.conversations where id = $1`, [conversationId]);
    expect(rows[0].needs_human).toBe(true);
    const { rows: assistant } = await db(stack).query(`select count(*)::int as n from public.messages where conversation_id = $1 and sender = 'assistant'`, [conversationId]);
    expect(assistant[0].n).toBe(1); // only the answer to the first message
  });

  it('AI off on the website → ai: "off"', async () => {
    const owner = await member(stack);
    const id = await website(stack, owner, { ai_enabled: false });
    const v = await visitor(stack);
    const { json } = await sendMessage(stack, v, { website_id: id, content: 'Hi' });
    expect(json).toMatchObject({ ai: 'off', message: { sender: 'user', content: 'Hi' } });
  });
});

describe('widget-messages: bad input', () => {
  it('every kind is a 4xx JSON envelope, and a normal request still works afterwards', async () => {
    const v = await visitor(stack);
    const ok = { website_id: DEMO, content: 'Hello', client_id: randomUUID() };
    const post = (body: unknown, token: string | null = v.token, headers: Record<string, string> = {}) => postJson(stack, 'widget-messages', body, token, headers);

    await expectError(await fn(stack, 'widget-messages', { token: v.token }), 405, 'method_not_allowed');
    await expectError(await fn(stack, 'widget-messages', { method: 'PUT', token: v.token, body: '{}' }), 405, 'method_not_allowed');
    await expectError(await fn(stack, 'widget-messages', { method: 'POST', token: v.token, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(ok) }), 415, 'unsupported_media_type');
    await expectError(await post('{"website_id": '), 400, 'invalid_json');
    await expectError(await post(''), 400, 'invalid_json');
    await expectError(await post('[1,2]'), 400, 'invalid_request');
    await expectError(await post({ ...ok, content: 42 }), 400, 'invalid_request');
    await expectError(await post({ ...ok, website_id: 7 }), 400, 'invalid_request');
    await expectError(await post({ ...ok, client_id: undefined }), 400, 'invalid_request');
    await expectError(await post({ ...ok, content: undefined }), 400, 'invalid_request');
    await expectError(await post({ ...ok, content: '   \n ' }), 400, 'invalid_request');
    const long = await expectError(await post({ ...ok, content: 'x'.repeat(4001) }), 400, 'invalid_request');
    expect(long.error.message).toMatch(/4000/);
    await expectError(await post({ ...ok, content: 'x'.repeat(70 * 1024) }), 413, 'payload_too_large');
    await expectError(await post({ ...ok, website_id: 'nope' }), 400, 'invalid_request');
    await expectError(await post({ ...ok, client_id: '1234' }), 400, 'invalid_request');
    await expectError(await post({ ...ok, conversation_id: 'abc' }), 400, 'invalid_request');
    await expectError(await post({ ...ok, website_id: randomUUID() }), 404, 'website_not_found');
    await expectError(await post(ok, null), 401, 'unauthorized');
    await expectError(await post(ok, 'garbage'), 401, 'unauthorized');
    await expectError(await post(ok, stack.anonKey), 401, 'unauthorized');
    const expired = signJwt({ sub: v.userId, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) - 60, is_anonymous: true }, stack.jwtSecret);
    await expectError(await post(ok, expired), 401, 'unauthorized');
    const forged = signJwt({ sub: v.userId, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-secret-not-the-secret-not-the-secret');
    await expectError(await post(ok, forged), 401, 'unauthorized');
    await expectError(await post(ok, v.token, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');

    const good = await sendMessage(stack, v, ok);
    expect(good.res.status).toBe(200);
    expect(good.events.at(-1)!.event).toBe('done');
  });

  it("someone else's conversation is 404 and stores nothing", async () => {
    const a = await visitor(stack);
    const b = await visitor(stack);
    const first = await sendMessage(stack, a, { website_id: DEMO, content: 'Do you sell helmets?' });
    const conversationId = first.events[0].data.conversation_id;
    await expectError(await postJson(stack, 'widget-messages', { website_id: DEMO, conversation_id: conversationId, content: 'sneaky', client_id: randomUUID() }, b.token), 404, 'conversation_not_found');
    const { rows } = await db(stack).query(`select count(*)::int as n from public.messages where content = 'sneaky'`);
    expect(rows[0].n).toBe(0);
  });

  it('a signed-out session is refused (revocation is checked with Auth, not only the signature)', async () => {
    const v = await visitor(stack);
    await v.client.auth.signOut();
    await expectError(await postJson(stack, 'widget-messages', { website_id: DEMO, content: 'hi', client_id: randomUUID() }, v.token), 401, 'unauthorized');
  });

  it('a burst over the per-visitor limit gets 429 with Retry-After; other visitors are unaffected', async () => {
    const owner = await member(stack);
    const id = await website(stack, owner, { ai_enabled: false });
    const v = await visitor(stack);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    // 45 sends: even if a window boundary falls inside the burst, one window sees more than 20.
    for (let i = 0; i < 45; i++) {
      const res = await postJson(stack, 'widget-messages', { website_id: id, content: `m${i}`, client_id: randomUUID() }, v.token);
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        await expectError(res, 429, 'rate_limited');
      } else await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const other = await visitor(stack);
    const { res } = await sendMessage(stack, other, { website_id: id, content: 'still fine' });
    expect(res.status).toBe(200);
  });
});

describe('widget-conversations', () => {
  it("lists the caller's own conversations only, newest first", async () => {
    const a = await visitor(stack);
    const b = await visitor(stack);
    const one = await sendMessage(stack, a, { website_id: DEMO, content: 'Do you have kids bikes?' });
    const two = await sendMessage(stack, a, { website_id: DEMO, content: 'What about trade-in?' });
    await sendMessage(stack, b, { website_id: DEMO, content: 'B asks something' });
    const res = await fn(stack, `widget-conversations?website_id=${DEMO}`, { token: a.token });
    expect(res.status).toBe(200);
    const { conversations } = await res.json();
    expect(conversations.map((c: { id: string }) => c.id)).toEqual([two.events[0].data.conversation_id, one.events[0].data.conversation_id]);
    expect(conversations[0]).toMatchObject({ title: 'What about trade-in?', ai_mode: 'auto', last_message: { sender: 'assistant' } });
    expect(typeof conversations[0].updated_at).toBe('string');
  });

  it('a conversation’s messages oldest first, and only those after a given message', async () => {
    const v = await visitor(stack);
    const first = await sendMessage(stack, v, { website_id: DEMO, content: 'When are you open on Saturday?' });
    const conversationId = first.events[0].data.conversation_id;
    const second = await sendMessage(stack, v, { website_id: DEMO, conversation_id: conversationId, content: 'And on Sunday?' });
    const all = await (await fn(stack, `widget-conversations/${conversationId}/messages`, { token: v.token })).json();
    expect(all.messages.map((m: { sender: string }) => m.sender)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(all.messages[1].sources.length).toBeGreaterThan(0);
    // Those after the cursor, preceded by those stamped in the 10 s before it (a message stamped
    // earlier may be committed later); never the cursor itself.
    const ids = (page: { messages: Array<{ id: string }> }) => page.messages.map((m) => m.id);
    const [firstAsk, firstAnswer] = [first.events[1].data.id, first.events.at(-1)!.data.message.id];
    const [secondAsk, secondAnswer] = [second.events[1].data.id, second.events.at(-1)!.data.message.id];
    const after = await (await fn(stack, `widget-conversations/${conversationId}/messages?after=${firstAnswer}`, { token: v.token })).json();
    expect(ids(after).slice(-2)).toEqual([secondAsk, secondAnswer]);
    expect(ids(after).slice(0, -2)).toEqual(ids(after).length > 2 ? [firstAsk] : []);
    const none = await (await fn(stack, `widget-conversations/${conversationId}/messages?after=${secondAnswer}`, { token: v.token })).json();
    expect(none.has_more).toBe(false);
    expect([firstAsk, firstAnswer, secondAsk]).toEqual(expect.arrayContaining(ids(none)));
  });

  it("bad input: another visitor's conversation 404, unknown after 400, malformed ids, wrong method, no session", async () => {
    const a = await visitor(stack);
    const b = await visitor(stack);
    const first = await sendMessage(stack, a, { website_id: DEMO, content: 'Is there parking?' });
    const conversationId = first.events[0].data.conversation_id;
    await expectError(await fn(stack, `widget-conversations/${conversationId}/messages`, { token: b.token }), 404, 'conversation_not_found');
    await expectError(await fn(stack, `widget-conversations/${randomUUID()}/messages`, { token: a.token }), 404, 'conversation_not_found');
    await expectError(await fn(stack, `widget-conversations/${conversationId}/messages?after=${randomUUID()}`, { token: a.token }), 400, 'unknown_message');
    await expectError(await fn(stack, `widget-conversations/${conversationId}/messages?after=zzz`, { token: a.token }), 400, 'invalid_request');
    await expectError(await fn(stack, `widget-conversations/${conversationId}/messages?limit=0`, { token: a.token }), 400, 'invalid_request');
    await expectError(await fn(stack, 'widget-conversations/not-a-uuid/messages', { token: a.token }), 400, 'invalid_request');
    await expectError(await fn(stack, 'widget-conversations?website_id=bad', { token: a.token }), 400, 'invalid_request');
    await expectError(await fn(stack, `widget-conversations?website_id=${randomUUID()}`, { token: a.token }), 404, 'website_not_found');
    await expectError(await fn(stack, `widget-conversations?website_id=${DEMO}`), 401, 'unauthorized');
    await expectError(await fn(stack, `widget-conversations?website_id=${DEMO}`, { token: 'x.y.z' }), 401, 'unauthorized');
    await expectError(await fn(stack, `widget-conversations?website_id=${DEMO}`, { method: 'POST', token: a.token, body: '{}' }), 405, 'method_not_allowed');
    await expectError(await fn(stack, `widget-conversations?website_id=${DEMO}`, { token: a.token, headers: { origin: 'https://evil.example' } }), 403, 'origin_not_allowed');
    expect((await fn(stack, `widget-conversations?website_id=${DEMO}`, { token: a.token })).status).toBe(200);
  });
});

describe('widget-identify', () => {
  it('a correct HMAC stores the identity; a wrong one is 403 and stores nothing', async () => {
    const owner = await member(stack);
    const id = await website(stack, owner);
    const { rows: [{ identity_secret: secret }] } = await db(stack).query(`select identity_secret from public.website_secrets where website_id = $1`, [id]);
    const v = await visitor(stack);
    const hash = (userId: string, key = secret) => createHmac('sha256', key).update(userId).digest('hex');

    const wrong = await postJson(stack, 'widget-identify', { website_id: id, user_id: 'user-42', user_hash: hash('user-42', 'another-secret'), name: 'Mallory', email: 'm@evil.example' }, v.token);
    await expectError(wrong, 403, 'identity_not_verified');
    const { rows: none } = await db(stack).query(`select external_id from public.visitors where website_id = $1 and user_id = $2`, [id, v.userId]);
    expect(none.every((r) => r.external_id === null)).toBe(true);

    const ok = await postJson(stack, 'widget-identify', { website_id: id, user_id: 'user-42', user_hash: hash('user-42'), name: 'Ann Lee', email: 'ann@example.com' }, v.token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ verified: true });
    const { rows: [row] } = await db(stack).query(`select external_id, name, email, identified_at from public.visitors where website_id = $1 and user_id = $2`, [id, v.userId]);
    expect(row).toMatchObject({ external_id: 'user-42', name: 'Ann Lee', email: 'ann@example.com' });
    expect(row.identified_at).toBeInstanceOf(Date);
  });

  it('bad input', async () => {
    const v = await visitor(stack);
    const body = { website_id: DEMO, user_id: 'u', user_hash: 'a'.repeat(64) };
    await expectError(await postJson(stack, 'widget-identify', { ...body, user_hash: 'xyz' }, v.token), 400, 'invalid_request');
    await expectError(await postJson(stack, 'widget-identify', { ...body, user_id: '' }, v.token), 400, 'invalid_request');
    await expectError(await postJson(stack, 'widget-identify', { ...body, email: 'not-mail' }, v.token), 400, 'invalid_request');
    await expectError(await postJson(stack, 'widget-identify', { ...body, website_id: 'x' }, v.token), 400, 'invalid_request');
    await expectError(await postJson(stack, 'widget-identify', { ...body, website_id: randomUUID() }, v.token), 404, 'website_not_found');
    await expectError(await postJson(stack, 'widget-identify', '{bad', v.token), 400, 'invalid_json');
    await expectError(await postJson(stack, 'widget-identify', body, null), 401, 'unauthorized');
    await expectError(await postJson(stack, 'widget-identify', body, 'garbage'), 401, 'unauthorized');
    const expired = signJwt({ sub: v.userId, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) - 60, is_anonymous: true }, stack.jwtSecret);
    await expectError(await postJson(stack, 'widget-identify', body, expired), 401, 'unauthorized');
    await expectError(await postJson(stack, 'widget-identify', { ...body, user_id: 42 }, v.token), 400, 'invalid_request');
    await expectError(await postJson(stack, 'widget-identify', { ...body, name: 'x'.repeat(70 * 1024) }, v.token), 413, 'payload_too_large');
    await expectError(await fn(stack, 'widget-identify', { method: 'POST', token: v.token, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) }), 415, 'unsupported_media_type');
    await expectError(await fn(stack, 'widget-identify', { token: v.token }), 405, 'method_not_allowed');
    await expectError(await postJson(stack, 'widget-identify', body, v.token, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    await expectError(await postJson(stack, 'widget-identify', body, v.token), 403, 'identity_not_verified');
  });
});
