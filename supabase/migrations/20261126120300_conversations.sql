/**
 * -------------------------------------------------------
 * Section - Conversations and messages
 * -------------------------------------------------------
 * A conversation is one thread between a visitor and a website (the AI and the website's agents).
 * Visitors read their own; they never write directly: the `widget-messages` Edge Function stores
 * their messages (and the AI's answers) with the service role after validating them. Members read
 * and manage their websites' conversations and write agent messages through REST under RLS.
 */

/**
 * One thread per row. Besides the contract's columns (id, website_id, visitor_id, ai_mode,
 * created_at, updated_at) it carries what the inbox shows without reading messages: last message
 * time/preview/sender, unread counters for both sides, the "needs a human" flag and the assignee.
 * The message counters and last-message columns are maintained by a trigger on messages.
 */
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  website_id uuid not null references public.websites (id) on delete cascade,
  -- The visitor: an anonymous user, auth.uid() of the widget's session.
  visitor_id uuid not null,
  -- 'auto': the AI answers; 'paused': a person has taken over.
  ai_mode text not null default 'auto' check (ai_mode in ('auto', 'paused')),
  status text not null default 'open' check (status in ('open', 'closed')),
  -- From the visitor's first message unless a member sets one.
  title text check (pg_catalog.char_length(title) <= 200),
  last_message_at timestamptz not null default now(),
  last_message_preview text check (pg_catalog.char_length(last_message_preview) <= 200),
  last_message_sender text check (last_message_sender in ('user', 'assistant', 'agent', 'system')),
  -- Set when a visitor's message will not be answered by the AI (paused, AI off) or when the AI
  -- failed (Edge Function); cleared when an agent answers.
  needs_human boolean not null default false,
  assignee_id uuid,
  visitor_last_read_at timestamptz,
  agent_last_read_at timestamptz,
  -- Messages the visitor has not seen (AI and agent answers) / the agents have not seen (visitor's).
  visitor_unread_count integer not null default 0 check (visitor_unread_count >= 0),
  agent_unread_count integer not null default 0 check (agent_unread_count >= 0),
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Lets messages reference (id, website_id) so their denormalised website_id cannot drift.
  constraint conversations_id_website_id_key unique (id, website_id),
  constraint conversations_visitor_fkey foreign key (website_id, visitor_id)
    references public.visitors (website_id, user_id) on delete cascade,
  -- An assignee is a member of the website; removing the member unassigns the conversation.
  constraint conversations_assignee_fkey foreign key (website_id, assignee_id)
    references public.website_members (website_id, user_id) on delete set null (assignee_id)
);
comment on table public.conversations is
  'A chat thread between a visitor and a website (AI and agents), with inbox bookkeeping.';
