import { deepStrictEqual as assertEquals, rejects as assertRejects, throws as assertThrows } from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { ascii85, asciiHex, inflate, lzw, OutputLimitExceeded, runLength } from './pdf-filters.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b?: Uint8Array) => new TextDecoder().decode(b);

/** An LZW encoder as PDF writers do it (9–12 bit codes, early change 1, a clear code when the table is full). */
function lzwEncode(data: Uint8Array): Uint8Array {
  const table = new Map<string, number>();
  const reset = () => {
    table.clear();
    for (let i = 0; i < 256; i++) table.set(String.fromCharCode(i), i);
  };
  reset();
  let next = 258;
  let width = 9;
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  const put = (code: number) => {
    bits = (bits << width) | code;
    count += width;
    while (count >= 8) {
      out.push((bits >>> (count - 8)) & 0xff);
      count -= 8;
    }
    bits &= (1 << count) - 1;
  };
  put(256);
  let w = '';
  for (const b of data) {
    const wc = w + String.fromCharCode(b);
    if (table.has(wc)) {
      w = wc;
      continue;
    }
    put(table.get(w)!);
    if (next < 4096) {
      table.set(wc, next++);
      if (next + 1 > 1 << width && width < 12) width++;
    } else {
      put(256);
      reset();
      next = 258;
      width = 9;
    }
    w = String.fromCharCode(b);
  }
  if (w) put(table.get(w)!);
  put(257);
  if (count) out.push((bits << (8 - count)) & 0xff);
  return new Uint8Array(out);
}

Deno.test('LZW decodes what a PDF writer encodes, across table resets', () => {
  const text = enc('TOBEORNOTTOBEORTOBEORNOT'.repeat(2000) + 'The quick brown fox jumps over the lazy dog. '.repeat(500));
  assertEquals(lzw(lzwEncode(text), 1 << 20, true).bytes, text);
  assertEquals(lzw(lzwEncode(text), 1 << 20, false), { size: text.length, bytes: undefined });
});

Deno.test('RunLength, ASCIIHex and ASCII85 decode their examples', () => {
  assertEquals(dec(runLength(new Uint8Array([2, 65, 66, 67, 254, 68, 128, 0, 69]), 100, true).bytes), 'ABCDDD');
  assertEquals(dec(asciiHex(enc('48 65 6c6C6f>'), 100, true).bytes), 'Hello');
  assertEquals(dec(ascii85(enc('87cURD]i,"Ebo80~>'), 100, true).bytes), 'Hello World!');
  assertEquals(ascii85(enc('zz~>'), 100, true).bytes, new Uint8Array(8));
});

Deno.test('Flate decodes, and truncated data as far as it goes', async () => {
  const data = enc('hello '.repeat(10_000));
  const z = new Uint8Array(deflateSync(data));
  assertEquals((await inflate(z, 1 << 20, true)).bytes, data);
  const part = await inflate(z.subarray(0, z.length >> 1), 1 << 20, false);
  assertEquals(part.size > 0 && part.size < data.length, true);
  assertEquals(await inflate(enc('not zlib at all'), 1 << 20, false), { size: 0, bytes: undefined });
});

Deno.test('every decoder stops at its output limit instead of allocating more', async () => {
  const zeros = new Uint8Array(deflateSync(new Uint8Array(4 << 20)));
  await assertRejects(inflate(zeros, 1 << 20, false), OutputLimitExceeded);
  assertThrows(() => lzw(lzwEncode(new Uint8Array(1 << 20)), 1000, true), OutputLimitExceeded);
  assertThrows(() => runLength(new Uint8Array([129, 0, 129, 0, 129, 0]), 300, true), OutputLimitExceeded);
  assertThrows(() => ascii85(enc('zzzz~>'), 15, true), OutputLimitExceeded);
  assertThrows(() => asciiHex(enc('00'.repeat(20)), 19, true), OutputLimitExceeded);
});
