// A PDF's size once decompressed, checked before pdf.js sees it. A small file can inflate to
// hundreds of megabytes (a "decompression bomb"), and the bytes pdf.js allocates for decoded
// streams are ArrayBuffers, which the heap limit does not bound. So every stream of the file is
// decoded here through its filter chain with bounded decoders (pdf-filters.ts), counting the bytes
// against one budget for the whole file, and the file is refused as soon as it passes it.
//
// Streams are found the way pdf.js's parser finds them: the `stream` keyword after an object's
// dictionary, data from the next line on, as long as /Length says when `endstream` follows it there,
// else up to the first `endstream`. Streams cannot live inside object streams (PDF 32000-1 §7.5.7),
// so every one of them is visible in the file's own bytes. Image codecs (DCT, JPX, JBIG2, CCITT)
// are not decoded: text extraction never decodes images. Encrypted files are refused: their
// streams cannot be measured without decrypting them.
import { ascii85, asciiHex, type Decoded, inflate, lzw, OutputLimitExceeded, runLength } from './pdf-filters.ts';

export class PdfRefused extends Error {}

type PdfValue = number | boolean | null | { name: string } | { ref: [number, number] } | PdfValue[] | Map<string, PdfValue> | { string: true } | { keyword: string };

/** A tiny reader of PDF object syntax: enough for stream dictionaries and trailers. */
class Syntax {
  pos: number;
  constructor(private readonly s: string, start: number, private readonly end = s.length) {
    this.pos = start;
  }

  private skipSpace(): void {
    while (this.pos < this.end) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x25) { // % comment to the end of the line
        while (this.pos < this.end && !/[\r\n]/.test(this.s[this.pos])) this.pos++;
      } else if (c === 0 || c === 9 || c === 10 || c === 12 || c === 13 || c === 32) this.pos++;
      else break;
    }
  }

  private regular(): string {
    const start = this.pos;
    while (this.pos < this.end && !/[\s\0()<>[\]{}/%]/.test(this.s[this.pos])) this.pos++;
    return this.s.slice(start, this.pos);
  }

  value(depth = 0): PdfValue {
    if (depth > 32) throw new Error('nested too deeply');
    this.skipSpace();
    const c = this.s[this.pos];
    if (c === undefined || this.pos >= this.end) throw new Error('unexpected end');
    if (c === '/') {
      this.pos++;
      // #xx escapes are part of a name (pdf.js decodes them: `/Fl#61teDecode` is `/FlateDecode`).
      return { name: this.regular().replace(/#([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))) };
    }
    if (c === '<' && this.s[this.pos + 1] === '<') {
      this.pos += 2;
      const dict = new Map<string, PdfValue>();
      while (true) {
        this.skipSpace();
        if (this.s.startsWith('>>', this.pos)) {
          this.pos += 2;
          return dict;
        }
        const key = this.value(depth + 1);
        if (!key || typeof key !== 'object' || !('name' in key)) throw new Error('dictionary key is not a name');
        dict.set(key.name, this.value(depth + 1));
      }
    }
    if (c === '<') {
      const close = this.s.indexOf('>', this.pos);
      if (close < 0 || close >= this.end) throw new Error('unterminated hex string');
      this.pos = close + 1;
      return { string: true };
    }
    if (c === '(') {
      let level = 0;
      for (; this.pos < this.end; this.pos++) {
        const ch = this.s[this.pos];
        if (ch === '\\') this.pos++;
        else if (ch === '(') level++;
        else if (ch === ')' && --level === 0) {
          this.pos++;
          return { string: true };
        }
      }
      throw new Error('unterminated string');
    }
    if (c === '[') {
      this.pos++;
      const items: PdfValue[] = [];
      while (true) {
        this.skipSpace();
        if (this.s[this.pos] === ']') {
          this.pos++;
          return items;
        }
        items.push(this.value(depth + 1));
      }
    }
    const word = this.regular();
    if (!word) throw new Error(`unexpected ${c}`);
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(word)) {
      const n = Number(word);
      // `N G R` is a reference: look ahead without consuming when it is not.
      const save = this.pos;
      if (/^\d+$/.test(word)) {
        this.skipSpace();
        const generation = this.regular();
        this.skipSpace();
        if (/^\d+$/.test(generation) && this.s[this.pos] === 'R' && !/[^\s\0()<>[\]{}/%]/.test(this.s[this.pos + 1] ?? ' ')) {
          this.pos++;
          return { ref: [n, Number(generation)] };
        }
      }
      this.pos = save;
      return n;
    }
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    return { keyword: word };
  }
}

