// The open website: its row, the signed-in member's role on it, its team, and the live parts every
// page shares (one subscription to the website topic, the inbox with its unread total). RLS decides
// what a member may read and change; the role only shapes the UI.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { supabase } from './supabase.ts';
import { restErrorText } from './lib/errors.ts';
import { InboxModel } from './lib/inbox-model.ts';
import type { Role, TeamMember, Website } from './lib/rows.ts';
import { WebsiteFeed } from './lib/website-feed.ts';

export interface Me {
  id: string;
  email: string;
}

export interface Site {
  website: Website;
  role: Role;
  isOwner: boolean;
  me: Me;
  team: TeamMember[];
  feed: WebsiteFeed;
  inbox: InboxModel;
  /** Replaces the website row after a save. */
  setWebsite(website: Website): void;
  reloadTeam(): Promise<void>;
}

const SiteContext = createContext<Site | null>(null);

export function useSite(): Site {
  const site = useContext(SiteContext);
  if (!site) throw new Error('useSite outside a website');
  return site;
}

export type SiteLoad =
  | { state: 'loading' }
  | { state: 'missing' }
  | { state: 'error'; message: string }
  | { state: 'ready'; site: Site };

export function useSiteLoader(websiteId: string, me: Me): SiteLoad {
  const [load, setLoad] = useState<SiteLoad>({ state: 'loading' });
  const live = useMemo(() => {
    const feed = new WebsiteFeed(websiteId);
    return { feed, inbox: new InboxModel(feed) };
  }, [websiteId]);

  useEffect(() => {
    let cancelled = false;
    setLoad({ state: 'loading' });
    const readTeam = async () => {
      const { data } = await supabase.rpc('website_team', { site_id: websiteId });
      return (data ?? []) as TeamMember[];
    };
    void (async () => {
      const [website, membership, team] = await Promise.all([
        supabase.from('websites').select('*').eq('id', websiteId).maybeSingle(),
        supabase.from('website_members').select('role').eq('website_id', websiteId).eq('user_id', me.id).maybeSingle(),
        readTeam(),
      ]);
      if (cancelled) return;
      if (website.error) return setLoad({ state: 'error', message: restErrorText(website.error, 'Loading the website') });
      if (!website.data || !membership.data) return setLoad({ state: 'missing' });
      const role = membership.data.role as Role;
      const site: Site = {
        website: website.data as Website,
        role,
        isOwner: role === 'owner',
        me,
        team,
        feed: live.feed,
        inbox: live.inbox,
        setWebsite: (w) => setLoad((l) => (l.state === 'ready' ? { state: 'ready', site: { ...l.site, website: w } } : l)),
        reloadTeam: async () => {
          const fresh = await readTeam();
          if (!cancelled) setLoad((l) => (l.state === 'ready' ? { state: 'ready', site: { ...l.site, team: fresh } } : l));
        },
      };
      setLoad({ state: 'ready', site });
      void live.feed.start();
    })();
    return () => {
      cancelled = true;
      live.inbox.stop();
      live.feed.stop();
    };
  }, [websiteId, me.id]);
  return load;
}

export function SiteProvider({ site, children }: { site: Site; children: ComponentChildren }) {
  return <SiteContext.Provider value={site}>{children}</SiteContext.Provider>;
}
