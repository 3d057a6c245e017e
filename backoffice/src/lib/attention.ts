// Getting the agent's attention: the unread count in the tab title, and (only after the agent
// turned them on with a click, which is when the browser's permission is asked) desktop
// notifications for visitor messages the agent is not looking at.
import { useEffect } from 'preact/hooks';
import { preferences } from './preferences.ts';
import type { Message } from './rows.ts';

export function titleWith(unread: number, page: string): string {
  return `${unread > 0 ? `(${unread > 99 ? '99+' : unread}) ` : ''}${page} · Emily`;
}

export function useTitle(page: string, unread = 0): void {
  useEffect(() => {
    document.title = titleWith(unread, page);
  }, [page, unread]);
}

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function notificationsOn(): boolean {
  return notificationsSupported() && preferences.notify && Notification.permission === 'granted';
}

/** Turns desktop notifications on (asks the browser's permission) or off; returns the new state. */
export async function toggleNotifications(): Promise<{ on: boolean; denied: boolean }> {
  if (!notificationsSupported()) return { on: false, denied: false };
  if (notificationsOn()) {
    preferences.notify = false;
    return { on: false, denied: false };
  }
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  preferences.notify = permission === 'granted';
  return { on: permission === 'granted', denied: permission === 'denied' };
}

/** A notification for a visitor message, unless the agent is looking at that conversation. */
export function notifyVisitorMessage(websiteName: string, message: Message, watching: string | undefined, open: () => void): void {
  if (message.sender !== 'user' || !notificationsOn()) return;
  if (document.visibilityState === 'visible' && watching === message.conversation_id) return;
  try {
    const n = new Notification(`New message on ${websiteName}`, {
      body: message.content.slice(0, 140),
      tag: message.conversation_id,
    });
    n.onclick = () => {
      focus();
      open();
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the title count remains.
  }
}
