/**
 * -------------------------------------------------------
 * Section - Realtime: database broadcasts and private-topic authorisation (contract §6)
 * -------------------------------------------------------
 * | topic                       | read (join)                          | write (client send)   |
 * | conversation:ID             | its visitor; its website's members   | nobody (database only)|
 * | conversation:ID:live        | the same                             | the same (typing,     |
 * |                             |                                      | presence)             |
 * | website:WEBSITE_ID          | the website's members                | nobody (database only)|
 *
 * Realtime authorises a private channel by probing realtime.messages as the user with
 * `realtime.topic` set: a SELECT of probe rows (read) and an INSERT (write). The policies below
 * answer those probes. Since no client may write to conversation:ID or website:ID, anything that
 * arrives there was sent by the database triggers of this file.
 */

/**
 * -------------------------------------------------------
 * Section - Topic parsing
 * -------------------------------------------------------
 * Each returns the topic's UUID, or null when the topic has another shape. A malformed UUID is
 * simply no match (never a cast error): a policy that raised would make Realtime answer the join
 * with an error instead of a clean "unauthorised".
 */

/**
 * `conversation:<uuid>` → the conversation id.
 */
create or replace function private.conversation_topic_id(topic text)
  returns uuid
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select (pg_catalog.regexp_match(
    topic, '^conversation:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$'))[1]::uuid
$$;
comment on function private.conversation_topic_id(text) is
  'The conversation id of a topic "conversation:<uuid>", else null.';

/**
 * `conversation:<uuid>:live` → the conversation id (typing indicators and presence).
 */
create or replace function private.live_topic_conversation_id(topic text)
  returns uuid
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select (pg_catalog.regexp_match(
    topic, '^conversation:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}):live$'))[1]::uuid
$$;
comment on function private.live_topic_conversation_id(text) is
  'The conversation id of a topic "conversation:<uuid>:live", else null.';

/**
 * `website:<uuid>` → the website id.
 */
create or replace function private.website_topic_id(topic text)
  returns uuid
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select (pg_catalog.regexp_match(
    topic, '^website:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$'))[1]::uuid
$$;
comment on function private.website_topic_id(text) is
  'The website id of a topic "website:<uuid>", else null.';

/**
 * -------------------------------------------------------
 * Section - Policies on realtime.messages
 * -------------------------------------------------------
 * Each policy requires the row's topic to be the channel being authorised (`realtime.topic()`),
 * then decides on that topic once per query (the sub-selects are init-plans). anon has no policy:
 * anon can join none of these topics.
 */
create policy "Visitors and members can listen to their conversations"
  on realtime.messages for select to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and realtime.messages.topic = (select realtime.topic())
    and (select private.can_access_conversation(coalesce(
      private.conversation_topic_id(realtime.topic()),
      private.live_topic_conversation_id(realtime.topic()))))
  );

create policy "Members can listen to their websites"
  on realtime.messages for select to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and realtime.messages.topic = (select realtime.topic())
    and (select private.is_website_member(private.website_topic_id(realtime.topic())))
  );

create policy "Visitors and members can send typing and presence live"
  on realtime.messages for insert to authenticated
  with check (
    realtime.messages.extension in ('broadcast', 'presence')
    and realtime.messages.topic = (select realtime.topic())
    and (select private.can_access_conversation(private.live_topic_conversation_id(realtime.topic())))
  );

/**
 * -------------------------------------------------------
 * Section - Broadcasts from the database
 * -------------------------------------------------------
 * The trigger functions are security definer (owner postgres): realtime.send inserts into
 * realtime.messages, whose policies let no client write conversation:ID or website:ID. Run as an
 * agent writing through REST, the insert would be refused, and realtime.send turns that error into
 * a warning: the broadcast would be silently lost.
 */

/**
 * A message row goes to `conversation:ID` as event `message` on insert and on update, and to
 * `website:WEBSITE_ID` as `message` on insert (the inbox). Payload: the row as JSON.
 */
create or replace function private.broadcast_message()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  row_json jsonb := pg_catalog.to_jsonb(new);
begin
  perform realtime.send(row_json, 'message', 'conversation:' || new.conversation_id::text, true);
  if tg_op = 'INSERT' then
    perform realtime.send(row_json, 'message', 'website:' || new.website_id::text, true);
  end if;
  return null;
end;
$$;
comment on function private.broadcast_message() is
  'Trigger: broadcasts a message row to conversation:ID (insert, update) and website:WEBSITE_ID (insert).';

-- Named to sort before touch_conversation_on_message: subscribers get the message, then the
-- conversation it changed.
create trigger broadcast_message_insert
  after insert on public.messages
  for each row execute function private.broadcast_message();

create trigger broadcast_message_update
  after update on public.messages
  for each row
  when (old.* is distinct from new.*)
  execute function private.broadcast_message();

/**
 * A conversation row goes to `website:WEBSITE_ID` as event `conversation` on insert and every
 * update (the inbox orders, counts and filters by these columns). It goes to `conversation:ID`
 * when something its visitor sees changes (AI mode, status, title, assignee, read markers): the
 * per-message bookkeeping (last message, unread counts) reaches the visitor as the `message`
 * event itself.
 */
create or replace function private.broadcast_conversation()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  row_json jsonb := pg_catalog.to_jsonb(new);
begin
  perform realtime.send(row_json, 'conversation', 'website:' || new.website_id::text, true);
  if tg_op = 'UPDATE' and (
       new.ai_mode is distinct from old.ai_mode
       or new.status is distinct from old.status
       or new.title is distinct from old.title
       or new.assignee_id is distinct from old.assignee_id
       or new.visitor_last_read_at is distinct from old.visitor_last_read_at
       or new.agent_last_read_at is distinct from old.agent_last_read_at
       or new.needs_human is distinct from old.needs_human) then
    perform realtime.send(row_json, 'conversation', 'conversation:' || new.id::text, true);
  end if;
  return null;
end;
$$;
comment on function private.broadcast_conversation() is
  'Trigger: broadcasts a conversation row to website:WEBSITE_ID (insert, update) and to conversation:ID when the visitor-visible state changes.';

create trigger broadcast_conversation_insert
  after insert on public.conversations
  for each row execute function private.broadcast_conversation();

create trigger broadcast_conversation_update
  after update on public.conversations
  for each row
  when (old.* is distinct from new.*)
  execute function private.broadcast_conversation();

revoke all on function
  private.conversation_topic_id(text),
  private.live_topic_conversation_id(text),
  private.website_topic_id(text),
  private.broadcast_message(),
  private.broadcast_conversation()
from public, anon, authenticated, service_role;

grant execute on function
  private.conversation_topic_id(text),
  private.live_topic_conversation_id(text),
  private.website_topic_id(text)
to authenticated, service_role;
