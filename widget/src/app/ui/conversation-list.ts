// The visitor's conversations on this website, newest first, and a button to start another.
import type { ConversationSummary } from '../api/widget-api.ts';
import type { Translate } from '../i18n/index.ts';
import { h } from './dom.ts';

export function renderConversationList(
  container: HTMLElement,
  conversations: ConversationSummary[],
  t: Translate,
  formatTime: (iso: string) => string,
  pick: (id: string) => void,
  start: () => void,
): HTMLButtonElement {
  const startButton = h('button', { type: 'button', class: 'start' }, t('newConversation'));
  startButton.addEventListener('click', start);
  // Newest first, as the server lists them.
  const items = conversations.map((c) => {
    const button = h(
      'button',
      { type: 'button', class: 'conv' },
      h('strong', {}, c.title || c.last_message?.content || t('chat')),
      h('span', {}, [c.title ? c.last_message?.content : '', c.updated_at ? formatTime(c.updated_at) : '', c.unread ? t('unread', { n: c.unread }) : ''].filter(Boolean).join(' · ')),
    );
    button.addEventListener('click', () => pick(c.id));
    return h('li', {}, button);
  });
  container.replaceChildren(
    h('h3', { class: 'sr' }, t('conversations')),
    startButton,
    items.length ? h('ul', { 'aria-label': t('conversations') }, ...items) : h('p', { class: 'empty' }, t('noConversations')),
  );
  return startButton;
}
