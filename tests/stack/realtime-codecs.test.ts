// The server's codecs against the client's own: realtime-js's Serializer encodes what the server
// decodes (kind 3) and decodes what it encodes (kind 4); realtime-js's transformers read the
// values Postgres Changes sends; filters parse as Supabase's documented examples say.
import * as serializerModule from '@supabase/realtime-js/dist/module/lib/serializer.js';
import { convertChangeData } from '@supabase/realtime-js/dist/module/lib/transformers.js';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeUserBroadcast, type Inbound } from '../../scripts/stack/realtime/protocol.ts';
import { parseBinding, parseFilters, passesFilters } from '../../scripts/stack/realtime/pg-filters.ts';
import { textToValue, type ColumnType } from '../../scripts/stack/realtime/pg-values.ts';

type ClientSerializer = {
  encode(msg: unknown, cb: (r: ArrayBuffer | string) => void): void;
  decode(raw: ArrayBuffer | string, cb: (m: unknown) => void): void;
};
// realtime-js ships its modules without "type": "module"; take the class whichever way it loads.
const Serializer = ((serializerModule as { default?: unknown }).default ?? serializerModule) as new () => ClientSerializer;
const serializer = new Serializer();

function clientEncode(msg: object): Buffer | string {
  let out: ArrayBuffer | string = '';
  serializer.encode(msg as never, (r: ArrayBuffer | string) => { out = r; });
  return typeof out === 'string' ? out : Buffer.from(out);
}

function clientDecode(frame: Buffer | string): any {
  let out: unknown;
  const raw = typeof frame === 'string' ? frame : frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength);
  serializer.decode(raw as never, (m: unknown) => { out = m; });
  return out;
}

describe('protocol 2.0.0 codecs against realtime-js', () => {
  it('decodes the kind-3 frames realtime-js sends, with multi-byte characters', () => {
    const frame = clientEncode({ join_ref: '12', ref: '345', topic: 'realtime:salle-été', event: 'broadcast', payload: { type: 'broadcast', event: 'héllo 👋', payload: { a: 'ü' } } });
    expect(Buffer.isBuffer(frame)).toBe(true);
    const msg = decodeFrame('2.0.0', frame as Buffer, true) as Inbound;
    expect(msg).toMatchObject({ joinRef: '12', ref: '345', topic: 'realtime:salle-été', event: 'broadcast' });
    expect(msg.userBroadcast?.event).toBe('héllo 👋');
    expect(JSON.parse(msg.userBroadcast!.data.toString())).toEqual({ a: 'ü' });
  });

  it('writes kind-4 frames realtime-js decodes, meta included', () => {
    const frame = encodeUserBroadcast('2.0.0', 'realtime:salle-été', { event: 'ça va', encoding: 'json', data: Buffer.from('{"n":1}') }, '{"id":"x"}');
    expect(clientDecode(frame as Buffer)).toEqual({
      join_ref: null, ref: null, topic: 'realtime:salle-été', event: 'broadcast',
      payload: { type: 'broadcast', event: 'ça va', payload: { n: 1 }, meta: { id: 'x' } },
    });
  });

  it('falls back to a text frame realtime-js accepts when a header field exceeds 255 bytes', () => {
    const topic = `realtime:${'t'.repeat(300)}`;
    const frame = encodeUserBroadcast('2.0.0', topic, { event: 'e', encoding: 'json', data: Buffer.from('{}') }, null);
    expect(typeof frame).toBe('string');
    expect(clientDecode(frame as string)).toMatchObject({ topic, event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: {} } });
  });
});

