// widget-messages (visitor JWT, contract §4): stores the visitor's message idempotently by
// client_id, then either streams the AI's answer (SSE) or answers JSON when the AI is off, paused
// or over the plan's monthly quota (`reason: 'quota'`; the owners learn of the message through the
// website's realtime topic).
// Order of checks: method, session, content type and body, fields, website, Origin, rate limits.
import { engineKind } from '../_shared/answer/engine.ts';
import { streamAnswer } from '../_shared/answer/stream.ts';
import { authenticate } from '../_shared/auth.ts';
import { assertOriginAllowed, corsHeaders } from '../_shared/cors.ts';
import { sql } from '../_shared/db.ts';
import { env } from '../_shared/env.ts';
import { ApiError, json, readJson, requireMethod } from '../_shared/http.ts';
import { answerClientId, isDerivedId } from '../_shared/ids.ts';
import { type MessageRow, toApiMessage } from '../_shared/messages.ts';
import { addressLimit, callerLimit, enforceLimits, websiteLimit } from '../_shared/rate-limit.ts';
import { createSseStream, type SseStream } from '../_shared/sse.ts';
import { primaryLocale } from '../_shared/text.ts';
import { asObject, httpUrl, invalid, MAX_CONTENT_CHARS, text, uuid } from '../_shared/validate.ts';
import { requireWebsite, type Website } from '../_shared/website.ts';

interface ConversationRow {
  id: string;
  ai_mode: 'auto' | 'paused';
  status: string;
  title: string | null;
}

interface Stored {
  duplicate: boolean;
  conversation: ConversationRow;
  message: MessageRow;
}

const FUNCTION = 'widget-messages';

/** How often, and how long at most, a retried send waits for the answer the first attempt is writing. */
const DUPLICATE_WAIT_POLL_MS = 250;
const DUPLICATE_WAIT_MS = 10_000;
/** Past the AI time limit plus this, a first attempt with no outcome cannot be running any more. */
const LOST_ATTEMPT_MARGIN_S = 5;

export async function widgetMessages(req: Request): Promise<Response> {
  requireMethod(req, ['POST']);
  const caller = await authenticate(req);
  const body = asObject(await readJson(req));
  const websiteId = uuid(body, 'website_id');
  const conversationId = uuid(body, 'conversation_id', { optional: true });
  const clientId = uuid(body, 'client_id');
  if (isDerivedId(clientId)) throw invalid('client_id', 'must be a random UUID (version 4); version 5 UUIDs are reserved for the answers\' ids.');
  const content = text(body, 'content', { max: MAX_CONTENT_CHARS });
  const locale = text(body, 'locale', { optional: true, max: 35 }) ?? primaryLocale(req.headers.get('accept-language'));
  const pageUrl = httpUrl(body, 'page_url', { optional: true }) ?? refererUrl(req);

  const website = await requireWebsite(websiteId);
  assertOriginAllowed(req, website.allowed_domains);
  await enforceLimits([
    callerLimit(FUNCTION, websiteId, caller.userId),
    // AI answers cost money and anonymous sessions are free: a client address gets a budget too.
    ...(website.ai_enabled ? [addressLimit(req, `${FUNCTION}:ai`, websiteId, env.aiAddressRateLimit())] : []),
    websiteLimit(FUNCTION, websiteId),
  ]);

  let stored: Stored;
  try {
    const [{ result }] = await sql()<{ result: Stored }[]>`
      select private.store_visitor_message(${websiteId}, ${caller.userId}, ${conversationId ?? null}, ${clientId},
        ${content}, ${locale ?? null}, ${pageUrl ?? null}, ${req.headers.get('user-agent')?.slice(0, 512) ?? null}) as result`;
    stored = result;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'P0002') {
      throw new ApiError(404, 'conversation_not_found', `No conversation ${conversationId} of yours on this website.`);
    }
    if (code === '23505') {
      throw new ApiError(409, 'client_id_conflict', 'Another message of this conversation already has this client_id; send with a new one.');
    }
    throw err;
  }

  const { mode, reason } = await aiMode(website, stored);
  if (mode !== 'auto') {
    return json(200, {
      conversation_id: stored.conversation.id, message: toApiMessage(stored.message), ai: mode, ...(reason ? { reason } : {}),
      duplicate: stored.duplicate,
    });
  }

  const sse = createSseStream({ heartbeatMs: env.sseHeartbeatMs(), headers: { ...corsHeaders(req), 'X-Emily-Engine': engineKind() } });
  sse.send('conversation', { conversation_id: stored.conversation.id });
  sse.send('message', toApiMessage(stored.message));
  const work = stored.duplicate
    ? replayAnswer(sse, stored)
    : streamAnswer(sse, { website, conversationId: stored.conversation.id, visitorMessage: stored.message, locale });
  work.catch((err) => console.error('[widget-messages] stream failed:', err));
  return sse.response;
}

