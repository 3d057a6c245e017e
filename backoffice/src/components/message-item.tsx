// One message of a conversation as the team sees it: who wrote it, when, its text (always as text,
// never as HTML), the sources under an AI answer, and a retry for a reply that failed.
import { clockTime } from '../lib/format.ts';
import type { ShownMessage } from '../lib/messages.ts';
import type { TeamMember } from '../lib/rows.ts';

const httpUrl = (url: unknown) => (typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined);

export function authorLabel(m: ShownMessage, meId: string, team: TeamMember[]): string {
  switch (m.sender) {
    case 'user': return 'Visitor';
    case 'assistant': return 'AI assistant';
    case 'system': return 'Notice';
    case 'agent':
      if (m.author_id === meId) return 'You';
      return team.find((t) => t.user_id === m.author_id)?.email ?? 'Team member';
  }
}

export function MessageItem({ message, meId, team, onRetry }: { message: ShownMessage; meId: string; team: TeamMember[]; onRetry: () => void }) {
  const sources = message.sender === 'assistant' && Array.isArray(message.metadata?.sources) ? message.metadata.sources : [];
  return (
    <li class={`msg msg-${message.sender} state-${message.state}`} data-id={message.id}>
      <div class="msg-meta">
        <span class="msg-author">{authorLabel(message, meId, team)}</span>
        <time dateTime={message.created_at}>{message.state === 'sending' ? 'Sending…' : clockTime(message.created_at)}</time>
      </div>
      <div class="msg-body">{message.content}</div>
      {sources.length > 0 && (
        <div class="msg-sources">
          <span>Sources:</span>
          <ul>
            {sources.map((s, i) => {
              const url = httpUrl(s.url);
              return <li key={i}>{url ? <a href={url} target="_blank" rel="noopener noreferrer">{s.title || url}</a> : s.title || 'Knowledge base'}</li>;
            })}
          </ul>
        </div>
      )}
      {message.state === 'failed' && (
        <div class="msg-failed" role="alert">
          Not sent. <button type="button" class="link" onClick={onRetry}>Try again</button>
        </div>
      )}
    </li>
  );
}
