// Who the visitor is, as far as the website knows: when they first came, the page they wrote from,
// their language and browser, and their identity when the site verified it (identify + HMAC; the
// Verified badge only on what the HMAC covers, see lib/identity.ts).
import { Fragment } from 'preact';
import { Badge } from './ui.tsx';
import { browserName, dateTime, relativeTime } from '../lib/format.ts';
import { identityFields } from '../lib/identity.ts';
import type { Conversation, Visitor } from '../lib/rows.ts';

function languageName(tag: string | null): string {
  if (!tag) return 'Unknown';
  try {
    const name = new Intl.DisplayNames(undefined, { type: 'language' }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

function safeUrl(url: string | null): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

export function VisitorPanel({ visitor, conversation, present }: { visitor?: Visitor; conversation: Conversation; present: boolean }) {
  const page = safeUrl(visitor?.last_page_url ?? null);
  return (
    <aside class="visitor" aria-labelledby="visitor-heading">
      <h2 id="visitor-heading">Visitor</h2>
      {visitor?.identified_at ? (
        <div class="identity">
          <dl>
            {identityFields(visitor).map((f) => (
              <Fragment key={f.label}>
                <dt>{f.label}</dt>
                <dd>{f.verified ? <><code>{f.value}</code> <Badge kind="green">Verified</Badge></> : <>{f.value} <span class="muted">(not verified)</span></>}</dd>
              </Fragment>
            ))}
            <dt>Identified</dt><dd>{dateTime(visitor.identified_at)}</dd>
          </dl>
        </div>
      ) : (
        <p class="muted">Anonymous visitor (not identified by your site).</p>
      )}
      <p class={`presence ${present ? 'on' : ''}`}>{present ? '● Looking at this conversation now' : '○ Not looking at the chat right now'}</p>
      <dl>
        <dt>First seen</dt><dd>{visitor ? `${dateTime(visitor.first_seen_at)} (${relativeTime(visitor.first_seen_at)})` : '—'}</dd>
        <dt>Last seen</dt><dd>{visitor ? relativeTime(visitor.last_seen_at) : '—'}</dd>
        <dt>Page</dt><dd class="break">{page ? <a href={page} target="_blank" rel="noopener noreferrer">{page}</a> : '—'}</dd>
        <dt>Language</dt><dd>{languageName(visitor?.locale ?? null)}</dd>
        <dt>Browser</dt><dd>{browserName(visitor?.user_agent)}</dd>
        <dt>Conversation started</dt><dd>{dateTime(conversation.created_at)}</dd>
        {conversation.closed_at && <><dt>Closed</dt><dd>{dateTime(conversation.closed_at)}</dd></>}
      </dl>
    </aside>
  );
}
