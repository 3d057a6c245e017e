// Bounded decoders for the PDF stream filters that can expand data (PDF 32000-1 §7.4): each one
// stops as soon as its output would pass `max` bytes, so decoding a hostile stream never allocates
// more than the budget. Flate uses node:zlib's streaming inflater (output counted chunk by chunk,
// truncated or corrupt data decoded as far as it goes, as pdf.js does); the others are small.
import { constants, createInflate } from 'node:zlib';

/** Thrown when a decoder's output would pass its limit. */
export class OutputLimitExceeded extends Error {}

class Output {
  private buf: Uint8Array;
  length = 0;
  constructor(private readonly max: number, private readonly keep: boolean) {
    this.buf = new Uint8Array(keep ? Math.min(max, 64 * 1024) : 0);
  }
  grow(n: number): void {
    if (this.length + n > this.max) throw new OutputLimitExceeded();
    if (!this.keep) return;
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.min(this.max, Math.max(this.buf.length * 2, this.length + n)));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
  }
  push(byte: number): void {
    this.grow(1);
    if (this.keep) this.buf[this.length] = byte;
    this.length++;
  }
  pushAll(bytes: Uint8Array): void {
    this.grow(bytes.length);
    if (this.keep) this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  result(): Decoded {
    return { size: this.length, bytes: this.keep ? this.buf.slice(0, this.length) : undefined };
  }
}

/** What a decoder produced: its size, and its bytes when asked to keep them (for a next filter). */
export interface Decoded {
  size: number;
  bytes?: Uint8Array;
}

export function inflate(input: Uint8Array, max: number, keep: boolean): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const out = new Output(max, keep);
    const inflater = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err instanceof OutputLimitExceeded) reject(err);
      else resolve(out.result()); // end of data, or corrupt data: pdf.js stops there too
    };
    inflater.on('data', (chunk: Uint8Array) => {
      try {
        out.pushAll(chunk);
      } catch (err) {
        inflater.destroy();
        finish(err as Error);
      }
    });
    inflater.on('error', (err) => finish(err));
    inflater.on('end', () => finish());
    inflater.end(input);
  });
}

/** LZWDecode with 9–12 bit codes; `earlyChange` as in its DecodeParms (default 1). */
export function lzw(input: Uint8Array, max: number, keep: boolean, earlyChange = 1): Decoded {
  const out = new Output(max, keep);
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const lengths = new Uint16Array(4096);
  const scratch = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    lengths[i] = 1;
  }
  const emit = (code: number): number => {
    const n = lengths[code];
    for (let i = n - 1, c = code; i >= 0; i--, c = prefix[c]) scratch[i] = suffix[c];
    out.pushAll(scratch.subarray(0, n));
    return scratch[0];
  };
  let next = 258;
  let width = 9;
  let previous = -1;
  let bits = 0;
  let bitCount = 0;
  let pos = 0;
  while (true) {
    while (bitCount < width) {
      if (pos >= input.length) return out.result();
      bits = ((bits << 8) | input[pos++]) & 0xffffff;
      bitCount += 8;
    }
    const code = (bits >>> (bitCount - width)) & ((1 << width) - 1);
    bitCount -= width;
    if (code === 256) {
      next = 258;
      width = 9;
      previous = -1;
      continue;
    }
    if (code === 257) return out.result();
    let first: number;
    if (code < next) {
      first = emit(code);
    } else if (code === next && previous !== -1) {
      first = emit(previous); // the code being defined: previous string + its own first byte
      out.push(first);
    } else {
      return out.result(); // corrupt data: stop, as a decoder would
    }
    if (previous !== -1 && next < 4096) {
      prefix[next] = previous;
      suffix[next] = first;
      lengths[next] = lengths[previous] + 1;
      next++;
    }
    previous = code;
    if (next + earlyChange >= 1 << width && width < 12) width++;
  }
}

/** RunLengthDecode: at most 128 bytes out per 2 bytes in. */
export function runLength(input: Uint8Array, max: number, keep: boolean): Decoded {
  const out = new Output(max, keep);
  let pos = 0;
  while (pos < input.length) {
    const n = input[pos++];
    if (n === 128) break;
    if (n < 128) {
      const run = input.subarray(pos, pos + n + 1);
      out.pushAll(run);
      pos += n + 1;
    } else {
      if (pos >= input.length) break;
      const byte = input[pos++];
      for (let i = 0; i < 257 - n; i++) out.push(byte);
    }
  }
  return out.result();
}

const isSpace = (b: number) => b === 0 || b === 9 || b === 10 || b === 12 || b === 13 || b === 32;

export function asciiHex(input: Uint8Array, max: number, keep: boolean): Decoded {
  const out = new Output(max, keep);
  let high = -1;
  for (const b of input) {
    if (b === 0x3e) break; // '>'
    if (isSpace(b)) continue;
    const digit = b >= 0x30 && b <= 0x39 ? b - 0x30 : (b | 0x20) >= 0x61 && (b | 0x20) <= 0x66 ? (b | 0x20) - 0x57 : -1;
    if (digit < 0) break;
    if (high < 0) high = digit;
    else {
      out.push((high << 4) | digit);
      high = -1;
    }
  }
  if (high >= 0) out.push(high << 4);
  return out.result();
}

export function ascii85(input: Uint8Array, max: number, keep: boolean): Decoded {
  const out = new Output(max, keep);
  const group: number[] = [];
  const flush = (count: number) => {
    while (group.length < 5) group.push(84);
    let value = 0;
    for (const g of group) value = value * 85 + g;
    for (let i = 0; i < count - 1; i++) out.push((value >>> (24 - 8 * i)) & 0xff);
    group.length = 0;
  };
  for (const b of input) {
    if (b === 0x7e) break; // '~' of '~>'
    if (isSpace(b)) continue;
    if (b === 0x7a && group.length === 0) {
      for (let i = 0; i < 4; i++) out.push(0);
      continue;
    }
    if (b < 0x21 || b > 0x75) break;
    group.push(b - 0x21);
    if (group.length === 5) flush(5);
  }
  if (group.length > 1) flush(group.length);
  return out.result();
}
