import { describe, expect, it } from 'vitest';
import { lastStoredAt, mergeMessages, type ShownMessage } from './messages.ts';
import type { Message } from './rows.ts';

const row = (id: string, at: string, fields: Partial<Message> = {}): Message => ({
  id, conversation_id: 'c', website_id: 'w', sender: 'user', content: id, author_id: null, client_id: null, metadata: {},
  created_at: at, updated_at: at, ...fields,
});
const pending = (clientId: string, at: string): ShownMessage => ({ ...row(`local:${clientId}`, at, { sender: 'agent', client_id: clientId }), state: 'sending' });

describe('a conversation\'s messages', () => {
  it('merge by id in time order, whatever arrives twice or out of order', () => {
    let list = mergeMessages([], [row('b', '2026-01-01T00:00:02Z'), row('a', '2026-01-01T00:00:01Z')]);
    list = mergeMessages(list, [row('b', '2026-01-01T00:00:02Z'), row('c', '2026-01-01T00:00:03Z')]);
    expect(list.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(list.every((m) => m.state === 'sent')).toBe(true);
  });

  it('an edit replaces the message, an older copy does not', () => {
    const edited = row('a', '2026-01-01T00:00:01Z', { content: 'edited', updated_at: '2026-01-01T00:00:09Z' });
    let list = mergeMessages([], [edited]);
    list = mergeMessages(list, [row('a', '2026-01-01T00:00:01Z')]);
    expect(list[0].content).toBe('edited');
  });

  it('the agent\'s pending reply gives way to the stored row with the same client_id', () => {
    const list = mergeMessages([pending('k1', '2026-01-01T00:00:05Z')], [row('s1', '2026-01-01T00:00:04Z', { sender: 'agent', client_id: 'k1' })]);
    expect(list.map((m) => [m.id, m.state])).toEqual([['s1', 'sent']]);
    expect(lastStoredAt(list)).toBe('2026-01-01T00:00:04Z');
  });

  it('a visitor-safe copy from conversation:ID (no author_id) keeps the author the known copy had', () => {
    const visitorSafe = (m: Message) => {
      const { author_id: _, ...rest } = m;
      return rest as Message;
    };
    const mine = { ...pending('k1', '2026-01-01T00:00:05Z'), author_id: 'me' };
    let list = mergeMessages([mine], [visitorSafe(row('s1', '2026-01-01T00:00:04Z', { sender: 'agent', client_id: 'k1' }))]);
    expect(list.map((m) => [m.id, m.author_id, m.state])).toEqual([['s1', 'me', 'sent']]);
    list = mergeMessages([], [row('s2', '2026-01-01T00:00:06Z', { sender: 'agent', author_id: 'other' })]);
    list = mergeMessages(list, [visitorSafe(row('s2', '2026-01-01T00:00:06Z', { sender: 'agent', content: 'edited', updated_at: '2026-01-01T00:00:07Z' }))]);
    expect(list.map((m) => [m.content, m.author_id])).toEqual([['edited', 'other']]);
  });

  it('catch-up starts after the last stored message, not after a pending one', () => {
    const list = [...mergeMessages([], [row('a', '2026-01-01T00:00:01Z')]), pending('k2', '2026-01-01T00:00:09Z')];
    expect(lastStoredAt(list)).toBe('2026-01-01T00:00:01Z');
    expect(lastStoredAt([])).toBeUndefined();
  });
});
