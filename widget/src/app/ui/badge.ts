// The unread count on the launcher. Made by the app, not the loader: only the app ever has
// something to count, and every byte of the loader is paid on every page view.
import { addStyles } from '../../shared/adopt-styles.ts';

const BADGE_CSS =
  '.badge{position:absolute;top:-4px;right:-4px;min-width:20px;padding:0 6px;border-radius:10px;background:#b91c1c;color:#fff;font:700 12px/20px system-ui,sans-serif}.badge:empty{display:none}';

export function createBadge(root: ShadowRoot, launcher: HTMLElement): HTMLElement {
  addStyles(root, BADGE_CSS);
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('aria-hidden', 'true');
  launcher.appendChild(badge);
  return badge;
}
