// A conversation in the inbox: history, live updates, the AI switch, close/reopen, the reply box
// and the visitor's details.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { ConversationModel } from '../lib/conversation-model.ts';
import { useObservable } from '../lib/observable.ts';
import { href } from '../router.ts';
import { useSite } from '../site.tsx';
import { Composer } from './composer.tsx';
import { MessageItem } from './message-item.tsx';
import { Badge, Button, Notice, Spinner } from './ui.tsx';
import { VisitorPanel } from './visitor-panel.tsx';

export function ConversationView({ conversationId }: { conversationId: string }) {
  const site = useSite();
  const model = useMemo(() => new ConversationModel(conversationId, site.website.id, { id: site.me.id }, site.inbox), [conversationId, site.website.id]);
  useObservable(model);
  useEffect(() => {
    void model.start();
    return () => model.stop();
  }, [model]);

  const log = useRef<HTMLDivElement>(null);
  const count = model.messages.length;
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, model.visitorTyping]);

  const back = <a class="back-link" href={href(['w', site.website.id, 'inbox'])}>← All conversations</a>;
  if (model.loading) return <section class="conversation">{back}<Spinner label="Loading the conversation…" /></section>;
  if (model.error || !model.conversation) {
    return <section class="conversation">{back}<Notice kind="error">{model.error ?? 'This conversation could not be loaded.'}</Notice></section>;
  }
  const c = model.conversation;
  const paused = c.ai_mode === 'paused';
  const closed = c.status === 'closed';
  const aiOff = !site.website.ai_enabled;
  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <header class="conversation-head">
        {back}
        <h2 id="conversation-title">{c.title || 'New conversation'}</h2>
        <div class="badges">
          {closed ? <Badge kind="grey">Closed</Badge> : <Badge kind="green">Open</Badge>}
          {aiOff ? <Badge kind="amber">AI off for this website</Badge> : paused ? <Badge kind="amber">AI paused</Badge> : <Badge kind="blue">AI answering</Badge>}
          {c.needs_human && !closed && <Badge kind="red">Needs a human</Badge>}
        </div>
        <div class="actions">
          <Button variant={paused ? 'primary' : 'secondary'} busy={model.busy} onClick={() => void model.setAiMode(paused ? 'auto' : 'paused')}
            aria-pressed={paused ? 'true' : 'false'} title={paused ? 'Let the AI answer this visitor again' : 'Stop the AI from answering; you answer yourself'}>
            {paused ? 'Resume AI' : 'Pause AI'}
          </Button>
          <Button variant="ghost" busy={model.busy} onClick={() => void model.setStatus(closed ? 'open' : 'closed')}>
            {closed ? 'Reopen' : 'Close'}
          </Button>
        </div>
      </header>
      {model.actionError && <Notice kind="error">{model.actionError}</Notice>}
      <div class="conversation-body">
        <div class="thread">
          <div class="messages" ref={log} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
            <ol>
              {model.messages.length === 0 && <li class="muted center">No messages yet.</li>}
              {model.messages.map((m) => <MessageItem key={m.id} message={m} meId={site.me.id} team={site.team} onRetry={() => void model.retry(m)} />)}
            </ol>
          </div>
          <div class="typing" aria-live="polite">{model.visitorTyping ? 'The visitor is typing…' : ''}</div>
          {closed && <p class="muted small">This conversation is closed. A new visitor message reopens it; you can also reply, which does not reopen it.</p>}
          <Composer onSend={(text) => model.reply(text)} onTyping={(t) => model.typing(t)} aiAnswering={!paused && !aiOff} />
        </div>
        <VisitorPanel visitor={model.visitor} conversation={c} present={model.visitorPresent} />
      </div>
    </section>
  );
}
