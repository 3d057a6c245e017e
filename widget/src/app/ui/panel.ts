// The chat panel's skeleton: header, status banner, the conversation view (message log, typing
// line, composer) and the conversation list view, plus a visually hidden live region that
// announces new messages once, whole (a streaming answer is not read out token by token).
import type { Translate } from '../i18n/index.ts';
import { h, icon, ICONS, iconButton } from './dom.ts';

export interface PanelParts {
  panel: HTMLDivElement;
  title: HTMLHeadingElement;
  subtitle: HTMLParagraphElement;
  back: HTMLButtonElement;
  newConversation: HTMLButtonElement;
  close: HTMLButtonElement;
  banner: HTMLDivElement;
  chat: HTMLDivElement;
  log: HTMLDivElement;
  typing: HTMLDivElement;
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  list: HTMLDivElement;
  announcer: HTMLDivElement;
}

export function buildPanel(t: Translate): PanelParts {
  const title = h('h2', { id: 'emily-title' }, t('chat'));
  const subtitle = h('p', {});
  const back = iconButton(ICONS.back, t('back'), 'back');
  const newConversation = iconButton(ICONS.plus, t('newConversation'), 'new');
  const close = iconButton(ICONS.close, t('close'), 'close');
  const banner = h('div', { class: 'banner', role: 'status' });
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'off', tabindex: '0', 'aria-label': t('chat') });
  const typing = h('div', { class: 'typing', 'aria-live': 'polite' });
  const input = h('textarea', { rows: '1', 'aria-label': t('placeholder'), placeholder: t('placeholder'), maxlength: '4000', enterkeyhint: 'send' });
  const send = h('button', { type: 'submit', 'aria-label': t('send'), title: t('send') }, icon(ICONS.send));
  const form = h('form', { class: 'composer' }, input, send);
  const chat = h('div', { class: 'chat' }, log, typing, form);
  const list = h('div', { class: 'list', hidden: true });
  const announcer = h('div', { class: 'sr', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const head = h('div', { class: 'head' }, back, h('div', { class: 'title' }, title, subtitle), newConversation, close);
  const panel = h('div', { class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'emily-title', hidden: true }, head, banner, chat, list, announcer);
  return { panel, title, subtitle, back, newConversation, close, banner, chat, log, typing, form, input, send, list, announcer };
}
