// widget-conversations (visitor JWT, contract §4):
//   GET ?website_id=UUID                        the caller's conversations on that website, newest first
//   GET /CONVERSATION_ID/messages?after=MSG_ID  its messages oldest first, only those after MSG_ID
// The second is the widget's catch-up after a reconnect. Without `after` (a whole history) the
// answer also carries `conversation: {ai_mode, agent_last_read_at}`: what the widget shows around
// the messages (AI or a person, and the team's read marker for "Seen"), so a reload needs no
// second request; afterwards realtime's `conversation` events keep them current. A conversation that is not the caller's
// is answered exactly like one that does not exist (404). `after` must be a message of that
// conversation: an unknown id is a 400 `unknown_message` (the widget then reloads without it),
// never a silent "everything", which would look like a full history to a client that expected a
// delta. `limit` (1–500, default 200) bounds a page; `has_more` says whether to ask again. With
// `after`, messages stamped up to 10 s before it come first too (they may have been committed after
// it: lateCommits below); clients reconcile by id.
import { authenticate } from '../_shared/auth.ts';
import { assertOriginAllowed } from '../_shared/cors.ts';
import { sql } from '../_shared/db.ts';
import { env } from '../_shared/env.ts';
import { ApiError, json, requireMethod, subPath } from '../_shared/http.ts';
import { type MessageRow, toApiMessage } from '../_shared/messages.ts';
import { callerLimit, enforceLimits, limitCaller } from '../_shared/rate-limit.ts';
import { asObject, invalid, isUuid, uuid } from '../_shared/validate.ts';
import { findWebsite, requireWebsite } from '../_shared/website.ts';

const FUNCTION = 'widget-conversations';

export async function widgetConversations(req: Request): Promise<Response> {
  requireMethod(req, ['GET']);
  const path = subPath(req, FUNCTION);
  const caller = await authenticate(req);
  if (path.length === 0) return listConversations(req, caller.userId);
  if (path.length === 2 && path[1] === 'messages') return listMessages(req, caller.userId, path[0]);
  throw new ApiError(404, 'not_found', `No route GET /${FUNCTION}/${path.join('/')}; use ?website_id= or /CONVERSATION_ID/messages.`);
}

function query(req: Request): Record<string, unknown> {
  const params = new URL(req.url).searchParams;
  for (const key of new Set(params.keys())) {
    if (params.getAll(key).length > 1) throw new ApiError(400, 'invalid_request', `${key} must be given once.`);
  }
  return asObject(Object.fromEntries(params));
}

async function listConversations(req: Request, userId: string): Promise<Response> {
  const websiteId = uuid(query(req), 'website_id');
  const website = await requireWebsite(websiteId);
  assertOriginAllowed(req, website.allowed_domains);
  await limitCaller(FUNCTION, websiteId, userId, env.readRateLimit());
  const rows = await sql()<{
    id: string;
    title: string | null;
    ai_mode: string;
    status: string;
    updated_at: Date;
    last_message_at: Date;
    last_message_preview: string | null;
    last_message_sender: string | null;
    visitor_unread_count: number;
  }[]>`
    select id, title, ai_mode, status, updated_at, last_message_at, last_message_preview, last_message_sender, visitor_unread_count
    from public.conversations
    where visitor_id = ${userId} and website_id = ${websiteId}
    order by last_message_at desc
    limit 100`;
  return json(200, {
    conversations: rows.map((c) => ({
      id: c.id,
      title: c.title,
      last_message: c.last_message_preview === null ? null : {
        content: c.last_message_preview,
        sender: c.last_message_sender,
        created_at: c.last_message_at.toISOString(),
      },
      updated_at: c.last_message_at > c.updated_at ? c.last_message_at.toISOString() : c.updated_at.toISOString(),
      ai_mode: c.ai_mode,
      status: c.status,
      unread: c.visitor_unread_count,
    })),
  });
}

async function listMessages(req: Request, userId: string, conversationId: string): Promise<Response> {
  if (!isUuid(conversationId)) throw invalid('The conversation id', 'must be a UUID.');
  const params = query(req);
  const after = uuid(params, 'after', { optional: true });
  const limit = params.limit === undefined ? 200 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw invalid('limit', 'must be an integer from 1 to 500.');

  const [conversation] = await sql()<{ website_id: string; ai_mode: string; agent_last_read_at: Date | null }[]>`
    select website_id, ai_mode, agent_last_read_at from public.conversations where id = ${conversationId} and visitor_id = ${userId}`;
  if (!conversation) throw new ApiError(404, 'conversation_not_found', `No conversation ${conversationId} of yours.`);
  const website = await findWebsite(conversation.website_id);
  assertOriginAllowed(req, website?.allowed_domains);
  // The widget's catch-up after a reconnect: limited per visitor only, never by a budget that
  // other visitors of the website could use up.
  await enforceLimits([callerLimit(`${FUNCTION}:messages`, conversation.website_id, userId, env.readRateLimit())]);

  if (after) {
    const [known] = await sql()`select 1 from public.messages where id = ${after} and conversation_id = ${conversationId}`;
    if (!known) throw new ApiError(400, 'unknown_message', `Message ${after} is not in this conversation; fetch without "after" to get the whole history.`);
  }
  // Keyset on (created_at, id), the order of messages_conversation_order_idx.
  const rows = await sql()<MessageRow[]>`
    select m.id, m.conversation_id, m.website_id, m.sender, m.content, m.client_id, m.metadata, m.created_at
    from public.messages m
    where m.conversation_id = ${conversationId}
      ${after ? sql()`and (m.created_at, m.id) > (select a.created_at, a.id from public.messages a where a.id = ${after})` : sql()``}
    order by m.created_at, m.id
    limit ${limit + 1}`;
  const page = { messages: rows.slice(0, limit).map(toApiMessage), has_more: rows.length > limit };
  if (after) page.messages.unshift(...(await lateCommits(conversationId, after)).map(toApiMessage));
  if (after) return json(200, page);
  return json(200, {
    ...page,
    conversation: { ai_mode: conversation.ai_mode, agent_last_read_at: conversation.agent_last_read_at?.toISOString() ?? null },
  });
}

/** How far before the cursor a message may be stamped and still be committed after it. */
const LATE_COMMIT_WINDOW = '10 seconds';
const LATE_COMMIT_MAX = 100;

/**
 * created_at is stamped when a row is inserted (clock_timestamp), not when it is committed: a
 * message stamped just before the cursor can become visible after it (its transaction waited for
 * the conversation's row lock, say), and a catch-up strictly "after" the cursor would skip it for
 * good if realtime missed it too. So a catch-up also returns the messages stamped in the window
 * before the cursor (the cursor itself excluded), oldest first, ahead of the page; the widget
 * reconciles by id, so those it already has change nothing. `has_more` concerns the page only.
 */
async function lateCommits(conversationId: string, after: string): Promise<MessageRow[]> {
  const rows = await sql()<MessageRow[]>`
    select m.id, m.conversation_id, m.website_id, m.sender, m.content, m.client_id, m.metadata, m.created_at
    from public.messages m, public.messages a
    where a.id = ${after}
      and m.conversation_id = ${conversationId}
      and m.created_at >= a.created_at - ${LATE_COMMIT_WINDOW}::interval
      and (m.created_at, m.id) < (a.created_at, a.id)
    order by m.created_at desc, m.id desc
    limit ${LATE_COMMIT_MAX}`;
  return rows.reverse();
}