const isName = (v: PdfValue | undefined): v is { name: string } => !!v && typeof v === 'object' && 'name' in v;
const isRef = (v: PdfValue | undefined): v is { ref: [number, number] } => !!v && typeof v === 'object' && 'ref' in v;

/** The file as text with one character per byte (latin1), so string offsets are byte offsets. */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

/** Where each object of the file starts, in order, and the last definition of each id. */
class ObjectIndex {
  readonly starts: number[] = [];
  readonly bodies: number[] = [];
  private readonly byId = new Map<string, number>();
  constructor(private readonly text: string) {
    const header = /(?<![0-9])(\d+)[\s\0]+(\d+)[\s\0]+obj\b/g;
    let match: RegExpExecArray | null;
    while ((match = header.exec(text))) {
      this.starts.push(match.index);
      this.bodies.push(match.index + match[0].length);
      this.byId.set(`${match[1]} ${match[2]}`, match.index + match[0].length); // the last one wins (incremental updates)
    }
  }

  /** Body starts of the object headers before `pos`, nearest first (at most `count`). */
  bodiesBefore(pos: number, count: number): number[] {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const out: number[] = [];
    for (let i = found; i >= 0 && out.length < count; i--) out.push(this.bodies[i]);
    return out;
  }

  /** An indirect object's value when it is written at the top level (not inside an object stream). */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    if (!isRef(value)) return value;
    const at = this.byId.get(`${value.ref[0]} ${value.ref[1]}`);
    if (at === undefined) return undefined;
    try {
      return new Syntax(this.text, at, Math.min(this.text.length, at + 64 * 1024)).value();
    } catch {
      return undefined;
    }
  }
}

interface StreamInfo {
  /** The dictionaries that may be this stream's (see streams()). */
  dicts: Array<Map<string, PdfValue>>;
  data: Uint8Array;
}

