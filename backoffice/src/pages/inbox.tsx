// The inbox: conversations by last activity, live from the website topic, with filters, search,
// unread counts and desktop notifications; the selected conversation beside the list.
import { useEffect, useState } from 'preact/hooks';
import { ConversationView } from '../components/conversation-view.tsx';
import { Badge, Button, Empty, Notice, Spinner, useId } from '../components/ui.tsx';
import { notificationsOn, notificationsSupported, toggleNotifications } from '../lib/attention.ts';
import { relativeTime } from '../lib/format.ts';
import { FILTERS, type InboxFilter, isFilter } from '../lib/inbox.ts';
import { useObservable } from '../lib/observable.ts';
import type { Conversation } from '../lib/rows.ts';
import { href } from '../router.ts';
import { useSite } from '../site.tsx';
import type { PageProps } from './registry.tsx';

const SENDER_PREFIX: Record<string, string> = { user: '', assistant: 'AI: ', agent: 'Team: ', system: '' };

function ConversationRow({ c, selected, websiteId, filter }: { c: Conversation; selected: boolean; websiteId: string; filter: InboxFilter }) {
  const unread = c.agent_unread_count > 0;
  return (
    <li>
      <a class={`conv${selected ? ' selected' : ''}${unread ? ' unread' : ''}`} href={href(['w', websiteId, 'inbox', c.id], { filter: filter === 'all' ? undefined : filter })}
        aria-current={selected ? 'true' : undefined} data-conversation={c.id}>
        <span class="conv-top">
          <span class="conv-title">{c.title || 'New conversation'}</span>
          <time dateTime={c.last_message_at}>{relativeTime(c.last_message_at)}</time>
        </span>
        <span class="conv-preview">{SENDER_PREFIX[c.last_message_sender ?? ''] ?? ''}{c.last_message_preview ?? 'No messages yet'}</span>
        <span class="conv-badges">
          {unread && <span class="count" aria-label={`${c.agent_unread_count} unread`}>{c.agent_unread_count}</span>}
          {c.status === 'closed' && <Badge kind="grey">Closed</Badge>}
          {c.status === 'open' && c.needs_human && <Badge kind="red">Needs a human</Badge>}
          {c.status === 'open' && c.ai_mode === 'paused' && <Badge kind="amber">Paused</Badge>}
        </span>
      </a>
    </li>
  );
}

function NotificationToggle() {
  const [on, setOn] = useState(notificationsOn());
  const [denied, setDenied] = useState(false);
  if (!notificationsSupported()) return null;
  return (
    <>
      <Button variant="ghost" aria-pressed={on ? 'true' : 'false'} onClick={async () => {
        const result = await toggleNotifications();
        setOn(result.on);
        setDenied(result.denied);
      }}>
        {on ? 'Desktop notifications: on' : 'Turn on desktop notifications'}
      </Button>
      {denied && <p class="hint" role="status">Your browser blocks notifications for this site; allow them in its site settings.</p>}
    </>
  );
}

export function InboxPage({ route, rest }: PageProps) {
  const site = useSite();
  const inbox = useObservable(site.inbox);
  const queryFilter = route.query.get('filter');
  const filter: InboxFilter = isFilter(queryFilter) ? queryFilter : 'all';
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const searchId = useId('search');
  const selected = rest[0];

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search), 250);
    return () => clearTimeout(t);
  }, [search]);
  useEffect(() => inbox.setView(filter, debounced), [inbox, filter, debounced]);

  const rows = inbox.visible;
  const filterHref = (key: InboxFilter) => href(['w', site.website.id, 'inbox', ...(selected ? [selected] : [])], { filter: key === 'all' ? undefined : key });
  const emptyText: Record<InboxFilter, string> = {
    all: 'When a visitor writes in the chat widget, the conversation appears here at once. Paste the embed snippet (Settings) into your pages to get started.',
    needs_human: 'Nobody is waiting for a person. Conversations land here when the AI is paused or off, or could not answer.',
    ai: 'No open conversation is being answered by the AI right now.',
    paused: 'No conversation has the AI paused. Pause it in a conversation to answer yourself.',
    closed: 'No closed conversations.',
  };

  return (
    <div class={`inbox${selected ? ' has-selection' : ''}`}>
      <section class="inbox-list" aria-labelledby="inbox-heading">
        <div class="inbox-head">
          <h1 id="inbox-heading" tabIndex={-1}>Inbox{inbox.unread > 0 ? <span class="count" aria-label={`${inbox.unread} unread`}>{inbox.unread}</span> : null}</h1>
          <NotificationToggle />
        </div>
        <div class="filters" role="group" aria-label="Filter conversations">
          {FILTERS.map((f) => (
            <a key={f.key} class={`chip${filter === f.key ? ' on' : ''}`} href={filterHref(f.key)} aria-current={filter === f.key ? 'true' : undefined}>{f.label}</a>
          ))}
        </div>
        <div class="search">
          <label for={searchId} class="visually-hidden">Search conversations</label>
          <input id={searchId} type="search" placeholder="Search titles and messages" value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => { if (e.key === 'Escape') setSearch(''); }} />
        </div>
        {inbox.error && <Notice kind="error">{inbox.error} <button type="button" class="link" onClick={() => void inbox.refresh()}>Retry</button></Notice>}
        {inbox.loading && rows.length === 0 ? <Spinner label="Loading conversations…" /> : rows.length === 0 ? (
          inbox.term
            ? <Empty title={`Nothing matches “${inbox.term}”.`}>Try another word, or clear the search.</Empty>
            : <Empty title="No conversations here">{emptyText[filter]}</Empty>
        ) : (
          <ul class="conv-list" aria-label="Conversations" aria-busy={inbox.loading ? 'true' : 'false'}>
            {rows.map((c) => <ConversationRow key={c.id} c={c} selected={c.id === selected} websiteId={site.website.id} filter={filter} />)}
          </ul>
        )}
        {inbox.hasMore && rows.length > 0 && (
          <Button variant="ghost" class="wide" busy={inbox.loadingMore} onClick={() => void inbox.loadMore()}>Load older conversations</Button>
        )}
      </section>
      <div class="inbox-detail">
        {selected ? <ConversationView key={selected} conversationId={selected} /> : (
          <Empty title="Pick a conversation">Choose one on the left to read it, reply, or pause the AI. New visitor messages appear in the list as they are sent.</Empty>
        )}
      </div>
    </div>
  );
}