comment on column public.conversations.ai_mode is
  '''auto'': the AI answers visitor messages; ''paused'': a person has taken over.';
comment on column public.conversations.needs_human is
  'The visitor is waiting for a person: AI paused or off, or the AI failed. Cleared by an agent reply.';

-- Inbox: a website's conversations by last activity (id breaks ties for keyset paging).
create index conversations_inbox_idx on public.conversations (website_id, last_message_at desc, id desc);
-- A visitor's conversations (per website, newest first); also serves the visitors foreign key.
create index conversations_visitor_idx on public.conversations (visitor_id, website_id, last_message_at desc);
-- Inbox filter "needs a human".
create index conversations_needs_human_idx on public.conversations (website_id, last_message_at desc)
  where needs_human;
-- "Assigned to me" and the website_members foreign key.
create index conversations_assignee_idx on public.conversations (website_id, assignee_id)
  where assignee_id is not null;

/**
 * Every message of every conversation. `client_id` is the idempotency key made by the widget (the
 * same client_id twice in a conversation is the same message); `website_id` is copied from the
 * conversation by a trigger (RLS and inbox queries need no join) and pinned by a composite key.
 */
create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null,
  website_id uuid not null,
  -- 'user' (the visitor), 'assistant' (the AI), 'agent' (a member), 'system'.
  sender text not null check (sender in ('user', 'assistant', 'agent', 'system')),
  content text not null check (pg_catalog.char_length(content) between 1 and 32000),
  -- The member who wrote an agent message.
  author_id uuid default auth.uid() references auth.users (id) on delete set null,
  client_id uuid,
  -- Sources, model, token usage of AI answers; anything else the sender attaches.
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  -- clock_timestamp: messages written in one transaction keep their order.
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  constraint messages_conversation_fkey foreign key (conversation_id, website_id)
    references public.conversations (id, website_id) on delete cascade,
  constraint messages_client_id_key unique (conversation_id, client_id)
);
comment on table public.messages is
  'Messages of conversations. Visitor and AI messages are written by Edge Functions, agent messages by members.';
comment on column public.messages.client_id is
  'Idempotency key chosen by the client: unique per conversation, so a retried send stores one row.';
comment on column public.messages.website_id is
  'Copied from the conversation (trigger) and pinned by a composite foreign key; speeds up RLS.';

-- A conversation's messages in order, and "after this message" (keyset on created_at, id).
create index messages_conversation_order_idx on public.messages (conversation_id, created_at, id);
-- Per-website reports (messages by day, by sender).
create index messages_website_created_idx on public.messages (website_id, created_at);
-- The auth.users foreign key (set null when an agent's account is deleted).
create index messages_author_idx on public.messages (author_id) where author_id is not null;

/**
 * -------------------------------------------------------
 * Section - Access helpers
 * -------------------------------------------------------
 */

/**
 * The conversations of the signed-in visitor. Policies use it as
 * `conversation_id in (select private.visitor_conversation_ids())` (see member_website_ids).
 */
create or replace function private.visitor_conversation_ids()
  returns setof uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select c.id from public.conversations c where c.visitor_id = (select auth.uid())
$$;
comment on function private.visitor_conversation_ids() is
  'Ids of the conversations whose visitor is the current user.';

/**
 * Whether the signed-in user may see a conversation: its visitor, or a member of its website.
 * Used by the realtime policies (one conversation per topic). Null in, false out.
 */
create or replace function private.can_access_conversation(target_conversation_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1
    from public.conversations c
    where c.id = target_conversation_id
      and (
        c.visitor_id = (select auth.uid())
        or exists (
          select 1 from public.website_members m
          where m.website_id = c.website_id and m.user_id = (select auth.uid())
        )
      )
  )
$$;
comment on function private.can_access_conversation(uuid) is
  'True when the current user is the conversation''s visitor or a member of its website.';

/**
 * The title of a conversation made from the visitor's first message: first line, spaces
 * collapsed, at most 80 characters.
 */
create or replace function private.conversation_title(content text)
  returns text
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select case
    when pg_catalog.char_length(t) <= 80 then t
    else pg_catalog.rtrim(pg_catalog.left(t, 79)) || '…'
  end
  from (
    select pg_catalog.regexp_replace(pg_catalog.btrim(pg_catalog.split_part(pg_catalog.btrim(content), E'\n', 1)), '\s+', ' ', 'g') as t
  ) as first_line
$$;
comment on function private.conversation_title(text) is
  'A conversation title from a message: its first line, whitespace collapsed, at most 80 characters.';

/**
 * -------------------------------------------------------
 * Section - Triggers
 * -------------------------------------------------------
 */

/**
 * A conversation always belongs to a visitor row (the inbox shows the visitor's details), so the
 * Edge Function may create the conversation first: the visitor row is added when missing.
 */
create or replace function private.ensure_conversation_visitor()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  insert into public.visitors (website_id, user_id)
  values (new.website_id, new.visitor_id)
  on conflict (website_id, user_id) do nothing;
  return new;
end;
$$;
comment on function private.ensure_conversation_visitor() is
  'Trigger: creates the visitor row of a new conversation when it does not exist yet.';

create trigger ensure_conversation_visitor
  before insert on public.conversations
  for each row execute function private.ensure_conversation_visitor();

/**
 * A conversation never moves to another website or visitor; closing stamps closed_at.
 */
create or replace function private.before_conversation_update()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.id <> old.id or new.website_id <> old.website_id or new.visitor_id <> old.visitor_id
     or new.created_at <> old.created_at then
    raise exception 'A conversation''s id, website, visitor and creation time cannot change'
      using errcode = 'insufficient_privilege';
  end if;
  if new.status <> old.status then
    new.closed_at := case when new.status = 'closed' then pg_catalog.now() end;
  end if;
  -- An update that changes nothing keeps the row as it was (and so broadcasts nothing).
  if new is distinct from old then
    new.updated_at := pg_catalog.now();
  end if;
  return new;
end;
$$;
comment on function private.before_conversation_update() is
  'Trigger: keeps a conversation''s identity columns fixed, stamps closed_at and (on a real change) updated_at.';

create trigger before_conversation_update
  before update on public.conversations
  for each row execute function private.before_conversation_update();

/**
 * A message takes its website from its conversation, whatever the client sent, so RLS checks the
 * real website. Security definer: the conversation may not be readable by the writer (then RLS
 * refuses the row anyway).
 */
create or replace function private.prepare_message()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  new.website_id := coalesce(
    (select c.website_id from public.conversations c where c.id = new.conversation_id),
    new.website_id
  );
  return new;
end;
$$;
comment on function private.prepare_message() is
  'Trigger: copies the conversation''s website_id onto a new message.';

create trigger prepare_message
  before insert on public.messages
  for each row execute function private.prepare_message();

/**
 * Nobody, not even the service role, may move a message to another conversation or change who
 * sent it: edits change content and metadata only.
 */
create or replace function private.before_message_update()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.id <> old.id
     or new.conversation_id <> old.conversation_id
     or new.website_id <> old.website_id
     or new.sender <> old.sender
     or new.author_id is distinct from old.author_id
     or new.client_id is distinct from old.client_id
     or new.created_at <> old.created_at then
    raise exception 'A message''s conversation, sender, author, client id and time cannot change'
      using errcode = 'insufficient_privilege';
  end if;
  if new is distinct from old then
    new.updated_at := pg_catalog.clock_timestamp();
  end if;
  return new;
end;
$$;
comment on function private.before_message_update() is
  'Trigger: only content and metadata of a message may change; stamps updated_at on a real change.';

create trigger before_message_update
  before update on public.messages
  for each row execute function private.before_message_update();

/**
 * A new message updates its conversation: last activity and preview, title from the first visitor
 * message, unread counters, status (a visitor writing reopens it) and the needs-human flag.
 * System messages (notices) change nothing. Security definer: agents may only update some columns
 * of conversations and visitors none, but their messages must still count.
 */
create or replace function private.touch_conversation_on_message()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if new.sender = 'system' then
    return null;
  end if;
  update public.conversations c
  set last_message_at = greatest(c.last_message_at, new.created_at),
      last_message_preview = pg_catalog.left(pg_catalog.regexp_replace(pg_catalog.btrim(new.content), '\s+', ' ', 'g'), 160),
      last_message_sender = new.sender,
      title = case
        when c.title is null and new.sender = 'user' then private.conversation_title(new.content)
        else c.title
      end,
      agent_unread_count = c.agent_unread_count + case when new.sender = 'user' then 1 else 0 end,
      visitor_unread_count = c.visitor_unread_count + case when new.sender in ('assistant', 'agent') then 1 else 0 end,
      needs_human = case
        when new.sender = 'agent' then false
        when new.sender = 'user' and (c.ai_mode = 'paused' or not w.ai_enabled) then true
        else c.needs_human
      end,
      status = case when new.sender = 'user' then 'open' else c.status end
  from public.websites w
  where c.id = new.conversation_id
    and w.id = c.website_id;
  return null;
end;
$$;
comment on function private.touch_conversation_on_message() is
  'Trigger: a new message updates its conversation''s last message, title, unread counters and flags.';

create trigger touch_conversation_on_message
  after insert on public.messages
  for each row execute function private.touch_conversation_on_message();

/**
 * An edited message that is its conversation's last one also changes the inbox preview.
 */
create or replace function private.touch_conversation_on_message_edit()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  update public.conversations c
  set last_message_preview = pg_catalog.left(pg_catalog.regexp_replace(pg_catalog.btrim(new.content), '\s+', ' ', 'g'), 160)
  where c.id = new.conversation_id
    and c.last_message_at = new.created_at
    and c.last_message_sender = new.sender;
  return null;
end;
$$;
comment on function private.touch_conversation_on_message_edit() is
  'Trigger: an edit of a conversation''s last message updates its preview.';

create trigger touch_conversation_on_message_edit
  after update of content on public.messages
  for each row
  when (old.content is distinct from new.content and new.sender <> 'system')
  execute function private.touch_conversation_on_message_edit();

/**
 * -------------------------------------------------------
 * Section - Read markers
 * -------------------------------------------------------
 */

/**
 * Marks a conversation read by the caller: the visitor's marker for its visitor, the agents'
 * marker for a member. Security definer: visitors have no write access to conversations. An
 * inaccessible conversation looks exactly like a missing one.
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
    raise exception 'Conversation not found' using errcode = 'no_data_found';
  end if;
end;
$$;
comment on function private.mark_conversation_read(uuid) is
  'Marks the conversation read by its visitor or by the website''s agents, resetting that side''s unread count.';

/**
 * REST: POST /rest/v1/rpc/mark_conversation_read {conv_id}.
 */
create or replace function public.mark_conversation_read(conv_id uuid)
  returns void
  language sql
  volatile
  set search_path = ''
as $$
  select private.mark_conversation_read(conv_id)
$$;
comment on function public.mark_conversation_read(uuid) is
  'Visitor or member: mark the conversation read on your side (resets your unread count).';

/**
 * -------------------------------------------------------
 * Section - Privileges and RLS
 * -------------------------------------------------------
 * Visitors: read only (their own). Members: read their websites' conversations and messages,
 * change a conversation's mode, status, title, flag and assignee, write agent messages as
 * themselves and edit those. Owners may delete conversations.
 */
revoke all on public.conversations, public.messages from anon, authenticated;

grant select, delete on public.conversations to authenticated;
grant update (ai_mode, status, title, needs_human, assignee_id) on public.conversations to authenticated;

grant select on public.messages to authenticated;
grant insert (conversation_id, website_id, sender, content, author_id, client_id, metadata) on public.messages to authenticated;
grant update (content, metadata) on public.messages to authenticated;

alter table public.conversations enable row level security;
alter table public.messages enable row level security;

create policy "Visitors can read their own conversations"
  on public.conversations for select to authenticated
  using (visitor_id = (select auth.uid()));

create policy "Members can read their websites' conversations"
  on public.conversations for select to authenticated
  using (website_id in (select private.member_website_ids()));

create policy "Members can update their websites' conversations"
  on public.conversations for update to authenticated
  using (website_id in (select private.member_website_ids()))
  with check (website_id in (select private.member_website_ids()));

create policy "Owners can delete their websites' conversations"
  on public.conversations for delete to authenticated
  using (website_id in (select private.member_website_ids('owner')));

create policy "Visitors can read the messages of their own conversations"
  on public.messages for select to authenticated
  using (conversation_id in (select private.visitor_conversation_ids()));

create policy "Members can read their websites' messages"
  on public.messages for select to authenticated
  using (website_id in (select private.member_website_ids()));

create policy "Members can send agent messages as themselves"
  on public.messages for insert to authenticated
  with check (
    sender = 'agent'
    and author_id = (select auth.uid())
    and website_id in (select private.member_website_ids())
  );

create policy "Agents can edit their own agent messages"
  on public.messages for update to authenticated
  using (
    sender = 'agent'
    and author_id = (select auth.uid())
    and website_id in (select private.member_website_ids())
  )
  with check (
    sender = 'agent'
    and author_id = (select auth.uid())
    and website_id in (select private.member_website_ids())
  );

revoke all on function
  private.visitor_conversation_ids(),
  private.can_access_conversation(uuid),
  private.conversation_title(text),
  private.ensure_conversation_visitor(),
  private.before_conversation_update(),
  private.prepare_message(),
  private.before_message_update(),
  private.touch_conversation_on_message(),
  private.touch_conversation_on_message_edit(),
  private.mark_conversation_read(uuid),
  public.mark_conversation_read(uuid)
from public, anon, authenticated, service_role;

grant execute on function
  private.visitor_conversation_ids(),
  private.can_access_conversation(uuid),
  private.mark_conversation_read(uuid),
  public.mark_conversation_read(uuid)
to authenticated;

grant execute on function
  private.visitor_conversation_ids(),
  private.can_access_conversation(uuid)
to service_role;
