// A PDF decompression bomb uploaded to the knowledge base (security review M2): a 200 KB file whose
// one content stream inflates to 200 MB. It is generated here, never committed. The source fails with
// a clear error, and the knowledge function keeps working (it used to reach ~505 MB RSS reading it).
import { createDeflate } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { db, eventually, fn, member, website } from './widget-api.support.ts';

const stack = inject('stack');
const MiB = 1024 * 1024;

/** zlib data of a text operation followed by `size` spaces, compressed as it is produced. */
function deflatedContent(size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const deflate = createDeflate({ level: 9 });
    const parts: Buffer[] = [];
    deflate.on('data', (c: Buffer) => parts.push(c));
    deflate.on('end', () => resolve(Buffer.concat(parts)));
    deflate.on('error', reject);
    deflate.write('BT /F1 12 Tf 72 712 Td (Bomb) Tj ET\n');
    const block = Buffer.alloc(MiB, 0x20);
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

function pdf(content: Buffer): Buffer {
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
  ];
  const parts = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let size = parts[0].length;
  objects.forEach((o, i) => {
    offsets.push(size);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    size += obj.length;
  });
  parts.push(Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}` +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`));
  return Buffer.concat(parts);
}

async function upload(token: string, site: string, file: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.set('website_id', site);
  form.set('file', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), name);
  const res = await fn(stack, 'knowledge', { method: 'POST', token, body: form });
  expect(res.status).toBe(202);
  return (await res.json()).source.id;
}

const settled = (id: string) => eventually(async () => {
  const { rows } = await db(stack).query(`select status, error from public.knowledge_sources where id = $1`, [id]);
  return rows[0]?.status === 'ready' || rows[0]?.status === 'failed' ? rows[0] : undefined;
}, 20_000);

describe('knowledge: PDF decompression bomb', () => {
  it('fails the source with "too large when decompressed"; an ordinary PDF is read right after', async () => {
    const owner = await member(stack);
    const site = await website(stack, owner);
    const bomb = pdf(await deflatedContent(200 * MiB));
    expect(bomb.length).toBeLessThan(400 * 1024);
    expect(await settled(await upload(owner.token, site, bomb, 'bomb.pdf'))).toEqual({
      status: 'failed', error: expect.stringMatching(/PDF is too large when decompressed/),
    });
    const ordinary = pdf(await deflatedContent(1000));
    expect(await settled(await upload(owner.token, site, ordinary, 'ordinary.pdf'))).toEqual({ status: 'ready', error: null });
  });
});
