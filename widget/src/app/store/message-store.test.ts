import { describe, expect, it } from 'vitest';
import { MessageStore, type MessageRow } from './message-store.ts';

const row = (id: string, over: Partial<MessageRow> = {}): MessageRow => ({
  id,
  conversation_id: 'conv',
  content: `message ${id}`,
  sender: 'agent',
  created_at: `2026-01-01T10:00:0${id.replace(/\D/g, '') || 0}.000Z`,
  ...over,
});

const view = (store: MessageStore) => store.list().map((m) => `${m.sender}:${m.id ?? m.clientId ?? m.key}:${m.state}:${m.content}`);

describe('MessageStore reconciliation', () => {
  it('shows a stored message once whether it comes by SSE, realtime and catch-up, in any order', () => {
    const orders = [['sse', 'rt', 'catchup'], ['rt', 'sse', 'catchup'], ['catchup', 'rt', 'sse'], ['rt', 'catchup', 'sse']];
    for (const order of orders) {
      const store = new MessageStore();
      store.addPending('cid-1', 'Hello');
      const stored = row('1', { sender: 'user', content: 'Hello', client_id: 'cid-1' });
      const results = order.map((source) => (source === 'catchup' ? (store.upsertMany([stored]).length ? 'added' : 'merged') : store.upsert(stored)));
      expect(store.list(), order.join('>')).toHaveLength(1);
      expect(store.list()[0]).toMatchObject({ id: '1', clientId: 'cid-1', state: 'sent', content: 'Hello', key: 'c:cid-1' });
      // The first delivery confirmed the pending copy; none added a second one.
      expect(results.filter((r) => r === 'confirmed').length).toBe(order[0] === 'catchup' ? 0 : 1);
      expect(results).not.toContain('added');
    }
  });

  it('never matches by content: two identical texts are two messages', () => {
    const store = new MessageStore();
    store.addPending('a', 'ok');
    store.addPending('b', 'ok');
    store.upsert(row('1', { sender: 'user', content: 'ok', client_id: 'b' }));
    store.upsert(row('2', { sender: 'agent', content: 'ok' }));
    expect(store.list().map((m) => [m.clientId, m.id, m.state])).toEqual([
      ['b', '1', 'sent'],
      [undefined, '2', 'sent'],
      ['a', undefined, 'sending'],
    ]);
  });

  it('orders by server time whatever the arrival order, unconfirmed messages last', () => {
    const store = new MessageStore();
    store.addPending('p', 'pending one');
    store.upsert(row('3'));
    store.upsert(row('1'));
    store.upsertMany([row('2'), row('1'), row('3')]);
    expect(view(store)).toEqual(['agent:1:sent:message 1', 'agent:2:sent:message 2', 'agent:3:sent:message 3', 'user:p:sending:pending one']);
  });

  it('a retried send keeps its client_id: failure, retry and a late confirmation stay one message', () => {
    const store = new MessageStore();
    store.addPending('cid', 'Are you open on Sunday?');
    store.setState('cid', 'failed');
    expect(store.byClient('cid')!.state).toBe('failed');
    store.addPending('cid', 'Are you open on Sunday?');
    store.setState('cid', 'sending');
    store.upsert(row('5', { sender: 'user', client_id: 'cid', content: 'Are you open on Sunday?' }));
    store.setState('cid', 'failed'); // a stale failure after the confirmation changes nothing
    expect(store.list()).toHaveLength(1);
    expect(store.list()[0]).toMatchObject({ id: '5', state: 'sent' });
  });

  it('streams an answer and keeps it once when realtime delivers the stored answer before `done`', () => {
    const store = new MessageStore();
    store.addPending('q', 'question');
    store.upsert(row('1', { sender: 'user', client_id: 'q', content: 'question' }));
    store.startStream('q');
    expect(view(store)[1]).toBe('assistant:a:q:streaming:');
    store.delta('q', 'Hel');
    store.delta('q', 'lo');
    expect(view(store)[1]).toBe('assistant:a:q:streaming:Hello');
    // Realtime is faster than the SSE `done`: held back while our stream is open.
    expect(store.upsert(row('2', { sender: 'assistant', content: 'Hello!' }))).toBe('added');
    expect(store.list()).toHaveLength(2);
    expect(store.finishStream('q', { id: '2', content: 'Hello!', sender: 'assistant', sources: [{ title: 'FAQ', url: 'https://x.example/faq' }] })).toBe(false);
    store.upsertMany([row('1', { sender: 'user', client_id: 'q', content: 'question' }), row('2', { sender: 'assistant', content: 'Hello!' })]);
    expect(view(store)).toEqual(['user:1:sent:question', 'assistant:2:sent:Hello!']);
    expect(store.list()[1].sources).toEqual([{ title: 'FAQ', url: 'https://x.example/faq' }]);
  });

  it('turns the streaming bubble into the stored answer when `done` comes first', () => {
    const store = new MessageStore();
    store.addPending('q', 'question');
    store.upsert(row('1', { sender: 'user', client_id: 'q', content: 'question' }));
    store.startStream('q');
    store.delta('q', 'Hi');
    const key = store.list()[1].key;
    expect(store.finishStream('q', { id: '2', content: 'Hi there', sender: 'assistant', sources: [] })).toBe(true);
    expect(store.upsert(row('2', { sender: 'assistant', content: 'Hi there' }))).not.toBe('added');
    expect(store.list()).toHaveLength(2);
    expect(store.list()[1]).toMatchObject({ key, id: '2', content: 'Hi there', state: 'sent' });
  });

  it('an answer that is not ours shows after our stream ends; an aborted stream leaves no bubble', () => {
    const store = new MessageStore();
    store.startStream('q');
    store.upsert(row('7', { sender: 'assistant', content: 'from another tab' }));
    expect(store.list().map((m) => m.content)).toEqual(['']);
    store.abortStream('q');
    expect(store.list().map((m) => m.content)).toEqual(['from another tab']);
  });

  it('applies updates of a stored message (seen marker, edits) without duplicating it', () => {
    const store = new MessageStore();
    store.upsert(row('1', { sender: 'user' }));
    const before = store.list()[0].version;
    expect(store.upsert(row('1', { sender: 'user' }))).toBe('unchanged');
    expect(store.upsert(row('1', { sender: 'user', seen_at: '2026-01-01T10:00:09Z' }))).toBe('updated');
    expect(store.list()).toHaveLength(1);
    expect(store.list()[0].seen).toBe(true);
    expect(store.list()[0].version).toBeGreaterThan(before);
  });

  it('ignores malformed rows', () => {
    const store = new MessageStore();
    for (const bad of [null, {}, { id: 1, content: 'x' }, { id: 'x' }] as unknown as MessageRow[]) expect(store.upsert(bad)).toBe('unchanged');
    expect(store.list()).toEqual([]);
  });

  it('places widget notices after what is known when they are added', () => {
    const store = new MessageStore();
    store.upsert(row('1'));
    store.notice('paused', 'A team member will reply here soon.');
    store.upsert(row('2'));
    expect(store.list().map((m) => m.notice ? 'notice' : m.id)).toEqual(['1', 'notice', '2']);
  });
});

