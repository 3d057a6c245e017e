// knowledge (member JWT: owners and agents of the website), contract §4:
//   POST   /knowledge                   JSON {website_id, kind: text|faq|url, title?, content?, url?,
//                                       question?, answer?, follow_links?, max_pages?}
//                                       or multipart/form-data {website_id, file, title?}
//                                       → 202 {source: {id, status}}; ingestion continues afterwards
//   POST   /knowledge/SOURCE_ID/reingest → 202 {source: {id, status}}: passages replaced atomically
//   DELETE /knowledge/SOURCE_ID         → 204; its passages leave Postgres and Qdrant
//   POST   /knowledge/search            {website_id, question} → {answer, passages} ("try a question")
// Progress is read from the knowledge_sources row (status, progress, error) through REST/realtime.
import { answerEngine } from '../_shared/answer/engine.ts';
import { visitorLanguage } from '../_shared/answer/stream.ts';
import { retrieve } from '../_shared/answer/retrieve.ts';
import type { Source } from '../_shared/answer/types.ts';
import { authenticate, type Caller } from '../_shared/auth.ts';
import { sql } from '../_shared/db.ts';
import { env } from '../_shared/env.ts';
import { ApiError, json, MAX_JSON_BODY_BYTES, readBodyBytes, readJson, requireContentType, requireMethod, subPath } from '../_shared/http.ts';
import { documentType } from '../_shared/knowledge/documents.ts';
import { deleteSource, ingestSource, runInBackground, type Upload } from '../_shared/knowledge/ingest.ts';
import { limitCaller } from '../_shared/rate-limit.ts';
import { asObject, bool, type Body, httpUrl, invalid, isUuid, oneOf, text, uuid } from '../_shared/validate.ts';

const FUNCTION = 'knowledge';
const KINDS = ['text', 'faq', 'url', 'file'] as const;
const MAX_TEXT_CHARS = 60_000;

export async function knowledge(req: Request): Promise<Response> {
  const path = subPath(req, FUNCTION);
  if (path.length === 0) {
    requireMethod(req, ['POST']);
    return addSource(req, await authenticate(req));
  }
  if (path.length === 1 && path[0] === 'search') {
    requireMethod(req, ['POST']);
    return search(req, await authenticate(req));
  }
  if (path.length === 1) {
    requireMethod(req, ['DELETE']);
    return removeSource(await authenticate(req), path[0]);
  }
  if (path.length === 2 && path[1] === 'reingest') {
    requireMethod(req, ['POST']);
    return reingest(await authenticate(req), path[0]);
  }
  throw new ApiError(404, 'not_found', `No route /${FUNCTION}/${path.join('/')}.`);
}

/** Members (owners and agents) only; anyone else sees the website as missing. */
async function requireMember(caller: Caller, websiteId: string): Promise<void> {
  const [row] = await sql()`
    select 1 from public.website_members m join public.websites w on w.id = m.website_id
    where m.website_id = ${websiteId} and m.user_id = ${caller.userId}`;
  if (!row) throw new ApiError(404, 'website_not_found', `No website ${websiteId} of yours.`);
  await limitCaller(FUNCTION, websiteId, caller.userId, env.knowledgeRateLimit());
}

async function sourceOfMember(caller: Caller, sourceId: string): Promise<{ id: string; website_id: string; status: string; kind: string }> {
  if (!isUuid(sourceId)) throw invalid('The source id', 'must be a UUID.');
  const [source] = await sql()<{ id: string; website_id: string; status: string; kind: string }[]>`
    select s.id, s.website_id, s.status, s.kind from public.knowledge_sources s
    join public.website_members m on m.website_id = s.website_id and m.user_id = ${caller.userId}
    where s.id = ${sourceId}`;
  if (!source) throw new ApiError(404, 'source_not_found', `No knowledge source ${sourceId} on your websites.`);
  await limitCaller(FUNCTION, source.website_id, caller.userId, env.knowledgeRateLimit());
  return source;
}

interface NewSource {
  websiteId: string;
  kind: typeof KINDS[number];
  title: string;
  titleGiven: boolean;
  url?: string;
  content?: string;
  metadata: Record<string, unknown>;
  upload?: Upload;
}

function firstLine(s: string, max = 80): string {
  const line = s.trim().split('\n')[0].replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function fromJson(body: Body): NewSource {
  const websiteId = uuid(body, 'website_id');
  const kind = oneOf(body, 'kind', KINDS);
  const title = text(body, 'title', { optional: true, max: 300 });
  switch (kind) {
    case 'text': {
      const content = text(body, 'content', { max: MAX_TEXT_CHARS });
      return { websiteId, kind, title: title ?? firstLine(content), titleGiven: !!title, content, metadata: {} };
    }
    case 'faq': {
      const question = text(body, 'question', { max: 1000 });
      const answer = text(body, 'answer', { max: 10_000 });
      return { websiteId, kind, title: title ?? firstLine(question, 300), titleGiven: !!title, content: `${question}\n\n${answer}`, metadata: { question, answer } };
    }
    case 'url': {
      const url = httpUrl(body, 'url')!;
      const follow = bool(body, 'follow_links', false);
      const maxPages = body.max_pages === undefined ? env.maxCrawlPages() : Number(body.max_pages);
      if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > env.maxCrawlPages()) {
        throw invalid('max_pages', `must be an integer from 1 to ${env.maxCrawlPages()}.`);
      }
      return { websiteId, kind, title: title ?? url, titleGiven: !!title, url, metadata: { follow_links: follow, max_pages: maxPages } };
    }
    case 'file':
      throw new ApiError(415, 'unsupported_media_type', 'Send files as multipart/form-data with a "file" field.');
  }
}

