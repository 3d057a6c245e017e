// The backoffice: session gate, then the screen the address names (see pages/registry.tsx).
import { useEffect } from 'preact/hooks';
import { Layout } from './components/layout.tsx';
import { Empty, Notice, Spinner } from './components/ui.tsx';
import { notifyVisitorMessage, useTitle } from './lib/attention.ts';
import { authLinkError, usePasswordPending } from './lib/auth-link.ts';
import { useObservable } from './lib/observable.ts';
import { useSession } from './lib/session.ts';
import { ChoosePasswordPage } from './pages/choose-password.tsx';
import { ForgotPasswordPage } from './pages/forgot-password.tsx';
import { findPage } from './pages/registry.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { WebsitesPage } from './pages/websites.tsx';
import { href, navigate, type Route, useRoute } from './router.ts';
import { type Me, type Site, SiteProvider, useSiteLoader } from './site.tsx';

function WebsiteScreen({ websiteId, pageKey, rest, route, me }: { websiteId: string; pageKey: string; rest: string[]; route: Route; me: Me }) {
  const load = useSiteLoader(websiteId, me);
  const site = load.state === 'ready' ? load.site : undefined;
  if (load.state === 'loading') return <Layout email={me.email} pageKey={pageKey}><Spinner label="Loading the website…" /></Layout>;
  if (!site) {
    return (
      <Layout email={me.email} pageKey={pageKey}>
        <h1 tabIndex={-1}>Website not available</h1>
        {load.state === 'error'
          ? <Notice kind="error">{load.message}</Notice>
          : <Empty title="This website does not exist, or you are not on its team." action={<a class="btn btn-primary" href="#/">Go to your websites</a>}>
              Ask one of its owners to invite you, or pick one of your own websites.
            </Empty>}
      </Layout>
    );
  }
  return <SiteScreen site={site} pageKey={pageKey} rest={rest} route={route} />;
}

function SiteScreen({ site, pageKey, rest, route }: { site: Site; pageKey: string; rest: string[]; route: Route }) {
  const page = findPage('website', pageKey);
  useObservable(site.inbox);
  useTitle(`${page?.label ?? 'Not found'} · ${site.website.name}`, site.inbox.unread);
  const watching = pageKey === 'inbox' ? rest[0] : undefined;
  useEffect(() => site.feed.on('message', (m) =>
    notifyVisitorMessage(site.website.name, m, watching, () => navigate(href(['w', site.website.id, 'inbox', m.conversation_id])))), [site.feed, watching]);
  return (
    <SiteProvider site={site}>
      <Layout email={site.me.email} site={site} pageKey={pageKey}>
        {page ? <page.component route={route} rest={rest} /> : (
          <>
            <h1 tabIndex={-1}>Page not found</h1>
            <Empty title="There is no such page." action={<a class="btn btn-primary" href={href(['w', site.website.id, 'inbox'])}>Open the inbox</a>} />
          </>
        )}
      </Layout>
    </SiteProvider>
  );
}

export function App() {
  const state = useSession();
  const route = useRoute();
  const password = usePasswordPending(state.session?.user.id);
  const [first, second, third, ...rest] = route.segments;
  useEffect(() => {
    if (state.session && (first === 'sign-in' || first === 'sign-up' || first === 'forgot-password')) navigate('#/', true);
  }, [state.session, first]);
  if (state.loading) return <Spinner label="Loading your session…" />;
  if (!state.session) {
    const linkError = authLinkError();
    // A reset link that failed (used, expired) offers to send a new one.
    const resetFailed = linkError?.purpose === 'recovery' && first !== 'sign-in' && first !== 'sign-up';
    if (first === 'forgot-password' || resetFailed) return <ForgotPasswordPage notice={linkError?.purpose === 'recovery' ? linkError.message : undefined} />;
    return <SignInPage refused={state.refused ?? (linkError?.purpose === 'invite' ? linkError.message : undefined)} mode={first === 'sign-up' ? 'sign-up' : 'sign-in'} />;
  }
  const me: Me = { id: state.session.user.id, email: state.session.user.email ?? '' };
  // Someone who just accepted an invitation or opened a reset link has no password they know yet.
  if (password.pending) {
    const chosen = () => {
      password.chosen();
      navigate('#/', true);
    };
    return <ChoosePasswordPage email={me.email} purpose={password.pending} onChosen={chosen} />;
  }
  if (first === 'w' && second) return <WebsiteScreen key={second} websiteId={second} pageKey={third ?? 'inbox'} rest={rest} route={route} me={me} />;
  const accountPage = findPage('account', first);
  if (accountPage) {
    return <Layout email={me.email} pageKey={accountPage.key}><accountPage.component route={route} rest={route.segments.slice(1)} /></Layout>;
  }
  return <Layout email={me.email}><WebsitesPage me={me} /></Layout>;
}
