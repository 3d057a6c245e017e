// `open: true` opens the chat by itself once per browser session: once it is closed (by the
// visitor, or by the page's EmilyChat.close()), later page views in this tab leave it closed, while
// EmilyChat.open() still opens it. Remembered in sessionStorage, per website; where storage is
// refused (a sandboxed frame) it cannot remember and opens on every page view.
import { storageKey } from './session/storage.ts';

export function mayAutoOpen(websiteId: string): boolean {
  try {
    return !sessionStorage.getItem(storageKey(websiteId, 'closed'));
  } catch {
    return true;
  }
}

export function rememberClosed(websiteId: string): void {
  try {
    sessionStorage.setItem(storageKey(websiteId, 'closed'), '1');
  } catch {
    // Nothing to remember it in.
  }
}
