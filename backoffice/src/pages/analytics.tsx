// Analytics, computed in Postgres by the website_analytics RPC (security invoker: RLS applies,
// members only): conversations per day, messages by sender, who handled the conversations, and
// the median first-response time, in the member's own time zone.
import { useEffect, useState } from 'preact/hooks';
import { Chart } from '../components/chart.tsx';
import { Empty, Notice, Spinner } from '../components/ui.tsx';
import { restErrorText } from '../lib/errors.ts';
import { duration } from '../lib/format.ts';
import { useSite } from '../site.tsx';
import { supabase } from '../supabase.ts';

interface Day {
  day: string;
  conversations: number;
  user_messages: number;
  assistant_messages: number;
  agent_messages: number;
  ai_only: number;
  human: number;
  unanswered: number;
  median_first_response_seconds: number | null;
}

interface Analytics {
  time_zone: string;
  days: Day[];
  totals: Omit<Day, 'day' | 'median_first_response_seconds'> & {
    median_first_response_seconds: number | null;
    median_agent_first_response_seconds: number | null;
  };
}

const RANGES = [7, 30, 90];
const COLORS = { visitor: '#0f766e', ai: '#2563eb', team: '#c2410c', none: '#94a3b8' };

function timeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const pct = (n: number, total: number) => (total ? Math.round((n / total) * 100) : 0);

export function AnalyticsPage() {
  const site = useSite();
  const [days, setDays] = useState(30);
  const [data, setData] = useState<Analytics>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    void supabase.rpc('website_analytics', { site_id: site.website.id, days, time_zone: timeZone() }).then(({ data: result, error: err }) => {
      if (cancelled) return;
      setLoading(false);
      setError(err ? restErrorText(err, 'Loading the analytics') : undefined);
      if (!err) setData(result as Analytics);
    });
    return () => void (cancelled = true);
  }, [site.website.id, days]);

  const t = data?.totals;
  const handled = t ? t.ai_only + t.human + t.unanswered : 0;
  const dayLabels = data?.days.map((d) => d.day) ?? [];
  return (
    <div class="page analytics-page">
      <div class="page-head">
        <h1 tabIndex={-1}>Analytics</h1>
        <div class="filters" role="group" aria-label="Period">
          {RANGES.map((r) => <button key={r} type="button" class={`chip${days === r ? ' on' : ''}`} aria-pressed={days === r ? 'true' : 'false'} onClick={() => setDays(r)}>Last {r} days</button>)}
        </div>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {loading && !data && <Spinner label="Computing…" />}
      {data && t && (
        <>
          <div class="stats" aria-busy={loading ? 'true' : 'false'}>
            <div class="stat"><span class="stat-value">{t.conversations}</span><span class="stat-label">conversations</span></div>
            <div class="stat"><span class="stat-value">{pct(t.ai_only, handled)}%</span><span class="stat-label">answered by the AI alone</span></div>
            <div class="stat"><span class="stat-value">{pct(t.human, handled)}%</span><span class="stat-label">handled by your team</span></div>
            <div class="stat"><span class="stat-value">{duration(t.median_first_response_seconds)}</span><span class="stat-label">median first response</span></div>
            <div class="stat"><span class="stat-value">{duration(t.median_agent_first_response_seconds)}</span><span class="stat-label">median first reply by a person</span></div>
          </div>
          {t.conversations === 0 ? (
            <Empty title="No conversations in this period">Once visitors chat with your widget, their conversations are counted here. Try a longer period, or check the embed snippet in Settings.</Empty>
          ) : (
            <>
              <div class="share card" aria-label="Who handled the conversations">
                <h2>Who handled the conversations</h2>
                <div class="share-bar" role="img" aria-label={`AI alone ${pct(t.ai_only, handled)}%, your team ${pct(t.human, handled)}%, waiting ${pct(t.unanswered, handled)}%`}>
                  <span style={{ width: `${pct(t.ai_only, handled)}%`, background: COLORS.ai }} />
                  <span style={{ width: `${pct(t.human, handled)}%`, background: COLORS.team }} />
                  <span style={{ width: `${pct(t.unanswered, handled)}%`, background: COLORS.none }} />
                </div>
                <ul class="legend">
                  <li><span class="dot" style={{ background: COLORS.ai }} />AI alone: {t.ai_only}</li>
                  <li><span class="dot" style={{ background: COLORS.team }} />Your team: {t.human}</li>
                  <li><span class="dot" style={{ background: COLORS.none }} />No answer yet: {t.unanswered}</li>
                </ul>
              </div>
              <div class="charts">
                <Chart title="Conversations per day" summary={`${t.conversations} conversations over ${days} days`}
                  spec={{ days: dayLabels, series: [{ label: 'Conversations', values: data.days.map((d) => d.conversations), color: COLORS.ai, bars: true }] }} />
                <Chart title="Messages by sender" summary={`${t.user_messages} from visitors, ${t.assistant_messages} from the AI, ${t.agent_messages} from your team`}
                  spec={{ days: dayLabels, series: [
                    { label: 'Visitors', values: data.days.map((d) => d.user_messages), color: COLORS.visitor },
                    { label: 'AI', values: data.days.map((d) => d.assistant_messages), color: COLORS.ai },
                    { label: 'Team', values: data.days.map((d) => d.agent_messages), color: COLORS.team },
                  ] }} />
                <Chart title="AI vs people, per day" summary={`AI alone ${t.ai_only}, your team ${t.human}, no answer ${t.unanswered}`}
                  spec={{ days: dayLabels, series: [
                    { label: 'AI alone', values: data.days.map((d) => d.ai_only), color: COLORS.ai },
                    { label: 'Your team', values: data.days.map((d) => d.human), color: COLORS.team },
                    { label: 'No answer yet', values: data.days.map((d) => d.unanswered), color: COLORS.none },
                  ] }} />
                <Chart title="Median first-response time" summary={`median ${duration(t.median_first_response_seconds)}`}
                  spec={{ days: dayLabels, format: (v) => duration(v), series: [
                    { label: 'Median first response', values: data.days.map((d) => d.median_first_response_seconds), color: COLORS.visitor },
                  ] }} />
              </div>
              <p class="hint">Days in {data.time_zone}. A conversation counts on the day it started; "your team" means a person replied in it.</p>
            </>
          )}
        </>
      )}
    </div>
  );
}
