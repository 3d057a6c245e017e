/**
 * -------------------------------------------------------
 * Section - Knowledge source changes on the website topic
 * -------------------------------------------------------
 * The backoffice shows a progress bar while a knowledge source is ingested and the list of
 * sources with their status and passage counts. Rather than poll, it listens on the private
 * `website:WEBSITE_ID` topic (members only, see 20261126120400_realtime.sql), where the database
 * now also sends:
 *
 * | event                      | when                                            | payload                       |
 * | knowledge_source           | a source is added, or its status, progress,     | the row without `content`     |
 * |                            | error, title, url or indexed_at change          |                               |
 * | knowledge_source_deleted   | a source is deleted                             | {id, website_id}              |
 *
 * `content` (the whole extracted text, up to 5 MB) is left out: a broadcast must stay far below
 * Realtime's payload limit, and the list does not show it. Changes of the passage counters alone
 * are not sent: ingestion writes them once per passage (thousands for a crawled site) inside one
 * transaction, and the update that ends ingestion (status 'ready') carries the final counts.
 */

/**
 * Sends a knowledge source's change to its website's topic. Security definer (owner postgres),
 * like the other broadcast triggers: the knowledge Edge Function may write as any role, and no
 * client may write to website:ID.
 */
create or replace function private.broadcast_knowledge_source()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform realtime.send(
      pg_catalog.jsonb_build_object('id', old.id, 'website_id', old.website_id),
      'knowledge_source_deleted', 'website:' || old.website_id::text, true);
    return null;
  end if;
  perform realtime.send(
    pg_catalog.to_jsonb(new) operator(pg_catalog.-) 'content'::text,
    'knowledge_source', 'website:' || new.website_id::text, true);
  return null;
end;
$$;
comment on function private.broadcast_knowledge_source() is
  'Trigger: broadcasts a knowledge source (without its content) to website:WEBSITE_ID when it is added, changes state or is deleted.';

create trigger broadcast_knowledge_source_insert
  after insert on public.knowledge_sources
  for each row execute function private.broadcast_knowledge_source();

create trigger broadcast_knowledge_source_update
  after update on public.knowledge_sources
  for each row
  when (
    old.status is distinct from new.status
    or old.progress is distinct from new.progress
    or old.error is distinct from new.error
    or old.title is distinct from new.title
    or old.url is distinct from new.url
    or old.indexed_at is distinct from new.indexed_at
  )
  execute function private.broadcast_knowledge_source();

create trigger broadcast_knowledge_source_delete
  after delete on public.knowledge_sources
  for each row execute function private.broadcast_knowledge_source();

revoke all on function private.broadcast_knowledge_source() from public, anon, authenticated, service_role;
