// How a send's stream ending with an error is shown: `in_progress` (a retried send whose first
// attempt is still answering) keeps the thinking bubble until the stored answer arrives; anything
// else is the "could not answer" notice.
import { describe, expect, it } from 'vitest';
import { MessageStore, type MessageRow } from './message-store.ts';

const NOTICE = 'The assistant could not answer. A team member will follow up.';
const question: MessageRow = { id: 'm1', sender: 'user', content: 'Do you sell helmets?', client_id: 'cid', created_at: '2026-01-01T10:00:00.000Z' };
const answer: MessageRow = { id: 'm2', sender: 'assistant', content: 'Yes, from 30 euros.', created_at: '2026-01-01T10:00:04.000Z' };

const shown = (store: MessageStore) => store.list().map((m) => `${m.sender}:${m.state}:${m.content}`);

/** A retried send: the server confirmed the visitor's message and the thinking bubble is up. */
function streaming(): MessageStore {
  const store = new MessageStore();
  store.addPending('cid', question.content);
  store.upsert(question);
  store.startStream('cid');
  return store;
}

describe('a stream that ends with an error', () => {
  it('in_progress: no error; the thinking bubble stays until the stored answer arrives, which replaces it', () => {
    const store = streaming();
    expect(store.streamError('cid', 'in_progress', NOTICE)).toBe(true);
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', 'assistant:streaming:']);
    // The first attempt stores its answer: realtime or a catch-up delivers it, not held back.
    expect(store.upsert(answer)).toBe('added');
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', 'assistant:sent:Yes, from 30 euros.']);
    // The wait's end finds nothing left to remove; the same row again changes nothing.
    store.abortStream('cid');
    expect(store.upsert(answer)).toBe('unchanged');
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', 'assistant:sent:Yes, from 30 euros.']);
  });

  it('in_progress after the answer already came by realtime during the stream: the answer, no bubble', () => {
    const store = streaming();
    store.upsert(answer);
    // Held while our own stream was open (it might have been this stream's answer).
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', 'assistant:streaming:']);
    expect(store.streamError('cid', 'in_progress', NOTICE)).toBe(true);
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', 'assistant:sent:Yes, from 30 euros.']);
  });

  it('in_progress with no answer within the wait: the bubble goes, still without an error', () => {
    const store = streaming();
    store.streamError('cid', 'in_progress', NOTICE);
    store.abortStream('cid');
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?']);
  });

  it('a team member answers meanwhile: the bubble stays for the AI answer', () => {
    const store = streaming();
    store.streamError('cid', 'in_progress', NOTICE);
    store.upsert({ id: 'm3', sender: 'agent', content: 'Hi, Ana here.', created_at: '2026-01-01T10:00:02.000Z' });
    expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', 'agent:sent:Hi, Ana here.', 'assistant:streaming:']);
  });

  for (const code of ['ai_unavailable', 'ai_error', 'something_new']) {
    it(`${code}: the bubble goes and the visitor is told a person will follow up`, () => {
      const store = streaming();
      expect(store.streamError('cid', code, NOTICE)).toBe(false);
      expect(shown(store)).toEqual(['user:sent:Do you sell helmets?', `system:sent:${NOTICE}`]);
    });
  }
});
