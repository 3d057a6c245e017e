// Bad input that used to be a 500 (security review M5), against the shared test stack: NUL and
// unpaired surrogates in text fields, a client_id that is (or pre-empts) an answer's derived id or
// belongs to another message, mark_conversation_read on a conversation the caller cannot see, and a
// file with NUL bytes. Each is now a 4xx JSON envelope (or, for the file, simply read).
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { db, eventually, fn, member, postJson, sendMessage, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');

/** The answer's client_id as widget-messages derives it: UUID v5 of `answer:<client_id>` in Emily's namespace (computed independently here). */
function answerClientId(clientId: string): string {
  const namespace = Buffer.from('5b7e3a2c9d414f0e8a6b1c2d3e4f5a6b', 'hex');
  const hash = createHash('sha1').update(namespace).update(`answer:${clientId.toLowerCase()}`).digest().subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

async function aiSite() {
  const owner = await member(stack);
  const id = await website(stack, owner, { ai_enabled: true });
  return { owner, id };
}

describe('text fields with NUL or unpaired surrogates', () => {
  it('are refused with 400 in widget-messages, widget-identify and knowledge; a normal request works afterwards', async () => {
    const { owner, id } = await aiSite();
    const v = await visitor(stack);
    const send = (body: Record<string, unknown>) => postJson(stack, 'widget-messages', { website_id: id, client_id: randomUUID(), content: 'hi', ...body }, v.token);
    await expectError(await send({ content: 'hello\u0000world' }), 400, 'invalid_request');
    await expectError(await send({ locale: 'en\u0000' }), 400, 'invalid_request');
    await expectError(await send({ content: 'half a pair \ud83d' }), 400, 'invalid_request');
    await expectError(await postJson(stack, 'widget-identify', { website_id: id, user_id: 'u\u0000', user_hash: 'a'.repeat(64) }, v.token), 400, 'invalid_request');
    await expectError(await postJson(stack, 'knowledge', { website_id: id, kind: 'text', content: 'a\u0000b' }, owner.token), 400, 'invalid_request');
    const { rows } = await db(stack).query(`select count(*)::int as n from public.messages where website_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
    const ok = await sendMessage(stack, v, { website_id: id, content: 'Hello again, emoji 🚲 included' });
    expect(ok.res.status).toBe(200);
    expect(ok.events.at(-1)?.event).toBe('done');
  });

  it('a text file with NUL bytes is read (the NULs dropped) instead of failing in the database', async () => {
    const { owner, id } = await aiSite();
    const form = new FormData();
    form.set('website_id', id);
    form.set('file', new Blob(['Opening hours\u0000: nine to five.\n'], { type: 'text/plain' }), 'hours.txt');
    const res = await fn(stack, 'knowledge', { method: 'POST', token: owner.token, body: form });
    expect(res.status).toBe(202);
    const sourceId = (await res.json()).source.id;
    const source = await eventually(async () => {
      const { rows } = await db(stack).query(`select status, error, content from public.knowledge_sources where id = $1`, [sourceId]);
      return rows[0]?.status === 'ready' || rows[0]?.status === 'failed' ? rows[0] : undefined;
    });
    expect(source).toEqual({ status: 'ready', error: null, content: 'Opening hours: nine to five.' });
  });
});

describe('client_id collisions', () => {
  it("an answer's client_id sent as a visitor's is a 400, not a 500", async () => {
    const { id } = await aiSite();
    const v = await visitor(stack);
    const first = await sendMessage(stack, v, { website_id: id, content: 'What are your opening hours?' });
    const done = first.events.find((e) => e.event === 'done')!.data.message;
    expect(done.client_id).toBe(answerClientId(first.events.find((e) => e.event === 'message')!.data.client_id));
    const res = await postJson(stack, 'widget-messages', {
      website_id: id, conversation_id: done.conversation_id, content: 'copying the answer id', client_id: done.client_id,
    }, v.token);
    await expectError(res, 400, 'invalid_request');
  });

  it('a derived id planted before its message is refused, and the real answer is an answer', async () => {
    const { id } = await aiSite();
    const v = await visitor(stack);
    const opening = await sendMessage(stack, v, { website_id: id, content: 'Hello' });
    const conversationId = opening.events[0].data.conversation_id;
    const clientId = randomUUID();
    const planted = await postJson(stack, 'widget-messages', {
      website_id: id, conversation_id: conversationId, content: 'I am the answer now', client_id: answerClientId(clientId),
    }, v.token);
    await expectError(planted, 400, 'invalid_request');
    const real = await sendMessage(stack, v, { website_id: id, conversation_id: conversationId, content: 'Do you repair bikes?', client_id: clientId });
    const done = real.events.find((e) => e.event === 'done')!.data.message;
    expect(done).toMatchObject({ sender: 'assistant', client_id: answerClientId(clientId) });
    expect(done.content).not.toBe('I am the answer now');
  });

  it("another message's client_id in the same conversation is a 409 client_id_conflict", async () => {
    const { owner, id } = await aiSite();
    const v = await visitor(stack);
    const opening = await sendMessage(stack, v, { website_id: id, content: 'Hello' });
    const conversationId = opening.events[0].data.conversation_id;
    const agentClientId = randomUUID();
    await db(stack).query(
      `insert into public.messages (conversation_id, sender, content, client_id, author_id) values ($1, 'agent', 'Hi, Sam here.', $2, $3)`,
      [conversationId, agentClientId, owner.userId]);
    const res = await postJson(stack, 'widget-messages', { website_id: id, conversation_id: conversationId, content: 'me too', client_id: agentClientId }, v.token);
    await expectError(res, 409, 'client_id_conflict');
  });
});

describe('rpc/mark_conversation_read', () => {
  it("someone else's or an unknown conversation is a 404 (PT404), not a 500; one's own still works", async () => {
    const { id } = await aiSite();
    const owner = await visitor(stack);
    const { events } = await sendMessage(stack, owner, { website_id: id, content: 'Hello' });
    const conversationId = events[0].data.conversation_id;
    const stranger = await visitor(stack);
    for (const convId of [conversationId, randomUUID()]) {
      const { error, status } = await stranger.client.rpc('mark_conversation_read', { conv_id: convId });
      expect(status).toBe(404);
      expect(error).toMatchObject({ code: 'PT404', message: 'Conversation not found' });
    }
    const mine = await owner.client.rpc('mark_conversation_read', { conv_id: conversationId });
    expect(mine.error).toBeNull();
  });
});
