// The catch-up cursor: the newest message read from the database, in the server's order
// (created_at, id). A catch-up (`?after=`) also returns the messages stamped in the 10 s before the
// cursor, ahead of the newer ones; they must never pull the cursor back.
import { describe, expect, it } from 'vitest';
import { ConversationView } from './conversation-view.ts';
import type { MessageRow } from './store/message-store.ts';

const row = (id: string, second: number, ms = 0): MessageRow => ({
  id,
  sender: 'agent',
  content: id,
  created_at: `2026-01-01T10:00:${String(second).padStart(2, '0')}.${String(ms).padStart(3, '0')}Z`,
});

function viewAt(rows: MessageRow[]): ConversationView {
  const view = new ConversationView('conv', 'visitor', () => {});
  view.advance(rows);
  return view;
}

describe('the catch-up cursor', () => {
  it('moves to the newest message of a history', () => {
    const view = viewAt([row('a', 1), row('b', 2), row('c', 9)]);
    expect(view.cursor).toBe('c');
  });

  it('stays put when a catch-up returns only the overlap window before it (nothing newer)', () => {
    const view = viewAt([row('a', 1), row('b', 2), row('c', 9)]);
    view.advance([row('a', 1), row('b', 2)]);
    expect(view.cursor).toBe('c');
    // A message committed late (stamped before the cursor) does not move it either.
    view.advance([row('late', 5), row('b', 2)]);
    expect(view.cursor).toBe('c');
  });

  it('moves past the overlap window to the newest new message', () => {
    const view = viewAt([row('a', 1), row('c', 9)]);
    view.advance([row('a', 1), row('late', 5), row('d', 12), row('e', 15, 250)]);
    expect(view.cursor).toBe('e');
  });

  it('breaks a tie in time by id, as the server orders them', () => {
    const view = viewAt([row('m-2', 3)]);
    view.advance([row('m-1', 3)]);
    expect(view.cursor).toBe('m-2');
    view.advance([row('m-3', 3)]);
    expect(view.cursor).toBe('m-3');
  });

  it('reads Postgres timestamps (microseconds, +00) as the same clock as the functions', () => {
    const view = viewAt([{ ...row('x', 0), created_at: '2026-01-01 10:00:20.123456+00' }]);
    view.advance([row('older', 20, 100)]);
    expect(view.cursor).toBe('x');
    view.advance([row('newer', 20, 124)]);
    expect(view.cursor).toBe('newer');
  });

  it('a cursor whose time is unknown (restored by id) moves to the newest row returned', () => {
    const view = new ConversationView('conv', 'visitor', () => {});
    view.cursor = 'saved';
    view.advance([row('b', 5), row('a', 1)]);
    expect(view.cursor).toBe('b');
  });
});

describe('the reads of one conversation, one at a time', () => {
  /** A read that records when it starts and finishes and waits until released. */
  function reads() {
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const read = (name: string) => async () => {
      log.push(`start ${name}`);
      await new Promise<void>((resolve) => gates.set(name, resolve));
      log.push(`end ${name}`);
    };
    const release = async (name: string) => {
      while (!gates.has(name)) await new Promise((r) => setTimeout(r, 1));
      gates.get(name)!();
      gates.delete(name);
    };
    return { log, read, release };
  }

  it('reads the history asked for during a catch-up after it, never drops it', async () => {
    const view = new ConversationView('conv', 'visitor', () => {});
    const { log, read, release } = reads();
    const catchUp = view.serialise('catchUp', read('catch-up'));
    const history = view.serialise('history', read('history'));
    await release('catch-up');
    await release('history');
    await Promise.all([catchUp, history]);
    expect(log).toEqual(['start catch-up', 'end catch-up', 'start history', 'end history']);
  });

  it('runs a catch-up asked for during one once more afterwards, however often it was asked', async () => {
    const view = new ConversationView('conv', 'visitor', () => {});
    const { log, read, release } = reads();
    const first = view.serialise('catchUp', read('first'));
    const asks = [view.serialise('catchUp', read('second')), view.serialise('catchUp', read('third'))];
    await release('first');
    await release('third');
    await Promise.all([first, ...asks]);
    expect(log).toEqual(['start first', 'end first', 'start third', 'end third']);
    // Idle again: the next ask runs at once.
    const next = view.serialise('catchUp', read('next'));
    await release('next');
    await next;
    expect(log.slice(-2)).toEqual(['start next', 'end next']);
  });
});