async function fromMultipart(req: Request): Promise<NewSource> {
  // The form is read with a cap of its own (files are bigger than JSON bodies).
  const bytes = await readBodyBytes(req, env.maxUploadBytes() + MAX_JSON_BODY_BYTES);
  let form: FormData;
  try {
    form = await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': req.headers.get('content-type')! } }).formData();
  } catch {
    throw new ApiError(400, 'invalid_form', 'The multipart body could not be parsed.');
  }
  const fields: Body = {};
  for (const key of ['website_id', 'title', 'kind']) {
    const v = form.get(key);
    if (v !== null) {
      if (typeof v !== 'string') throw invalid(key, 'must be a text field.');
      fields[key] = v;
    }
  }
  const websiteId = uuid(fields, 'website_id');
  if (fields.kind !== undefined && fields.kind !== 'file') throw invalid('kind', 'must be file for an upload.');
  const title = text(fields, 'title', { optional: true, max: 300 });
  const file = form.get('file');
  if (!(file instanceof File)) throw invalid('file', 'is required (a txt, md, html or pdf file).');
  if (file.size === 0) throw invalid('file', 'is empty.');
  if (file.size > env.maxUploadBytes()) throw new ApiError(413, 'payload_too_large', `The file must not exceed ${env.maxUploadBytes()} bytes.`);
  // The name is the browser's, stored as metadata: control characters (NUL cannot be stored) and
  // unpaired surrogates are dropped rather than refused.
  const fileName = file.name.replace(/[\u0000-\u001f\u007f]/g, '').toWellFormed().slice(0, 255);
  const type = documentType(file.type === 'application/octet-stream' ? '' : file.type, fileName) ?? documentType('', fileName);
  if (!type) throw new ApiError(415, 'unsupported_file_type', 'Only txt, md, html and pdf files can be added.');
  return {
    websiteId,
    kind: 'file',
    title: title ?? (fileName || 'Uploaded file').slice(0, 300),
    titleGiven: !!title,
    metadata: { file_name: fileName, file_type: type, file_size: file.size },
    upload: { bytes: new Uint8Array(await file.arrayBuffer()), type, name: fileName },
  };
}

async function addSource(req: Request, caller: Caller): Promise<Response> {
  const type = requireContentType(req, ['application/json', 'multipart/form-data']);
  const source = type === 'application/json' ? fromJson(asObject(await readJson(req))) : await fromMultipart(req);
  await requireMember(caller, source.websiteId);
  const [row] = await sql()<{ id: string; status: string }[]>`
    insert into public.knowledge_sources (website_id, kind, title, url, content, metadata, status, created_by)
    values (${source.websiteId}, ${source.kind}, ${source.title}, ${source.url ?? null}, ${source.content ?? null},
            ${sql().json({ ...source.metadata, title_given: source.titleGiven } as never)}, 'pending', ${caller.userId})
    returning id, status`;
  runInBackground(ingestSource(row.id, source.upload));
  return json(202, { source: { id: row.id, status: row.status } });
}

async function reingest(caller: Caller, sourceId: string): Promise<Response> {
  const source = await sourceOfMember(caller, sourceId);
  if (source.status === 'processing' || source.status === 'pending') {
    throw new ApiError(409, 'ingestion_in_progress', 'This source is being ingested; try again when it is ready or failed.');
  }
  const [row] = await sql()<{ content: string | null }[]>`select content from public.knowledge_sources where id = ${sourceId}`;
  if (source.kind === 'file' && !row?.content) {
    throw new ApiError(409, 'nothing_to_reingest', 'This file was never read successfully; upload it again.');
  }
  await sql()`update public.knowledge_sources set status = 'pending', progress = 0, error = null where id = ${sourceId}`;
  runInBackground(ingestSource(sourceId));
  return json(202, { source: { id: sourceId, status: 'pending' } });
}

async function removeSource(caller: Caller, sourceId: string): Promise<Response> {
  await sourceOfMember(caller, sourceId);
  await deleteSource(sourceId);
  return new Response(null, { status: 204 });
}

async function search(req: Request, caller: Caller): Promise<Response> {
  const body = asObject(await readJson(req));
  const websiteId = uuid(body, 'website_id');
  const question = text(body, 'question', { max: 4000 });
  await requireMember(caller, websiteId);
  const [website] = await sql()<{ name: string; ai_instructions: string }[]>`
    select name, ai_instructions from public.websites where id = ${websiteId}`;
  const retrieval = await retrieve(websiteId, question);
  const engine = answerEngine();
  let content = '';
  let sources: Source[] = [];
  let grounded = false;
  let model = engine.model;
  try {
    for await (const e of engine.answer({
      question, passages: retrieval.passages, history: [], instructions: website.ai_instructions,
      websiteName: website.name, lang: visitorLanguage(question),
    })) {
      if (e.type === 'delta') content += e.text;
      else ({ sources, grounded, model } = e);
    }
  } catch (err) {
    throw new ApiError(502, 'ai_unavailable', `The AI provider could not answer: ${(err as Error).message}`);
  }
  return json(200, {
    answer: { content, sources, grounded, engine: engine.kind, model },
    passages: retrieval.passages.map((p) => ({ id: p.id, source_id: p.sourceId, title: p.title, url: p.url, content: p.content, score: p.score })),
    retrieval: { full_text: retrieval.fullText, vector: retrieval.vector },
  });
}
