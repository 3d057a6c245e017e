// PDF decompression bombs, generated here (nothing big is committed): the file is refused before
// pdf.js inflates it, whatever filter chain or trick hides the bytes; ordinary PDFs still pass.
import { deepStrictEqual as assertEquals, ok as assert, rejects as assertRejects } from 'node:assert/strict';
import { createDeflate } from 'node:zlib';
import { documentText } from './documents.ts';
import { checkPdfDecodedSize, PdfRefused } from './pdf-budget.ts';

const MiB = 1024 * 1024;
const enc = (s: string) => new TextEncoder().encode(s);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** zlib data of `head` followed by `size` spaces, compressed as it is produced (never held whole). */
function deflatedSpaces(size: number, head = ''): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const deflate = createDeflate({ level: 9 });
    const parts: Uint8Array[] = [];
    deflate.on('data', (c: Uint8Array) => parts.push(new Uint8Array(c)));
    deflate.on('end', () => resolve(concat(parts)));
    deflate.on('error', reject);
    deflate.write(enc(head));
    const block = new Uint8Array(MiB).fill(0x20);
    let left = size;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, MiB);
        left -= n;
        if (!deflate.write(block.subarray(0, n))) return void deflate.once('drain', pump);
      }
      deflate.end();
    };
    pump();
  });
}

/** A PDF whose objects are given in order (1, 2, …), with a cross-reference table. */
function pdfFile(objects: Array<string | Uint8Array[]>, trailer = ''): Uint8Array {
  const parts: Uint8Array[] = [enc('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let size = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(size);
    const body = [enc(`${i + 1} 0 obj\n`), ...(typeof obj === 'string' ? [enc(obj)] : obj), enc('\nendobj\n')];
    parts.push(...body);
    size += body.reduce((n, p) => n + p.length, 0);
  });
  parts.push(enc(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`));
  parts.push(enc(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${size}\n%%EOF\n`));
  return concat(parts);
}

const stream = (dict: string, data: Uint8Array) => [enc(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, enc('\nendstream')];

/** One page whose content streams are objects 4, 5, …; `extra` objects follow them. */
function onePage(contents: Array<Uint8Array[]>, extra: Array<string | Uint8Array[]> = [], trailer = ''): Uint8Array {
  const refs = contents.map((_, i) => `${i + 4} 0 R`).join(' ');
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [${refs}] /Resources << /Font << /F1 ${contents.length + 4} 0 R >> >> >>`,
    ...contents,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...extra,
  ], trailer);
}

/** LZW codes (early change 1, MSB first) that decode to long runs of zeros: 0, 258, 259, … then the longest code again and again. */
function lzwZeros(repeats: number): Uint8Array {
  const codes = [0];
  for (let c = 258; c < 4096; c++) codes.push(c);
  for (let i = 0; i < repeats; i++) codes.push(4095);
  codes.push(257);
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  let width = 9;
  let next = 258;
  let previous = -1;
  for (const code of codes) {
    bits = (bits << width) | code;
    count += width;
    while (count >= 8) {
      out.push((bits >>> (count - 8)) & 0xff);
      count -= 8;
    }
    bits &= (1 << count) - 1;
    if (code === 257) break;
    if (previous !== -1 && next < 4096) next++;
    previous = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  if (count) out.push((bits << (8 - count)) & 0xff);
  return new Uint8Array(out);
}

const hex = (bytes: Uint8Array) => enc([...bytes].map((b) => b.toString(16).padStart(2, '0')).join('') + '>');

Deno.test('a 200 MB Flate bomb in a small PDF is refused before extraction, and memory stays flat', async () => {
  const bomb = onePage([stream('/Filter /FlateDecode', await deflatedSpaces(200 * MiB, 'BT /F1 12 Tf 72 712 Td (Hello) Tj ET\n'))]);
  assert(bomb.length < 400 * 1024, `the bomb is small (${bomb.length} bytes)`);
  const before = Deno.memoryUsage().rss;
  await assertRejects(documentText(bomb, 'pdf'), /PDF is too large when decompressed/);
  const grew = (Deno.memoryUsage().rss - before) / MiB;
  assert(grew < 120, `RSS grew by ${Math.round(grew)} MB`); // pdf.js inflating it grew RSS by about 230 MB
});

Deno.test('bombs behind other filters and tricks are measured too', async () => {
  const budget = 8 * MiB;
  const flate = await deflatedSpaces(20 * MiB);
  const part = await deflatedSpaces(3 * MiB); // under the budget alone, over it four times
  const cases: Record<string, Uint8Array> = {
    'ASCIIHex then Flate': onePage([stream('/Filter [/ASCIIHexDecode /FlateDecode]', hex(flate))]),
    'LZW': onePage([stream('/Filter /LZWDecode', lzwZeros(6000))]),
    'abbreviated filter name spelt with #-escapes': onePage([stream('/Filter /F#6c', flate)]),
    'filter in an object that cannot be found': onePage([stream('/Filter 99 0 R', flate)]),
    'streams that add up': onePage([1, 2, 3, 4].map(() => stream('/Filter /FlateDecode', part))),
    'an object header hidden in a string': onePage([[enc(`<< /Note (9 0 obj << >>) /Filter /FlateDecode /Length ${flate.length} >>\nstream\n`), flate, enc('\nendstream')]]),
    'a wrong /Length and an unreadable dictionary': pdfFile([
      '<< /Type /Catalog /Pages 2 0 R >>',
      [enc('<< /Length 3 /Filter /FlateDecode /Junk (unbalanced >>\nstream\n'), flate, enc('\nendstream')],
    ]),
  };
  for (const [name, file] of Object.entries(cases)) {
    await assertRejects(checkPdfDecodedSize(file, budget), (err: Error) => err instanceof PdfRefused && /too large when decompressed/.test(err.message), name);
  }
});

Deno.test('encrypted PDFs are refused (their streams cannot be measured)', async () => {
  for (const spelling of ['/Encrypt', '/Encr#79pt']) {
    const file = onePage([stream('', enc('BT ET'))], ['<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>'], `${spelling} 6 0 R`);
    await assertRejects(checkPdfDecodedSize(file, 8 * MiB), /encrypted/, spelling);
  }
});

Deno.test('ordinary PDFs pass and are measured', async () => {
  const fixture = await Deno.readFile(new URL('../../../../tests/fixtures/knowledge/warranty.pdf', import.meta.url));
  assertEquals(await checkPdfDecodedSize(fixture, 8 * MiB), { decodedBytes: 0, streams: 1 }); // its one stream is not compressed
  const head = 'BT /F1 12 Tf 72 712 Td (Within budget) Tj ET\n';
  const small = onePage([stream('/Filter /FlateDecode', await deflatedSpaces(1000, head))]);
  assertEquals(await checkPdfDecodedSize(small, 8 * MiB), { decodedBytes: head.length + 1000, streams: 1 });
  assertEquals((await documentText(small, 'pdf')).text, 'Within budget');
});
