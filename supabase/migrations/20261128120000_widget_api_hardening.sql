/**
 * -------------------------------------------------------
 * Section - Widget API hardening (security review M5)
 * -------------------------------------------------------
 * Two ways a caller could turn bad input into a server error or a wrong answer:
 *   - client_id collisions. The assistant's answer to a visitor message is stored under a client_id
 *     derived from the visitor message's (UUID version 5, widget-messages). A visitor who sent that
 *     derived id as the client_id of a message of their own either hit the unique
 *     (conversation_id, client_id) key (a 500), or, sending it first, had their own message come
 *     back as "the answer". Version 5 is now reserved for derived ids: a visitor message can never
 *     carry one (the Edge Function says so with a 400 first), and store_assistant_message never
 *     returns a row that is not an answer.
 *   - mark_conversation_read on a conversation the caller cannot see raised no_data_found (P0002),
 *     which PostgREST answers with 500. It now raises PT404: PostgREST's 404, same message.
 */

-- NOT VALID: existing rows are not re-checked; every new or changed row is.
alter table public.messages
  add constraint messages_user_client_id_not_derived
  check (sender <> 'user' or client_id is null or pg_catalog.substr(client_id::text, 15, 1) <> '5')
  not valid;
comment on constraint messages_user_client_id_not_derived on public.messages is
  'A visitor message''s client_id is never a version-5 UUID: those are the derived ids of AI answers.';

/**
 * Stores the AI's answer once: its client_id is derived from the visitor message's, so a second
 * attempt finds the first answer instead of adding one. Returns the stored (or existing) row, and
 * raises unique_violation if that client_id belongs to a message that is not an answer.
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
    if found and stored.sender <> 'assistant' then
      raise exception 'client_id % is already used by a % message of this conversation', answer_client_id, stored.sender
        using errcode = 'unique_violation';
    end if;
  end if;
  return pg_catalog.to_jsonb(stored);
end;
$$;
comment on function private.store_assistant_message(uuid, uuid, text, jsonb) is
  'widget-messages: stores the AI answer once per client_id (derived from the visitor message''s); returns the row, never a non-answer.';

/**
 * Marks a conversation read by the caller: the visitor's marker for its visitor, the agents'
 * marker for a member. Security definer: visitors have no write access to conversations. An
 * inaccessible conversation looks exactly like a missing one: PT404 (PostgREST: HTTP 404).
 */
create or replace function private.mark_conversation_read(target_conversation_id uuid)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  conversation_visitor uuid;
  conversation_website uuid;
begin
  select c.visitor_id, c.website_id into conversation_visitor, conversation_website
  from public.conversations c
  where c.id = target_conversation_id;

  if conversation_visitor is not null and conversation_visitor = (select auth.uid()) then
    update public.conversations c
    set visitor_last_read_at = pg_catalog.now(), visitor_unread_count = 0
    where c.id = target_conversation_id
      and (c.visitor_unread_count > 0 or c.visitor_last_read_at is null or c.visitor_last_read_at < c.last_message_at);
  elsif conversation_website is not null and private.is_website_member(conversation_website) then
    update public.conversations c
    set agent_last_read_at = pg_catalog.now(), agent_unread_count = 0
    where c.id = target_conversation_id
      and (c.agent_unread_count > 0 or c.agent_last_read_at is null or c.agent_last_read_at < c.last_message_at);
  else
    raise exception 'Conversation not found' using errcode = 'PT404';
  end if;
end;
$$;
comment on function private.mark_conversation_read(uuid) is
  'Marks the conversation read by its visitor or by the website''s agents, resetting that side''s unread count; PT404 when the caller cannot see it.';
