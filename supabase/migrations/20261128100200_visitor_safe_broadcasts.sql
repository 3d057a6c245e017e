/**
 * -------------------------------------------------------
 * Section - What visitors receive of a message (security fix L1)
 * -------------------------------------------------------
 * `conversation:ID` is read by the conversation's visitor as well as by the website's members.
 * Until now each message went there as the whole row: the agents' user ids (author_id) and the
 * metadata the team and the Edge Functions keep (the AI's model, token usage, retrieval figures,
 * the account's plan and quota). Now:
 *   - conversation:ID gets a visitor-safe projection of the message: id, conversation_id,
 *     website_id, sender, content, client_id, created_at, updated_at, and metadata holding only
 *     the sources of an AI answer, each as {title, url}. The schema has no agent display name, so
 *     none is sent (the widget names the team instead);
 *   - website:ID, members only, keeps the whole row (the inbox and the backoffice use it);
 *   - an agent message's metadata may not contain `sources` (which the widget shows as the AI's
 *     citations) or `ai` (the AI's bookkeeping), whoever writes it.
 * Not changed: visitors reading their messages through REST still get whole rows (RLS decides
 * rows, not columns, and visitors and members share the `authenticated` role); the widget reads
 * messages through the widget-conversations Edge Function, which returns the public fields only.
 */

/**
 * The visitor-safe JSON form of a message, as the conversation's topic carries it. The values
 * have the same JSON form as in to_jsonb(row).
 */
create or replace function private.visitor_message_payload(message public.messages)
  returns jsonb
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'id', message.id,
    'conversation_id', message.conversation_id,
    'website_id', message.website_id,
    'sender', message.sender,
    'content', message.content,
    'client_id', message.client_id,
    'created_at', message.created_at,
    'updated_at', message.updated_at,
    'metadata', case
      when message.sender = 'assistant'
       and pg_catalog.jsonb_typeof(message.metadata operator(pg_catalog.->) 'sources') = 'array' then
        pg_catalog.jsonb_build_object('sources', coalesce((
          select pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                   'title', s.source operator(pg_catalog.->>) 'title',
                   'url', s.source operator(pg_catalog.->>) 'url')) order by s.position)
          from pg_catalog.jsonb_array_elements(message.metadata operator(pg_catalog.->) 'sources')
            with ordinality as s(source, position)
          where pg_catalog.jsonb_typeof(s.source) = 'object'
        ), '[]'::jsonb))
      else '{}'::jsonb
    end)
$$;
comment on function private.visitor_message_payload(public.messages) is
  'A message as its visitor may see it: public fields, and only an AI answer''s sources (title, url) from metadata.';

/**
 * A message goes to `conversation:ID` as event `message` on insert and on update, in its
 * visitor-safe form, and to `website:WEBSITE_ID` as `message` on insert, as the whole row (the
 * inbox). Replaces the version of 20261126120400_realtime.sql.
 */
create or replace function private.broadcast_message()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  perform realtime.send(private.visitor_message_payload(new), 'message', 'conversation:' || new.conversation_id::text, true);
  if tg_op = 'INSERT' then
    perform realtime.send(pg_catalog.to_jsonb(new), 'message', 'website:' || new.website_id::text, true);
  end if;
  return null;
end;
$$;
comment on function private.broadcast_message() is
  'Trigger: broadcasts a message to conversation:ID in its visitor-safe form (insert, update) and as the whole row to website:WEBSITE_ID (insert).';

revoke all on function private.visitor_message_payload(public.messages) from public, anon, authenticated, service_role;

-- Agent messages written before this migration lose the keys they may no longer carry (the edit
-- is broadcast like any other, so open widgets drop forged citations).
update public.messages m
set metadata = m.metadata - 'sources' - 'ai'
where m.sender = 'agent' and m.metadata ?| array['sources', 'ai'];

alter table public.messages
  add constraint messages_agent_metadata_check
  check (sender <> 'agent' or not (metadata ?| array['sources', 'ai']));
comment on constraint messages_agent_metadata_check on public.messages is
  'An agent message carries no sources (shown to visitors as the AI''s citations) and no AI bookkeeping.';
