/**
 * -------------------------------------------------------
 * Section - A deleted website's id is never used again (security fix H3)
 * -------------------------------------------------------
 * A website's id is in its embed code, and it names its private topics `website:ID` (and, through
 * the conversations, `conversation:ID`). Realtime replays a topic's recent realtime.messages rows
 * to a channel that joins with `broadcast.replay`. Until now a signed-in user could choose the id
 * of a new website (`insert (id, ...)` was granted): after an owner deleted a website, anyone could
 * create one with the same id, become its owner, replay the old visitors' messages on its topic,
 * and receive the messages of visitors still on pages with the old embed code. Now:
 *   - clients never choose a website's id: the column privilege is revoked, the default decides;
 *   - every deleted website's id is kept in private.deleted_websites and refused on insert (and on
 *     a change of id) for every role: the service role, a seed and migrations included;
 *   - deleting a website or a conversation deletes its broadcasts from realtime.messages, so no
 *     replay can hand them out again.
 */

revoke insert (id) on public.websites from authenticated;

/**
 * The ids of deleted websites, kept for good so that none can be given to a new website: visitors
 * may still be on pages that embed the old id. Written by a trigger on websites; no API role may
 * read or write it.
 */
create table private.deleted_websites (
  id uuid primary key,
  deleted_at timestamptz not null default now()
);
comment on table private.deleted_websites is
  'Ids of deleted websites, reserved for good (old embed codes and realtime topics name them); filled by a trigger.';

alter table private.deleted_websites enable row level security;
revoke all on private.deleted_websites from public, anon, authenticated, service_role;

/**
 * Refuses a website id that belonged to a deleted website, on insert and on a change of id.
 * Security definer: the writer (a signed-in user or the service role) cannot read the list.
 */
create or replace function private.refuse_deleted_website_id()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.id = old.id then
    return new;
  end if;
  if exists (select 1 from private.deleted_websites d where d.id = new.id) then
    raise exception 'A deleted website''s id cannot be used again'
      using errcode = 'unique_violation', hint = 'Create the website without an id: the database chooses one.';
  end if;
  return new;
end;
$$;
comment on function private.refuse_deleted_website_id() is
  'Trigger: refuses to give a website the id of a deleted website (every role, on insert and on a change of id).';

create trigger refuse_deleted_website_id
  before insert or update of id on public.websites
  for each row execute function private.refuse_deleted_website_id();

/**
 * After websites are deleted (by their owner, or with the account that paid for them): reserves
 * their ids and deletes every broadcast about them from realtime.messages: those on `website:ID`
 * and every row whose payload names the website (the message and conversation rows sent to
 * `conversation:ID`). A statement trigger: it runs after the cascades, so the rows the cascades
 * themselves broadcast (knowledge sources deleted, conversations unassigned) are caught too, and
 * realtime.messages (no index by topic) is scanned once per statement, not once per row.
 */
create or replace function private.retire_deleted_websites()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  -- @plpgsql_check_options: oldtable = gone
  insert into private.deleted_websites (id)
  select g.id from gone g
  on conflict (id) do nothing;

  delete from realtime.messages m
  where m.topic in (select 'website:' || g.id::text from gone g)
     or (m.payload operator(pg_catalog.->>) 'website_id') in (select g.id::text from gone g);
  return null;
end;
$$;
comment on function private.retire_deleted_websites() is
  'Trigger: reserves the ids of deleted websites and deletes their broadcasts from realtime.messages (no replay of them).';

create trigger retire_deleted_websites
  after delete on public.websites
  referencing old table as gone
  for each statement execute function private.retire_deleted_websites();

/**
 * After conversations are deleted: deletes their broadcasts from realtime.messages, on
 * `conversation:ID`, `conversation:ID:live` and, on `website:ID`, the rows about them (their
 * messages and the conversation row itself), so a member's replay of the inbox topic cannot
 * bring a deleted conversation back either.
 */
create or replace function private.erase_deleted_conversation_broadcasts()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  -- @plpgsql_check_options: oldtable = gone
  delete from realtime.messages m
  where m.topic in (
      select 'conversation:' || g.id::text from gone g
      union all
      select 'conversation:' || g.id::text || ':live' from gone g)
     or (m.topic in (select 'website:' || g.website_id::text from gone g)
         and coalesce(
               m.payload operator(pg_catalog.->>) 'conversation_id',
               case when m.event = 'conversation' then m.payload operator(pg_catalog.->>) 'id' end)
             in (select g.id::text from gone g));
  return null;
end;
$$;
comment on function private.erase_deleted_conversation_broadcasts() is
  'Trigger: deletes the broadcasts of deleted conversations (their own topics and their rows on website:ID) from realtime.messages.';

create trigger erase_deleted_conversation_broadcasts
  after delete on public.conversations
  referencing old table as gone
  for each statement execute function private.erase_deleted_conversation_broadcasts();

revoke all on function
  private.refuse_deleted_website_id(),
  private.retire_deleted_websites(),
  private.erase_deleted_conversation_broadcasts()
from public, anon, authenticated, service_role;

-- Websites deleted before this migration: their ids are still named by their leftover broadcasts
-- and by usage counters (kept when a website is deleted). Reserve those ids, then delete every
-- broadcast left on the topics of websites and conversations that no longer exist.
insert into private.deleted_websites (id)
select gone.id
from (
  select private.website_topic_id(m.topic) as id from realtime.messages m
  union
  select (m.payload ->> 'website_id')::uuid from realtime.messages m
  where m.payload ->> 'website_id' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
  union
  select u.website_id from public.usage_counters u
) as gone
where gone.id is not null
  and not exists (select 1 from public.websites w where w.id = gone.id)
on conflict (id) do nothing;

delete from realtime.messages m
where (private.website_topic_id(m.topic) is not null
       and not exists (select 1 from public.websites w where w.id = private.website_topic_id(m.topic)))
   or (coalesce(private.conversation_topic_id(m.topic), private.live_topic_conversation_id(m.topic)) is not null
       and not exists (select 1 from public.conversations c
                       where c.id = coalesce(private.conversation_topic_id(m.topic), private.live_topic_conversation_id(m.topic))));
