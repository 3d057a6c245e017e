// Fetches the chat app (emily-chat.js, next to the loader) once, and hands its start function to
// the loader when it announces itself on its own <script> element.
import { APP_READY_EVENT, type StartApp } from '../shared/bridge.ts';

export function appLoader(src: string, nonce: string | undefined, onStart: (start: StartApp) => void) {
  let requested = false;
  return () => {
    if (requested) return;
    requested = true;
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    // Pages with a nonce-based CSP ('strict-dynamic') trust scripts the loader inserts.
    if (nonce) script.nonce = nonce;
    script.addEventListener(APP_READY_EVENT, (e) => onStart((e as CustomEvent<StartApp>).detail), { once: true });
    script.addEventListener('error', () => { requested = false; script.remove(); });
    document.head.appendChild(script);
  };
}

/** Whether this browser holds anything of this website's widget (session, conversation, unsent messages). */
export function hasStored(websiteId: string): boolean {
  try {
    return Object.keys(localStorage).some((k) => k.startsWith(`emily:${websiteId}:`));
  } catch {
    // Storage refused (a sandboxed frame): the app decides, with its memory storage.
    return true;
  }
}

/**
 * Puts the app in the HTTP cache without running it. A no-cors GET with credentials is what the
 * later <script> asks for (so it can use that cache entry), and it is governed by connect-src,
 * which any page running the widget allows for its API (rel=prefetch would need default-src).
 */
export function warm(src: string): void {
  fetch(src, { mode: 'no-cors', credentials: 'include' }).catch(() => {});
}

/** Loads when the browser is idle after the page's own load, so the page never waits for it. */
export function whenIdle(fn: () => void) {
  const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 5000 }) : setTimeout(fn, 1500));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}
