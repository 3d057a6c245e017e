// One message on screen: who wrote it (AI, a person, the visitor), the safely rendered text, its
// sources, time, and state (sending, not sent with a retry link, seen). A streaming answer with
// no text yet shows the "thinking" dots.
import type { Translate } from '../i18n/index.ts';
import { renderMarkdown, safeUrl } from '../render/markdown.ts';
import type { ChatMessage } from '../store/message-store.ts';
import { h } from './dom.ts';

export interface MessageViewContext {
  t: Translate;
  formatTime(iso: string): string;
  /** Label for a team member's messages (their name, else the website's name). */
  teamName: string;
  retry(clientId: string): void;
}

export function senderLabel(m: ChatMessage, ctx: MessageViewContext): string {
  if (m.sender === 'assistant') return ctx.t('ai');
  if (m.sender === 'agent') return m.authorName || ctx.teamName || ctx.t('team');
  if (m.sender === 'user') return ctx.t('you');
  return '';
}

export function renderMessage(m: ChatMessage, ctx: MessageViewContext, showSeen: boolean): HTMLElement {
  const { t } = ctx;
  const label = senderLabel(m, ctx);
  const bubble = h('div', { class: 'bubble' });
  if (m.state === 'streaming' && !m.content) {
    bubble.append(h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), h('span', { class: 'sr' }, t('thinking')));
  } else {
    bubble.appendChild(renderMarkdown(m.content));
  }
  const el = h('div', { class: `msg ${m.sender} ${m.state}` });
  // The visitor's own bubbles need no name on screen; screen readers still get it.
  el.append(h('div', { class: m.sender === 'user' || m.notice ? 'who sr' : 'who' }, label), bubble);

  const sources = (m.sources ?? []).filter((s) => s.title);
  if (sources.length && m.state !== 'streaming') {
    const items = sources.map((s) => {
      const href = s.url ? safeUrl(s.url) : null;
      return h('li', {}, href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, s.title) : s.title);
    });
    el.appendChild(h('div', { class: 'sources' }, h('span', {}, t('sources')), h('ul', {}, ...items)));
  }

  const meta = h('div', { class: 'meta' });
  if (m.createdAt && !m.notice) meta.appendChild(h('time', { datetime: m.createdAt }, ctx.formatTime(m.createdAt)));
  if (m.state === 'sending') meta.appendChild(h('span', {}, t('sending')));
  if (m.state === 'failed' && m.clientId) {
    const clientId = m.clientId;
    const retry = h('button', { type: 'button', class: 'link' }, t('retry'));
    retry.addEventListener('click', () => ctx.retry(clientId));
    meta.append(h('span', { class: 'state-failed' }, t('failed')), retry);
  }
  if (showSeen) meta.appendChild(h('span', { class: 'seen' }, t('seen')));
  if (meta.childNodes.length) el.appendChild(meta);
  return el;
}
