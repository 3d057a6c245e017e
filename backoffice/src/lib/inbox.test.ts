import { describe, expect, it } from 'vitest';
import { ConversationRows, filterParams, FILTERS, isNewer, matchesFilter, searchTerm, textMatches } from './inbox.ts';
import type { Conversation } from './rows.ts';

let n = 0;
function conv(fields: Partial<Conversation> = {}): Conversation {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, website_id: 'w', visitor_id: 'v', ai_mode: 'auto', status: 'open',
    title: `Conversation ${n}`, last_message_at: '2026-11-26T10:00:00.000Z', last_message_preview: 'Hello', last_message_sender: 'user',
    needs_human: false, assignee_id: null, visitor_last_read_at: null, agent_last_read_at: null, visitor_unread_count: 0,
    agent_unread_count: 0, closed_at: null, created_at: '2026-11-26T10:00:00.000Z', updated_at: '2026-11-26T10:00:00.000Z', ...fields,
  };
}

describe('inbox filters', () => {
  const open = conv();
  const waiting = conv({ needs_human: true, ai_mode: 'paused' });
  const closed = conv({ status: 'closed', needs_human: true });
  it('each filter keeps the conversations it names', () => {
    const keep = (f: (typeof FILTERS)[number]['key']) => [open, waiting, closed].filter((c) => matchesFilter(c, f)).map((c) => c.id);
    expect(keep('all')).toEqual([open.id, waiting.id, closed.id]);
    expect(keep('needs_human')).toEqual([waiting.id]);
    expect(keep('ai')).toEqual([open.id]);
    expect(keep('paused')).toEqual([waiting.id]);
    expect(keep('closed')).toEqual([closed.id]);
  });
  it('say the same to PostgREST', () => {
    expect(filterParams('needs_human')).toEqual([['status', 'eq.open'], ['needs_human', 'is.true']]);
    expect(filterParams('all')).toEqual([]);
  });
});

describe('search', () => {
  it('turns PostgREST syntax into wildcards and keeps the words', () => {
    expect(searchTerm('  call   me, (ref 12)  ')).toBe('call me* *ref 12');
    expect(searchTerm('50% off*')).toBe('50* off');
    expect(searchTerm('a"b\\c:d_e')).toBe('a*b*c*d*e');
    expect(searchTerm('x'.repeat(300))).toHaveLength(100);
  });
  it('matches like ilike with * wildcards, in order, ignoring case', () => {
    expect(textMatches('Yes, we will call you in ten minutes. (ab12)', searchTerm('minutes. (AB12'))).toBe(true);
    expect(textMatches('ten minutes', 'minutes*ten')).toBe(false);
    expect(textMatches(null, 'x')).toBe(false);
  });
});

describe('merging rows from REST and realtime', () => {
  it('keeps the row with the later updated_at whatever the arrival order', () => {
    const older = conv({ updated_at: '2026-11-26T10:00:01.000Z', agent_unread_count: 1 });
    const newer = { ...older, updated_at: '2026-11-26T10:00:02.000Z', agent_unread_count: 0 };
    expect(isNewer(older, newer)).toBe(true);
    expect(isNewer(newer, older)).toBe(false);
    const rows = new ConversationRows();
    expect(rows.upsert([newer])).toBe(true);
    expect(rows.upsert([older])).toBe(false);
    expect(rows.get(older.id)?.agent_unread_count).toBe(0);
  });

  it('lists by last activity, newest first, and sums unread messages over every row', () => {
    const rows = new ConversationRows();
    const a = conv({ last_message_at: '2026-11-26T09:00:00.000Z', agent_unread_count: 2 });
    const b = conv({ last_message_at: '2026-11-26T11:00:00.000Z', agent_unread_count: 1, status: 'closed' });
    const c = conv({ last_message_at: '2026-11-26T10:00:00.000Z' });
    rows.upsert([a, b, c]);
    expect(rows.list('all').map((r) => r.id)).toEqual([b.id, c.id, a.id]);
    expect(rows.list('ai').map((r) => r.id)).toEqual([c.id, a.id]);
    expect(rows.unreadTotal()).toBe(3);
    expect(rows.list('all', 'nothing', new Set([a.id])).map((r) => r.id)).toEqual([a.id]);
  });
});