function skipSpaceAndComments(text: string, pos: number): number {
  while (pos < text.length) {
    const c = text[pos];
    if (c === '%') {
      while (pos < text.length && text[pos] !== '\r' && text[pos] !== '\n') pos++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\0') pos++;
    else break;
  }
  return pos;
}

/** Every stream in the file, with its dictionary when it could be read. */
function streams(bytes: Uint8Array, text: string, index: ObjectIndex): StreamInfo[] {
  const out: StreamInfo[] = [];
  const keyword = /(?<![A-Za-z])stream(?=[\s\0])/g;
  let match: RegExpExecArray | null;
  while ((match = keyword.exec(text))) {
    // Data starts after the end of the line that holds the keyword (pdf.js: skipToNextLine).
    let start = match.index + 6;
    while (start < text.length && text[start] !== '\r' && text[start] !== '\n') start++;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;

    // The dictionary is the object before the keyword. Text that looks like an object header can
    // hide inside a dictionary (in a string, say), so every nearby header whose dictionary ends
    // exactly at the keyword is a candidate, and each candidate's filters are measured.
    const dicts: Array<Map<string, PdfValue>> = [];
    for (const body of index.bodiesBefore(match.index, 8)) {
      try {
        const syntax = new Syntax(text, body, match.index);
        const value = syntax.value();
        if (value instanceof Map && skipSpaceAndComments(text, syntax.pos) === match.index) dicts.push(value);
      } catch { /* not this one */ }
    }

    const firstEnd = text.indexOf('endstream', start);
    let end = firstEnd < 0 ? text.length : firstEnd;
    // pdf.js trusts a /Length after which the next token (spaces and comments skipped) is endstream;
    // else it reads up to the first endstream. The longest candidate is measured.
    for (const dict of dicts) {
      const length = index.resolve(dict.get('Length'));
      if (typeof length === 'number' && Number.isInteger(length) && length >= 0 && start + length <= text.length) {
        if (text.startsWith('endstream', skipSpaceAndComments(text, start + length))) end = Math.max(end, start + length);
      }
    }
    out.push({ dicts, data: bytes.subarray(start, end) });
  }
  return out;
}

interface FilterChain {
  names: string[];
  params: PdfValue[];
}

/**
 * The filter chains a stream may be decoded with, each measured. pdf.js reads /F before /Filter
 * (and /DP before /DecodeParms); a stream that has both is measured with both. Flate alone is always
 * one of them: it is what a bomb uses, and data that is not Flate costs nothing to try.
 */
function filterChains(index: ObjectIndex, dicts: Array<Map<string, PdfValue>>): FilterChain[] {
  const chains = new Map<string, FilterChain>([['FlateDecode', { names: ['FlateDecode'], params: [] }]]);
  for (const dict of dicts) {
    for (const [key, paramsKey] of [['F', 'DP'], ['Filter', 'DecodeParms']]) {
      if (!dict.has(key)) continue;
      const filter = index.resolve(dict.get(key));
      const params = index.resolve(dict.get(paramsKey));
      // A filter we could not resolve (e.g. a reference into an object stream) is taken as Flate.
      const list = Array.isArray(filter) ? filter : filter === null ? [] : [filter];
      const names = list.map((f) => {
        const v = index.resolve(f);
        return isName(v) ? v.name : 'FlateDecode';
      });
      chains.set(names.join(' '), { names, params: Array.isArray(params) ? params : [params ?? null] });
    }
  }
  return [...chains.values()];
}

/**
 * Whether the file declares encryption. /Encrypt sits in a trailer or a cross-reference stream's
 * dictionary, never compressed; any spelling of the name anywhere counts (refusing a rare document
 * that merely mentions it is better than measuring encrypted bytes).
 */
function encrypted(text: string): boolean {
  return /\/(?:E|#45)(?:n|#6[eE])(?:c|#63)(?:r|#72)(?:y|#79)(?:p|#70)(?:t|#74)(?![A-Za-z0-9#])/.test(text);
}

/**
 * Throws PdfRefused when the file's streams decode to more than `budget` bytes in total, or when
 * the file is encrypted. Work and memory stay within the budget whatever the file contains.
 */
export async function checkPdfDecodedSize(bytes: Uint8Array, budget: number): Promise<{ decodedBytes: number; streams: number }> {
  const text = latin1(bytes);
  if (encrypted(text)) {
    throw new PdfRefused('The PDF is encrypted (a password or usage restrictions); save an unprotected copy and add that instead.');
  }
  const index = new ObjectIndex(text);
  const found = streams(bytes, text, index);
  let spent = 0;
  const tooLarge = () => new PdfRefused(`The PDF is too large when decompressed (over ${Math.round(budget / (1024 * 1024))} MB); split it or save it with fewer or smaller images.`);
  for (const { names, params, data } of found.flatMap((stream) => filterChains(index, stream.dicts).map((chain) => ({ ...chain, data: stream.data })))) {
    let input = data;
    for (let i = 0; i < names.length; i++) {
      const keep = i < names.length - 1; // only a next filter needs the bytes themselves
      const max = budget - spent;
      let decoded: Decoded;
      try {
        switch (names[i]) {
          case 'FlateDecode':
          case 'Fl':
            decoded = await inflate(input, max, keep);
            break;
          case 'LZWDecode':
          case 'LZW': {
            const p = params[i];
            const early = p instanceof Map ? index.resolve(p.get('EarlyChange')) : undefined;
            decoded = lzw(input, max, keep, early === 0 ? 0 : 1);
            break;
          }
          case 'RunLengthDecode':
          case 'RL':
            decoded = runLength(input, max, keep);
            break;
          case 'ASCIIHexDecode':
          case 'AHx':
            decoded = asciiHex(input, max, keep);
            break;
          case 'ASCII85Decode':
          case 'A85':
            decoded = ascii85(input, max, keep);
            break;
          default:
            // Image codecs and unknown filters: pdf.js does not decode them to extract text.
            decoded = { size: 0 };
        }
      } catch (err) {
        if (err instanceof OutputLimitExceeded) throw tooLarge();
        throw err;
      }
      spent += decoded.size;
      if (spent > budget) throw tooLarge();
      if (!decoded.bytes) break;
      input = decoded.bytes;
    }
  }
  return { decodedBytes: spent, streams: found.length };
}
