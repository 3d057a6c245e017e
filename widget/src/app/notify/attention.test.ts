// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { Attention } from './attention.ts';

describe('Attention (unread badge, title, unread event)', () => {
  it('counts, prefixes the title, restores it, and keeps a title the page changed meanwhile', () => {
    document.title = 'Northside Cycles';
    const badge = document.createElement('span');
    const events: unknown[] = [];
    const described: number[] = [];
    const a = new Attention(badge, (n) => described.push(n), (e, d) => events.push([e, d]), false);
    a.add(1);
    a.add(2);
    expect(badge.textContent).toBe('3');
    expect(document.title).toBe('(3) Northside Cycles');
    document.title = '(3) Cart – Northside Cycles';
    a.add(1);
    expect(document.title).toBe('(4) Cart – Northside Cycles');
    a.clear();
    expect(document.title).toBe('Cart – Northside Cycles');
    expect(badge.textContent).toBe('');
    expect(events).toEqual([['unread', { count: 1 }], ['unread', { count: 3 }], ['unread', { count: 4 }], ['unread', { count: 0 }]]);
    expect(described).toEqual([1, 3, 4, 0]);
  });

  it('leaves a title that merely looks like a count alone when it never added one', () => {
    document.title = '(1) Inbox';
    const a = new Attention(document.createElement('span'), () => {}, () => {}, false);
    a.clear();
    a.add(2);
    expect(document.title).toBe('(2) (1) Inbox');
    a.clear();
    expect(document.title).toBe('(1) Inbox');
  });

  it('shows 99 at most on the badge', () => {
    const badge = document.createElement('span');
    new Attention(badge, () => {}, () => {}, false).add(150);
    expect(badge.textContent).toBe('99');
  });
});
