// What the app does when the loader starts it (on idle, on the first interaction, or at once with
// `open: true`, when it opens the chat itself once per browser session: auto-open.ts). A
// first-time visitor, or one without an open conversation, costs the page almost nothing: the
// launcher gets its name in the visitor's language and the chat itself (session, socket, panel)
// is only made when it is opened or called. A visitor with an open conversation
// (its unread badge needs the socket) or with messages a closed page left unsent gets the chat
// at once, in a task of its own.
import type { AppApi, Identity, LoaderHost } from '../shared/bridge.ts';
import { mayAutoOpen } from './auto-open.ts';
import { Chat, type SavedState } from './chat.ts';
import { languageFor, translator } from './i18n/index.ts';
import { browserStorage, readJson, storageKey } from './session/storage.ts';
import { hasOutbox } from './store/outbox.ts';
import { describeLauncher } from './ui/launcher-state.ts';

export function startApp(host: LoaderHost): AppApi {
  const storage = browserStorage();
  const { websiteId, locale } = host.config;
  let chat: Chat | undefined;
  let identity: Identity | undefined;
  const live = (): Chat => {
    if (!chat) {
      chat = new Chat(host, storage);
      if (identity) chat.identify(identity);
    }
    return chat;
  };

  const saved = readJson<SavedState>(storage, storageKey(websiteId, 'state'));
  if (saved?.conversation_id || hasOutbox(storage, websiteId)) setTimeout(live);
  else describeLauncher(host.launcher, translator(languageFor(locale)), false, 0);
  // Without taking the focus, even right after a click or a key on the page (a user activation,
  // which a same-origin frame such as the backoffice's live preview shares with the page around
  // it): the visitor keeps typing where they are.
  if (host.config.open && mayAutoOpen(websiteId)) live().open(false);

  return {
    open: (focus) => live().open(focus),
    close: () => chat?.close(),
    toggle: () => live().toggle(),
    identify(value) {
      // identify() only reaches the server once the visitor has a session; without one it waits.
      if (chat || storage.get(storageKey(websiteId, 'session'))) live().identify(value);
      else identity = value;
    },
    reset: () => live().reset(),
  };
}
