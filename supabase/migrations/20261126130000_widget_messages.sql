/**
 * -------------------------------------------------------
 * Section - Storing a visitor's message (widget-messages Edge Function)
 * -------------------------------------------------------
 * The widget retries a send with the same `client_id` after a network failure, possibly while the
 * first attempt is still running, and possibly before it knows the conversation's id (the first
 * message of a conversation creates it). One call of this function, in one transaction, does
 * everything that must be atomic for that to be safe:
 *   - serialises attempts of the same (website, visitor, client_id) with an advisory lock;
 *   - finds a message already stored with that client_id in any of the visitor's conversations
 *     of the website, and then returns it unchanged (`duplicate: true`), never a second row and
 *     never a second conversation;
 *   - else records the visitor's visit (locale, page, user agent), creates the conversation when
 *     none is given, and inserts the message.
 * Called by the Edge Function over its service connection only; no API role may execute it.
 */
create or replace function private.store_visitor_message(
  target_website_id uuid,
  visitor uuid,
  target_conversation_id uuid,
  message_client_id uuid,
  message_content text,
  visitor_locale text default null,
  page_url text default null,
  visitor_user_agent text default null
)
  returns jsonb
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  existing public.messages;
  conversation public.conversations;
  stored public.messages;
begin
  if target_website_id is null or visitor is null or message_client_id is null then
    raise exception 'website, visitor and client_id are required' using errcode = 'null_value_not_allowed';
  end if;

  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
    target_website_id::text || ':' || visitor::text || ':' || message_client_id::text, 0));

  -- The same send again: the visitor's conversations on this website are few and indexed, and
  -- each lookup uses the unique (conversation_id, client_id) key.
  select m.* into existing
  from public.messages m
  where m.conversation_id = any (array(
      select c.id from public.conversations c
      where c.visitor_id = visitor and c.website_id = target_website_id))
    and m.client_id = message_client_id
    and m.sender = 'user'
  limit 1;
  if found then
    select c.* into conversation from public.conversations c where c.id = existing.conversation_id;
    return pg_catalog.jsonb_build_object(
      'duplicate', true,
      'conversation', pg_catalog.to_jsonb(conversation),
      'message', pg_catalog.to_jsonb(existing));
  end if;

  insert into public.visitors as v (website_id, user_id, locale, last_page_url, user_agent)
  values (
    target_website_id, visitor,
    case when visitor_locale ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$' then visitor_locale end,
    pg_catalog.left(page_url, 2048),
    pg_catalog.left(visitor_user_agent, 512))
  on conflict (website_id, user_id) do update
  set last_seen_at = pg_catalog.now(),
      locale = coalesce(excluded.locale, v.locale),
      last_page_url = coalesce(excluded.last_page_url, v.last_page_url),
      user_agent = coalesce(excluded.user_agent, v.user_agent);

  if target_conversation_id is null then
    insert into public.conversations (website_id, visitor_id)
    values (target_website_id, visitor)
    returning * into conversation;
  else
    select c.* into conversation
    from public.conversations c
    where c.id = target_conversation_id
      and c.website_id = target_website_id
      and c.visitor_id = visitor
    for no key update;
    if not found then
      -- Someone else's conversation looks exactly like a missing one.
      raise exception 'conversation_not_found' using errcode = 'no_data_found';
    end if;
  end if;

  insert into public.messages (conversation_id, website_id, sender, content, client_id, author_id)
  values (conversation.id, target_website_id, 'user', message_content, message_client_id, null)
  returning * into stored;

  -- The message trigger updated the conversation (title, preview, flags): return it as it is now.
  select c.* into conversation from public.conversations c where c.id = conversation.id;
  return pg_catalog.jsonb_build_object(
    'duplicate', false,
    'conversation', pg_catalog.to_jsonb(conversation),
    'message', pg_catalog.to_jsonb(stored));
end;
$$;
comment on function private.store_visitor_message(uuid, uuid, uuid, uuid, text, text, text, text) is
  'widget-messages: stores a visitor message idempotently by client_id (creating the conversation and visitor row when needed); returns {duplicate, conversation, message}.';

/**
 * Stores the AI's answer once: its client_id is derived from the visitor message's, so a second
 * attempt finds the first answer instead of adding one. Returns the stored (or existing) row.
 */
create or replace function private.store_assistant_message(
  target_conversation_id uuid,
  answer_client_id uuid,
  answer_content text,
  answer_metadata jsonb
)
  returns jsonb
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  stored public.messages;
begin
  insert into public.messages (conversation_id, website_id, sender, content, client_id, metadata, author_id)
  select c.id, c.website_id, 'assistant', answer_content, answer_client_id, coalesce(answer_metadata, '{}'), null
  from public.conversations c
  where c.id = target_conversation_id
  on conflict (conversation_id, client_id) do nothing
  returning * into stored;
  if not found then
    select m.* into stored from public.messages m
    where m.conversation_id = target_conversation_id and m.client_id = answer_client_id;
  end if;
  return pg_catalog.to_jsonb(stored);
end;
$$;
comment on function private.store_assistant_message(uuid, uuid, text, jsonb) is
  'widget-messages: stores the AI answer once per client_id (derived from the visitor message''s); returns the row.';

/**
 * The AI could not answer (provider failure or timeout): a person must. Flags the conversation and
 * notes the failure on the visitor's message, so a retried send learns the outcome instead of
 * waiting for an answer that will not come.
 */
create or replace function private.mark_ai_failed(target_message_id uuid, failure_code text)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  conversation uuid;
begin
  update public.messages m
  set metadata = m.metadata || pg_catalog.jsonb_build_object('ai', pg_catalog.jsonb_build_object(
        'status', 'failed', 'code', failure_code, 'at', pg_catalog.now()))
  where m.id = target_message_id
  returning m.conversation_id into conversation;
  update public.conversations c set needs_human = true where c.id = conversation and not c.needs_human;
end;
$$;
comment on function private.mark_ai_failed(uuid, text) is
  'widget-messages: records on the visitor message that the AI failed, and flags the conversation for a human.';

revoke all on function
  private.store_visitor_message(uuid, uuid, uuid, uuid, text, text, text, text),
  private.store_assistant_message(uuid, uuid, text, jsonb),
  private.mark_ai_failed(uuid, text)
from public, anon, authenticated, service_role;
