// The outbox as several tabs of one site see it: one storage, and a lock manager with the
// semantics of navigator.locks.request(name, {ifAvailable: true}) (a lock has one holder; the
// browser releases a tab's locks when the tab goes away). Node has no navigator.locks, hence this
// stand-in; the browser test (tests/browser/widget-outbox.test.ts) runs the real one.
import { describe, expect, it } from 'vitest';
import { memoryStorage, storageKey, type KeyValue } from '../session/storage.ts';
import { hasOutbox, Outbox, type HoldLock, type OutboxEntry } from './outbox.ts';

const SITE = '00000000-0000-4000-8000-000000000001';

function locks() {
  const held = new Set<string>();
  return {
    held,
    /** One tab: its lock requests, and closing it (which releases whatever it held). */
    tab() {
      const mine = new Set<string>();
      const hold: HoldLock = async (name) => {
        await Promise.resolve(); // the real API answers asynchronously
        if (held.has(name)) return null;
        held.add(name);
        mine.add(name);
        return () => {
          held.delete(name);
          mine.delete(name);
        };
      };
      return { hold, close: () => mine.forEach((name) => held.delete(name)) };
    },
  };
}

let clock = Date.parse('2026-01-01T10:00:00Z');
function entry(content: string, extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    client_id: crypto.randomUUID(),
    conversation_id: null,
    thread: 'thread-a',
    user_id: null,
    content,
    created_at: new Date((clock += 1000)).toISOString(),
    ...extra,
  };
}

function tabOf(storage: KeyValue, manager: ReturnType<typeof locks>) {
  const tab = manager.tab();
  return { outbox: new Outbox(SITE, storage, tab.hold), close: tab.close };
}

describe('Outbox (unsent messages across page views and tabs)', () => {
  it('stores each message under its own key naming the website, oldest first, readable by every tab', async () => {
    const storage = memoryStorage();
    const manager = locks();
    const a = tabOf(storage, manager);
    const first = entry('Hello');
    const second = entry('Are you there?');
    // `first` was written first but is stored second (e.g. a retry put it back).
    // Written before the first attempt: it is in storage as soon as add() is called.
    const adding = a.outbox.add(second);
    expect(storage.get(`${storageKey(SITE, 'outbox')}:${second.client_id}`)).toBe(JSON.stringify(second));
    await adding;
    await a.outbox.add(first);
    // Ordered by the time they were written, not by when they were stored.
    expect(a.outbox.list()).toEqual([first, second]);
    expect(tabOf(storage, manager).outbox.list()).toEqual([first, second]);
    expect(hasOutbox(storage, SITE)).toBe(true);
    expect(hasOutbox(storage, '00000000-0000-4000-8000-000000000002')).toBe(false);
  });

  it('leaves a message to the open tab sending it; once that tab is closed, exactly one other tab takes it', async () => {
    const storage = memoryStorage();
    const manager = locks();
    const writer = tabOf(storage, manager);
    const message = entry('Typed offline');
    await writer.outbox.add(message);

    const other = tabOf(storage, manager);
    expect(await other.outbox.claimOrphans()).toEqual([]);

    writer.close();
    const b = tabOf(storage, manager);
    const c = tabOf(storage, manager);
    const [byB, byC] = await Promise.all([b.outbox.claimOrphans(), c.outbox.claimOrphans()]);
    expect([...byB, ...byC]).toEqual([message]);
    // Asking again changes nothing: the claimant keeps it until it is confirmed.
    expect([...(await b.outbox.claimOrphans()), ...(await c.outbox.claimOrphans())]).toEqual([]);
  });

  it('forgets a confirmed message and frees its lock; a message confirmed while being claimed is not handed out', async () => {
    const storage = memoryStorage();
    const manager = locks();
    const a = tabOf(storage, manager);
    const sent = entry('Sent');
    await a.outbox.add(sent);
    a.outbox.remove(sent.client_id);
    expect(a.outbox.list()).toEqual([]);
    expect(manager.held.size).toBe(0);

    const left = entry('Left behind');
    storage.set(`${storageKey(SITE, 'outbox')}:${left.client_id}`, JSON.stringify(left));
    const b = tabOf(storage, manager);
    const claiming = b.outbox.claimOrphans();
    // Another tab sees it stored by the server (catch-up) meanwhile and removes it.
    tabOf(storage, manager).outbox.remove(left.client_id);
    expect(await claiming).toEqual([]);
    expect(manager.held.size).toBe(0);
  });

  it('removing a message while its lock is still being taken releases the lock once it comes', async () => {
    const storage = memoryStorage();
    const manager = locks();
    const a = tabOf(storage, manager);
    const quick = entry('Confirmed at once');
    const adding = a.outbox.add(quick);
    a.outbox.remove(quick.client_id);
    await adding;
    expect(manager.held.size).toBe(0);
    expect(a.outbox.list()).toEqual([]);
  });

  it('names the conversation of a thread for the waiting messages this tab sends in it', async () => {
    const storage = memoryStorage();
    const manager = locks();
    const a = tabOf(storage, manager);
    const one = entry('First of a new conversation', { thread: 't1' });
    const two = entry('Second', { thread: 't1' });
    const elsewhere = entry('Another new conversation', { thread: 't2' });
    for (const e of [one, two, elsewhere]) await a.outbox.add(e);
    a.outbox.named('t1', 'c0nversation');
    expect(a.outbox.list().map((e) => [e.content, e.conversation_id])).toEqual([
      ['First of a new conversation', 'c0nversation'],
      ['Second', 'c0nversation'],
      ['Another new conversation', null],
    ]);
    // Not this tab's message: another tab names nothing of it.
    tabOf(storage, manager).outbox.named('t2', 'other');
    expect(a.outbox.list()[2].conversation_id).toBeNull();
  });

  it('clear() forgets every waiting message of the website and releases their locks', async () => {
    const storage = memoryStorage();
    const manager = locks();
    const a = tabOf(storage, manager);
    for (const text of ['one', 'two']) await a.outbox.add(entry(text));
    storage.set('emily:00000000-0000-4000-8000-000000000002:outbox:x', JSON.stringify(entry('other site')));
    a.outbox.clear();
    expect(a.outbox.list()).toEqual([]);
    expect(manager.held.size).toBe(0);
    expect(storage.get('emily:00000000-0000-4000-8000-000000000002:outbox:x')).not.toBeNull();
  });

  it('ignores corrupt entries and the page\'s own keys', async () => {
    const storage = memoryStorage();
    const prefix = `${storageKey(SITE, 'outbox')}:`;
    storage.set(`${prefix}broken`, '{not json');
    storage.set(`${prefix}partial`, JSON.stringify({ client_id: 'x' }));
    storage.set('cart', JSON.stringify(entry('not ours')));
    const good = entry('kept');
    storage.set(prefix + good.client_id, JSON.stringify(good));
    const a = tabOf(storage, locks());
    expect(a.outbox.list()).toEqual([good]);
    expect(await a.outbox.claimOrphans()).toEqual([good]);
  });

  it('without cross-tab locks, resumes every stored message that is not its own (the server dedupes by client_id)', async () => {
    const storage = memoryStorage();
    const a = new Outbox(SITE, storage, null);
    const mine = entry('mine');
    await a.add(mine);
    const left = entry('left by a closed page');
    storage.set(`${storageKey(SITE, 'outbox')}:${left.client_id}`, JSON.stringify(left));
    expect(await a.claimOrphans()).toEqual([left]);
    expect(await a.claimOrphans()).toEqual([]);
  });
});
