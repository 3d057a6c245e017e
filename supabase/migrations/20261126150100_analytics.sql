/**
 * -------------------------------------------------------
 * Section - Analytics for the backoffice
 * -------------------------------------------------------
 * One call gives the backoffice's charts of a website, computed where the data is:
 *   - conversations started per day;
 *   - messages per day by sender (visitor, AI, team);
 *   - who handled the conversations: the AI alone, people (a team member replied), or nobody yet;
 *   - the median first-response time (from the visitor's first message to the first answer, AI or
 *     person), and the median time to the first answer of a person.
 *
 * Security invoker: the function reads conversations and messages as the caller, so RLS decides
 * what it sees. It refuses callers who are not members of the website (they would only see zeros,
 * which looks like a website without traffic) with insufficient_privilege (HTTP 403).
 */

/**
 * REST: POST /rest/v1/rpc/website_analytics {site_id, days?, time_zone?}.
 * `days` (1–366) counts back from today in `time_zone` (an IANA name such as Europe/Paris, or UTC),
 * which also decides where each day starts. Returns:
 *   {time_zone, from, to,
 *    days: [{day, conversations, user_messages, assistant_messages, agent_messages,
 *            ai_only, human, unanswered, median_first_response_seconds}],
 *    totals: {conversations, user_messages, assistant_messages, agent_messages, ai_only, human,
 *             unanswered, median_first_response_seconds, median_agent_first_response_seconds}}
 * A conversation counts on the day it started; its messages on the days they were written.
 */
create or replace function public.website_analytics(site_id uuid, days integer default 30, time_zone text default 'UTC')
  returns jsonb
  language plpgsql
  stable
  security invoker
  set search_path = ''
as $$
declare
  today date;
  first_day date;
  since timestamptz;
begin
  if site_id is null then
    raise exception 'site_id is required' using errcode = 'invalid_parameter_value';
  end if;
  if days is null or days < 1 or days > 366 then
    raise exception 'days must be between 1 and 366' using errcode = 'invalid_parameter_value';
  end if;
  if time_zone is null or time_zone operator(pg_catalog.!~) '^[A-Za-z][A-Za-z0-9_+/-]{0,63}$' then
    raise exception 'time_zone must be an IANA time zone name such as Europe/Paris or UTC'
      using errcode = 'invalid_parameter_value';
  end if;
  begin
    today := (pg_catalog.now() at time zone time_zone)::date;
  exception when invalid_parameter_value then
    raise exception 'Unknown time zone "%"', time_zone using errcode = 'invalid_parameter_value';
  end;
  -- Visible under RLS only to the website's members (and its account).
  if not exists (select 1 from public.websites w where w.id = site_id) then
    raise exception 'Only the website''s members can see its analytics'
      using errcode = 'insufficient_privilege';
  end if;

  first_day := today - (days - 1);
  since := first_day::timestamp at time zone time_zone;

  return (
    with calendar as (
      select d::date as day
      from pg_catalog.generate_series(first_day::timestamp, today::timestamp, interval '1 day') as d
    ),
    conversation_days as (
      select c.id, (c.created_at at time zone time_zone)::date as day
      from public.conversations c
      where c.website_id = site_id and c.created_at >= since
    ),
    message_days as (
      select (m.created_at at time zone time_zone)::date as day,
        pg_catalog.count(*) filter (where m.sender = 'user') as user_messages,
        pg_catalog.count(*) filter (where m.sender = 'assistant') as assistant_messages,
        pg_catalog.count(*) filter (where m.sender = 'agent') as agent_messages
      from public.messages m
      where m.website_id = site_id and m.created_at >= since
      group by 1
    ),
    first_visitor_message as (
      select m.conversation_id, pg_catalog.min(m.created_at) as at
      from public.messages m
      join conversation_days cd on cd.id = m.conversation_id
      where m.website_id = site_id and m.sender = 'user'
      group by m.conversation_id
    ),
    handled as (
      -- One row per conversation in the range that has a visitor message.
      select cd.id, cd.day,
        pg_catalog.bool_or(m.sender = 'agent') as by_people,
        pg_catalog.bool_or(m.sender = 'assistant') as by_ai,
        extract(epoch from pg_catalog.min(m.created_at) filter (where m.sender in ('assistant', 'agent')) - f.at) as first_response,
        extract(epoch from pg_catalog.min(m.created_at) filter (where m.sender = 'agent') - f.at) as first_agent_response
      from conversation_days cd
      join first_visitor_message f on f.conversation_id = cd.id
      left join public.messages m
        on m.conversation_id = cd.id and m.website_id = site_id and m.created_at > f.at
        and m.sender in ('assistant', 'agent')
      group by cd.id, cd.day, f.at
    ),
    handled_days as (
      select h.day,
        pg_catalog.count(*) filter (where coalesce(h.by_people, false)) as human,
        pg_catalog.count(*) filter (where coalesce(h.by_ai, false) and not coalesce(h.by_people, false)) as ai_only,
        pg_catalog.count(*) filter (where not coalesce(h.by_ai, false) and not coalesce(h.by_people, false)) as unanswered,
        pg_catalog.percentile_cont(0.5) within group (order by h.first_response) as median_first_response
      from handled h
      group by h.day
    ),
    per_day as (
      select cal.day,
        (select pg_catalog.count(*) from conversation_days cd where cd.day = cal.day) as conversations,
        coalesce(md.user_messages, 0) as user_messages,
        coalesce(md.assistant_messages, 0) as assistant_messages,
        coalesce(md.agent_messages, 0) as agent_messages,
        coalesce(hd.ai_only, 0) as ai_only,
        coalesce(hd.human, 0) as human,
        coalesce(hd.unanswered, 0) as unanswered,
        pg_catalog.round(hd.median_first_response::numeric, 1) as median_first_response_seconds
      from calendar cal
      left join message_days md on md.day = cal.day
      left join handled_days hd on hd.day = cal.day
    )
    select pg_catalog.jsonb_build_object(
      'time_zone', time_zone,
      'from', first_day,
      'to', today,
      'days', coalesce((select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) order by p.day) from per_day p), '[]'::jsonb),
      'totals', pg_catalog.jsonb_build_object(
        'conversations', (select pg_catalog.count(*) from conversation_days),
        'user_messages', (select coalesce(pg_catalog.sum(p.user_messages), 0) from per_day p),
        'assistant_messages', (select coalesce(pg_catalog.sum(p.assistant_messages), 0) from per_day p),
        'agent_messages', (select coalesce(pg_catalog.sum(p.agent_messages), 0) from per_day p),
        'ai_only', (select coalesce(pg_catalog.sum(p.ai_only), 0) from per_day p),
        'human', (select coalesce(pg_catalog.sum(p.human), 0) from per_day p),
        'unanswered', (select coalesce(pg_catalog.sum(p.unanswered), 0) from per_day p),
        'median_first_response_seconds', (
          select pg_catalog.round((pg_catalog.percentile_cont(0.5) within group (order by h.first_response))::numeric, 1)
          from handled h),
        'median_agent_first_response_seconds', (
          select pg_catalog.round((pg_catalog.percentile_cont(0.5) within group (order by h.first_agent_response))::numeric, 1)
          from handled h)
      )
    )
  );
end;
$$;
comment on function public.website_analytics(uuid, integer, text) is
  'Members: conversations per day, messages by sender, AI vs people, median first-response times of a website (RLS applies).';

revoke all on function public.website_analytics(uuid, integer, text) from public, anon, authenticated, service_role;
grant execute on function public.website_analytics(uuid, integer, text) to authenticated, service_role;
