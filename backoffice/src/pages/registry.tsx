// Every screen of the backoffice is registered here, once: its address, its label in the
// navigation and its component. To add a page (e.g. billing), write pages/billing.tsx exporting a
// component that takes PageProps and add one entry below:
//   { key: 'billing', label: 'Billing', scope: 'account', component: BillingPage }
// scope 'website' pages live at #/w/WEBSITE_ID/KEY (with the website's context, useSite());
// scope 'account' pages at #/KEY (the signed-in account, no website).
import type { FunctionComponent } from 'preact';
import type { Route } from '../router.ts';
import { AnalyticsPage } from './analytics.tsx';
import { BillingPage } from './billing.tsx';
import { InboxPage } from './inbox.tsx';
import { KnowledgePage } from './knowledge.tsx';
import { SettingsPage } from './settings.tsx';
import { TeamPage } from './team.tsx';

export interface PageProps {
  route: Route;
  /** Path segments after the page's own (e.g. the conversation id of #/w/ID/inbox/CONV). */
  rest: string[];
}

export interface PageDef {
  key: string;
  label: string;
  scope: 'website' | 'account';
  component: FunctionComponent<PageProps>;
  /** Shown in the navigation to owners only (RLS enforces what agents may do either way). */
  ownersOnly?: boolean;
}

export const PAGES: PageDef[] = [
  { key: 'inbox', label: 'Inbox', scope: 'website', component: InboxPage },
  { key: 'knowledge', label: 'Knowledge', scope: 'website', component: KnowledgePage },
  { key: 'analytics', label: 'Analytics', scope: 'website', component: AnalyticsPage },
  { key: 'settings', label: 'Settings', scope: 'website', component: SettingsPage },
  { key: 'team', label: 'Team', scope: 'website', component: TeamPage },
  { key: 'billing', label: 'Billing', scope: 'account', component: BillingPage },
];

export const websitePages = () => PAGES.filter((p) => p.scope === 'website');
export const accountPages = () => PAGES.filter((p) => p.scope === 'account');
export const findPage = (scope: PageDef['scope'], key: string | undefined) => PAGES.find((p) => p.scope === scope && p.key === key);