describe('Postgres Changes values', () => {
  const t = (name: string, category: string, element?: ColumnType): ColumnType => ({ name, category, ...(element ? { element } : {}) });
  it('are what to_jsonb would give, and what realtime-js converts as Supabase payloads', () => {
    const columns = [
      ['id', t('int8', 'N'), '42', 42], ['price', t('numeric', 'N'), '12.50', 12.5], ['ok', t('bool', 'B'), 't', true],
      ['doc', t('jsonb', 'U'), '{"a": [1, null]}', { a: [1, null] }], ['tags', t('_text', 'A', t('text', 'S')), '{a,"b c",NULL}', ['a', 'b c', null]],
      ['grid', t('_int4', 'A', t('int4', 'N')), '{{1,2},{3,4}}', [[1, 2], [3, 4]]], ['at', t('timestamptz', 'D'), '2024-01-02 03:04:05.6+00', '2024-01-02T03:04:05.6+00:00'],
      ['naive', t('timestamp', 'D'), '2024-01-02 03:04:05', '2024-01-02T03:04:05'], ['nan', t('float8', 'N'), 'NaN', 'NaN'], ['none', t('text', 'S'), null, null],
    ] as const;
    const record = Object.fromEntries(columns.map(([name, type, text]) => [name, textToValue(text, type)]));
    expect(record).toEqual(Object.fromEntries(columns.map(([name, , , value]) => [name, value])));
    const converted = convertChangeData(columns.map(([name, type]) => ({ name, type: type.name })), record as never);
    expect(converted).toMatchObject({ id: 42, price: 12.5, ok: true, doc: { a: [1, null] }, tags: ['a', 'b c', null] });
  });
});

describe('Postgres Changes filters', () => {
  it('parse as Supabase documents them', () => {
    expect(parseBinding({ schema: 'public', table: 'messages', filter: 'subject=eq.hey' })).toEqual({ event: '*', schema: 'public', table: 'messages', filters: [{ column: 'subject', op: 'eq', value: 'hey', negate: false }], select: null });
    expect(parseFilters('subject=in.(hidee,ho)')).toEqual([{ column: 'subject', op: 'in', value: '{hidee,ho}', negate: false }]);
    expect(parseFilters('subject=not.like.hey%')).toEqual([{ column: 'subject', op: 'like', value: 'hey%', negate: true }]);
    expect(parseFilters('id=gt.0,id=lt.100')).toHaveLength(2);
    expect(parseFilters('name=eq."a,b"')).toEqual([{ column: 'name', op: 'eq', value: 'a,b', negate: false }]);
    expect(parseFilters('   ')).toEqual([]);
    expect(parseBinding({ schema: 'public' })).toMatchObject({ schema: 'public', table: '*' });
    expect(parseBinding({ table: 'messages' })).toMatchObject({ schema: 'public', table: 'messages' });
    expect(parseBinding({ schema: 'public', table: 'messages', filter: 'subject=foo.hey' })).toEqual({ error: 'Error parsing `filter` params: ["foo", "hey"]' });
    expect(parseBinding({ schema: 'public', table: 'messages', filter: 'undefined' })).toEqual({ error: 'Error parsing `filter` params: ["undefined"]' });
    expect(parseBinding({ schema: 'public', table: 'messages', filter: 'id=in.1,2' })).toEqual({ error: 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses' });
    expect(parseBinding({})).toMatchObject({ error: expect.stringMatching(/^No subscription params provided/) });
  });

  it('compare by column type, and never pass on NULL', () => {
    const types = new Map<string, ColumnType>([['n', { name: 'int4', category: 'N' }], ['s', { name: 'text', category: 'S' }], ['u', { name: 'uuid', category: 'U' }]]);
    const pass = (filter: string, row: Record<string, unknown>) => passesFilters(parseFilters(filter) as never, row, types);
    expect(pass('n=gt.9', { n: 10 })).toBe(true); // numerically, not as text ("10" < "9")
    expect(pass('n=in.(1,10)', { n: 10 })).toBe(true);
    expect(pass('s=lt.b', { s: 'a' })).toBe(true);
    expect(pass('u=eq.ABCDEF00-0000-4000-8000-000000000000', { u: 'abcdef00-0000-4000-8000-000000000000' })).toBe(true);
    expect(pass('n=neq.1', { n: null })).toBe(false);
    expect(pass('n=not.eq.1', { n: null })).toBe(false);
    expect(pass('n=is.null', { n: null })).toBe(true);
    expect(pass('s=ilike.HE%', { s: 'hello' })).toBe(true);
    expect(pass('missing=eq.1', { n: 1 })).toBe(false);
  });
});