/**
 * 'auto' when the AI answers this message; else why not. A duplicate is decided by what happened
 * to the first attempt: if an answer exists or is being written, the stream replays it.
 */
async function aiMode(website: Website, stored: Stored): Promise<{ mode: 'auto' | 'paused' | 'off'; reason?: 'quota' }> {
  if (!website.ai_enabled) return { mode: 'off' };
  if (stored.conversation.ai_mode === 'paused') return { mode: 'paused' };
  if (stored.duplicate) {
    const ai = (stored.message.metadata as { ai?: { status?: string; reason?: string } } | null)?.ai;
    if (ai?.status === 'skipped') return { mode: 'paused', ...(ai.reason === 'quota' ? { reason: 'quota' as const } : {}) };
    return { mode: 'auto' };
  }
  // The plan's monthly AI-answer quota (counted atomically). Over it, the message waits for a person
  // as if the AI were paused; the message and the billing page say why.
  const [usage] = await sql()<{ allowed: boolean }[]>`
    select allowed from private.consume_ai_answer(${website.id}, ${stored.message.id})`;
  return usage.allowed ? { mode: 'auto' } : { mode: 'paused', reason: 'quota' };
}

/**
 * A retried send: never a second answer. Sends the stored answer when there is one, or the first
 * attempt's failure. While neither exists it waits, but at most DUPLICATE_WAIT_MS (a connection is
 * not held for the AI's whole time limit); then, if the first attempt cannot still be running (it
 * died without storing anything), the message is marked failed and flagged for a person, else the
 * stream ends with `error {code: 'in_progress'}`: the answer will arrive through realtime or catch-up.
 */
async function replayAnswer(sse: SseStream, stored: Stored): Promise<void> {
  const answerId = await answerClientId(stored.message.client_id ?? stored.message.id);
  const deadline = Date.now() + Math.min(DUPLICATE_WAIT_MS, env.aiTotalTimeoutMs());
  try {
    while (!sse.closed) {
      const [row] = await sql()<(MessageRow & { failed: boolean })[]>`
        select a.*, false as failed from public.messages a
        where a.conversation_id = ${stored.conversation.id} and a.client_id = ${answerId} and a.sender = 'assistant'
        union all
        select v.*, true from public.messages v
        where v.id = ${stored.message.id} and v.metadata -> 'ai' ->> 'status' = 'failed'
        limit 1`;
      if (row && !row.failed) {
        sse.send('done', { message: toApiMessage(row) });
        return;
      }
      if (row?.failed) {
        sse.send('error', { code: 'ai_unavailable', message: 'The assistant could not answer this message; a person from the team will reply.' });
        return;
      }
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, DUPLICATE_WAIT_POLL_MS));
    }
    if (sse.closed) return;
    const [{ lost }] = await sql()<{ lost: boolean }[]>`
      select coalesce((select clock_timestamp() - v.created_at > make_interval(secs => ${env.aiTotalTimeoutMs() / 1000 + LOST_ATTEMPT_MARGIN_S})
                       from public.messages v where v.id = ${stored.message.id}), false) as lost`;
    if (lost) {
      await sql()`select private.mark_ai_failed(${stored.message.id}, 'ai_lost')`;
      sse.send('error', { code: 'ai_unavailable', message: 'The assistant could not answer this message; a person from the team will reply.' });
    } else {
      sse.send('error', { code: 'in_progress', message: 'The answer to this message is still being written; it will appear in the conversation.' });
    }
  } finally {
    sse.close();
  }
}

function refererUrl(req: Request): string | undefined {
  const ref = req.headers.get('referer');
  if (!ref) return undefined;
  try {
    const url = new URL(ref);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString().slice(0, 2048) : undefined;
  } catch {
    return undefined;
  }
}