describe('timestampOf', () => {
  it('reads the same millisecond from a database row (microseconds, +00:00) and from an Edge Function (ISO, Z)', async () => {
    const { timestampOf } = await import('./message-store.ts');
    expect(timestampOf('2026-11-26T12:45:00.123456+00:00')).toBe(Date.parse('2026-11-26T12:45:00.123Z'));
    expect(timestampOf('2026-11-26 12:45:00.123456+00')).toBe(Date.parse('2026-11-26T12:45:00.123Z'));
    expect(timestampOf('2026-11-26T12:45:00.123Z')).toBe(Date.parse('2026-11-26T12:45:00.123Z'));
    expect(timestampOf('garbage')).toBeNaN();
  });

  it('keeps a notice after the message it follows when the realtime copy of that message arrives later', () => {
    const store = new MessageStore();
    store.addPending('c', 'Can you true my wheel?');
    store.upsert(row('1', { sender: 'user', client_id: 'c', created_at: '2026-11-26T12:45:00.123Z' }));
    store.notice('error:c', 'The assistant could not answer.');
    store.upsert(row('1', { sender: 'user', client_id: 'c', created_at: '2026-11-26T12:45:00.123456+00:00' }));
    expect(store.list().map((m) => (m.notice ? 'notice' : m.id))).toEqual(['1', 'notice']);
  });
});
