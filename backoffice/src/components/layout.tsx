// The frame around every signed-in screen: a skip link, the header (home, website switcher,
// account, sign out), the website's navigation from the page registry, and the main region.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { accountPages, websitePages } from '../pages/registry.tsx';
import { href, navigate } from '../router.ts';
import { supabase } from '../supabase.ts';
import { useObservable } from '../lib/observable.ts';
import type { Site } from '../site.tsx';

interface WebsiteChoice {
  id: string;
  name: string;
}

function useMyWebsites(): WebsiteChoice[] {
  const [list, setList] = useState<WebsiteChoice[]>([]);
  useEffect(() => {
    void supabase.from('websites').select('id,name').order('name').then(({ data }) => setList((data ?? []) as WebsiteChoice[]));
  }, []);
  return list;
}

function WebsiteSwitcher({ current }: { current: Site }) {
  const websites = useMyWebsites();
  const choices = websites.some((w) => w.id === current.website.id) ? websites : [{ id: current.website.id, name: current.website.name }, ...websites];
  return (
    <div class="switcher">
      <label for="website-switcher" class="visually-hidden">Website</label>
      <select id="website-switcher" value={current.website.id} onChange={(e) => navigate(href(['w', (e.target as HTMLSelectElement).value, 'inbox']))}>
        {choices.map((w) => <option key={w.id} value={w.id}>{w.id === current.website.id ? current.website.name : w.name}</option>)}
      </select>
    </div>
  );
}

function FeedStatus({ site }: { site: Site }) {
  useObservable(site.feed);
  const status = site.feed.status;
  const text = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Offline, reconnecting…';
  return <span class={`feed-status feed-${status}`} role="status" title="Live updates of conversations and knowledge">{text}</span>;
}

function UnreadCount({ site }: { site: Site }) {
  useObservable(site.inbox);
  const n = site.inbox.unread;
  return n > 0 ? <span class="count" aria-label={`${n} unread`}>{n > 99 ? '99+' : n}</span> : null;
}

export function Layout({ email, site, pageKey, children }: { email: string; site?: Site; pageKey?: string; children: ComponentChildren }) {
  const [signingOut, setSigningOut] = useState(false);
  useEffect(() => {
    // A new screen: move focus to its heading so keyboard and screen-reader users start there.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [pageKey, site?.website.id]);
  const signOut = async () => {
    setSigningOut(true);
    await supabase.auth.signOut();
    navigate('#/', true);
  };
  return (
    <div class="app">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <a class="brand" href="#/">Emily</a>
        {site && <WebsiteSwitcher current={site} />}
        <nav class="account-nav" aria-label="Account">
          <a href="#/" aria-current={!site && !pageKey ? 'page' : undefined}>Websites</a>
          {accountPages().map((p) => <a key={p.key} href={href([p.key])} aria-current={!site && pageKey === p.key ? 'page' : undefined}>{p.label}</a>)}
        </nav>
        <div class="account">
          <span class="me" title="Signed in as">{email}</span>
          <button type="button" class="btn btn-ghost" onClick={signOut} disabled={signingOut}>{signingOut ? 'Signing out…' : 'Sign out'}</button>
        </div>
      </header>
      <div class={site ? 'body with-nav' : 'body'}>
        {site && (
          <nav class="sidenav" aria-label="Website">
            <ul>
              {websitePages().filter((p) => !p.ownersOnly || site.isOwner).map((p) => (
                <li key={p.key}>
                  <a href={href(['w', site.website.id, p.key])} aria-current={pageKey === p.key ? 'page' : undefined}>
                    {p.label}
                    {p.key === 'inbox' && <UnreadCount site={site} />}
                  </a>
                </li>
              ))}
            </ul>
            <div class="sidenav-foot">
              <FeedStatus site={site} />
              <span class="role">{site.isOwner ? 'Owner' : 'Agent'}</span>
            </div>
          </nav>
        )}
        <main id="main" tabIndex={-1}>{children}</main>
      </div>
    </div>
  );
}
