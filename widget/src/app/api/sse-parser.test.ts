import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.ts';

const STREAM =
  '\uFEFF: a comment line\r\n' +
  'event: conversation\r\ndata: {"conversation_id":"c1"}\r\n\r\n' +
  'event: delta\ndata: {"text":"Grüße, 你好 👋"}\n\n' +
  'event: delta\rdata: {"text":"two\\nlines"}\r\r' +
  'data: first\ndata: second\nid: 7\n\n' +
  'event: done\ndata:{"message":{"id":"m1"}}\n\n' +
  'event: ignored-without-data\n\n' +
  'data: unterminated at the end';

const EXPECTED: SseEvent[] = [
  { event: 'conversation', data: '{"conversation_id":"c1"}', id: undefined },
  { event: 'delta', data: '{"text":"Grüße, 你好 👋"}', id: undefined },
  { event: 'delta', data: '{"text":"two\\nlines"}', id: undefined },
  { event: 'message', data: 'first\nsecond', id: '7' },
  { event: 'done', data: '{"message":{"id":"m1"}}', id: '7' },
];

function parse(chunks: Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  parser.end();
  return events;
}

describe('SseParser', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('parses a whole stream: CRLF, LF and CR line ends, comments, BOM, multi-line data, ids', () => {
    expect(parse([bytes])).toEqual(EXPECTED);
  });

  it('gives the same events whatever the chunk boundaries (every single split point)', () => {
    for (let i = 1; i < bytes.length; i++) {
      expect(parse([bytes.slice(0, i), bytes.slice(i)]), `split at byte ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events one byte at a time (UTF-8 characters and CRLF split)', () => {
    expect(parse([...bytes].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('gives the same events with random three-way splits', () => {
    let seed = 42;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 300; round++) {
      const a = 1 + rand(bytes.length - 2);
      const b = a + 1 + rand(bytes.length - a - 1);
      expect(parse([bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)])).toEqual(EXPECTED);
    }
  });

  it('does not dispatch an event with an empty data buffer, and ignores unknown fields', () => {
    expect(parse([new TextEncoder().encode('data\n\nretry: 5\nfoo: bar\n\ndata:\ndata:\n\n')])).toEqual([
      { event: 'message', data: '\n', id: undefined },
    ]);
  });
});
