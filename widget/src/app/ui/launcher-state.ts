// The launcher's accessible name, expanded state and icon, kept in step with the chat. A labelled
// launcher (the pill and tab styles) is named by the words it shows ("Chat with us"), so what a
// speech-input user reads is what they can say (WCAG 2.5.3); the round ones by "Open chat".
import { CHAT_ICON } from '../../shared/icons.ts';
import { isLabelled } from '../../shared/styles.ts';
import type { Translate } from '../i18n/index.ts';
import { ICONS } from './dom.ts';

export function describeLauncher(launcher: HTMLElement, t: Translate, open: boolean, unread: number): void {
  const shown = isLabelled(launcher) ? launcher.querySelector('.label')?.textContent : undefined;
  const name = shown || t('open');
  setIfChanged(launcher, 'aria-expanded', String(open));
  setIfChanged(launcher, 'aria-label', open ? t('close') : unread ? `${name} (${t('unread', { n: unread })})` : name);
  const icon = launcher.querySelector('path');
  if (icon) setIfChanged(icon, 'd', open ? ICONS.close : CHAT_ICON);
}

/** Writes only real changes: an attribute set to its own value still invalidates style and the icon's geometry. */
function setIfChanged(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}
