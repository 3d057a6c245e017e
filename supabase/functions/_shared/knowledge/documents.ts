// Turns an uploaded or fetched document into plain text by its type: plain text and Markdown as
// they are (Markdown syntax stripped lightly), HTML through the main-content extractor, PDF through
// unpdf (pdf.js, no native code, works in Deno and on Supabase's edge runtime). A PDF is measured
// first (pdf-budget.ts: no decompression bomb reaches pdf.js), and extraction stops at a page and a
// text limit, so one upload cannot hold the function's memory or time.
import { getDocumentProxy } from 'npm:unpdf@1.8.1';
import { env } from '../env.ts';
import { ApiError } from '../http.ts';
import { extractHtml } from './html.ts';
import { checkPdfDecodedSize, PdfRefused } from './pdf-budget.ts';

export type DocumentType = 'text' | 'markdown' | 'html' | 'pdf';

export interface DocumentText {
  title?: string;
  text: string;
  links: string[];
}

const BY_EXTENSION: Record<string, DocumentType> = {
  txt: 'text', text: 'text', md: 'markdown', markdown: 'markdown', html: 'html', htm: 'html', pdf: 'pdf',
};
const BY_MEDIA: Record<string, DocumentType> = {
  'text/plain': 'text', 'text/markdown': 'markdown', 'text/x-markdown': 'markdown', 'text/html': 'html',
  'application/xhtml+xml': 'html', 'application/pdf': 'pdf',
};

/** The document type from a media type, else from the file name's extension. */
export function documentType(mediaType: string | null | undefined, fileName?: string): DocumentType | undefined {
  const media = (mediaType ?? '').split(';')[0].trim().toLowerCase();
  if (BY_MEDIA[media]) return BY_MEDIA[media];
  const ext = fileName?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return ext ? BY_EXTENSION[ext] : undefined;
}

export async function documentText(bytes: Uint8Array, type: DocumentType, url?: string): Promise<DocumentText> {
  const doc = await extract(bytes, type, url);
  // Postgres text cannot hold NUL: a file with NUL bytes (or a PDF string with one) loses them.
  return { ...doc, title: doc.title?.replace(/\u0000/g, ''), text: doc.text.replace(/\u0000/g, '') };
}

async function extract(bytes: Uint8Array, type: DocumentType, url?: string): Promise<DocumentText> {
  if (type === 'pdf') return { ...(await pdfText(bytes)), links: [] };
  const text = new TextDecoder('utf-8').decode(bytes);
  if (type === 'html') {
    const page = extractHtml(text, url);
    return { title: page.title || undefined, text: page.text, links: page.links };
  }
  if (type === 'markdown') return { title: text.match(/^#\s+(.+)$/m)?.[1]?.trim(), text: stripMarkdown(text), links: [] };
  return { text: text.replace(/\r\n?/g, '\n').trim(), links: [] };
}

/** Pages read from one PDF, and characters of text kept from it; the rest is left out. */
export const MAX_PDF_PAGES = 1000;
export const MAX_PDF_TEXT_CHARS = 2_000_000;

async function pdfText(bytes: Uint8Array): Promise<{ title?: string; text: string }> {
  if (!(bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46)) {
    throw new ApiError(400, 'invalid_file', 'The file is not a PDF.');
  }
  try {
    await checkPdfDecodedSize(bytes, env.maxPdfDecodedBytes());
  } catch (err) {
    if (err instanceof PdfRefused) throw new ApiError(400, 'invalid_file', err.message);
    throw err;
  }
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes));
    const pages: string[] = [];
    let chars = 0;
    // One page at a time (unpdf's extractText reads them all at once), stopping at the limits.
    for (let n = 1; n <= Math.min(pdf.numPages, MAX_PDF_PAGES) && chars < MAX_PDF_TEXT_CHARS; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      const page = content.items
        .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
        .join('')
        .replace(/[ \t]+\n/g, '\n')
        .trim();
      if (!page) continue;
      pages.push(page.slice(0, MAX_PDF_TEXT_CHARS - chars));
      chars += page.length;
    }
    return { text: pages.join('\n\n') };
  } catch {
    throw new ApiError(400, 'invalid_file', 'The PDF could not be read.');
  } finally {
    await pdf?.loadingTask.destroy().catch(() => {});
  }
}

/** Markdown to readable text: headings, emphasis, links and images reduced to their words. */
export function stripMarkdown(md: string): string {
  return md
    .replace(/\r\n?/g, '\n')
    .replace(/^```[^\n]*\n([\s\S]*?)^```/gm, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^#{1,6}\s+(.+?)\s*#*$/gm, '\n$1\n')
    .replace(/^[ \t]*>[ \t]?/gm, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^*\w])[*_]([^*_\n]+)[*_]/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^[ \t]*[-*+][ \t]+/gm, '- ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
