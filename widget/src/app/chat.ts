// The chat app: wires the visitor session, the Edge Functions, the realtime link, the message
// store and the outbox to the panel, and implements the JS API the loader exposes (open, close,
// toggle, identify, reset). Messages are reconciled by id and client_id only; the database is read
// again whenever the socket (re)joins, the tab becomes visible or the network returns. The panel
// is built the first time the chat opens: a closed chat draws nothing but the loader's launcher.
// Members are `#private`: truly private, and the minifier can shorten their names (the app's budget).
import { addStyles } from '../shared/adopt-styles.ts';
import type { AppApi, Identity, LoaderHost, WidgetInit } from '../shared/bridge.ts';
import { ApiError, widgetApi, type ConversationState, type IdentityPayload, type WidgetApi } from './api/widget-api.ts';
import { rememberClosed } from './auto-open.ts';
import { ConversationView } from './conversation-view.ts';
import { languageFor, translator, type Translate } from './i18n/index.ts';
import { Attention } from './notify/attention.ts';
import { ConversationLink, type LinkHandlers } from './realtime/conversation-link.ts';
import { backoffMs, isOffline, MAX_ATTEMPTS, retrying } from './retry.ts';
import { AuthError, authApi, type AuthApi, type Session } from './session/auth-api.ts';
import { SessionStore } from './session/session-store.ts';
import { browserStorage, readJson, storageKey, type KeyValue } from './session/storage.ts';
import { timestampOf, type ChatMessage, type MessageRow } from './store/message-store.ts';
import { Outbox, type OutboxEntry } from './store/outbox.ts';
import { renderConversationList } from './ui/conversation-list.ts';
import { createBadge } from './ui/badge.ts';
import { wireComposer } from './ui/composer.ts';
import { describeLauncher } from './ui/launcher-state.ts';
import { MessageList } from './ui/message-list.ts';
import { renderMessage, type MessageViewContext } from './ui/message-view.ts';
import { buildPanel, type PanelParts } from './ui/panel.ts';
import { PANEL_CSS } from './ui/styles.ts';
import { ViewportFit } from './ui/viewport.ts';
import { uuidv4 } from './uuid.ts';

/** How long the thinking bubble waits for an answer written elsewhere (an AI answer takes seconds). */
export const ANSWER_WAIT_MS = 20_000;

/** A team member's "typing…" disappears after this long without a fresh typing event. */
export const TYPING_TIMEOUT_MS = 6000;

/** What the widget remembers per website besides the session: the open conversation and how far it was read. */
export interface SavedState {
  user_id: string;
  conversation_id: string | null;
  seen: string | null;
  /** The seen message's created_at: where the catch-up cursor starts, and what is not news. */
  seen_at?: string;
}

interface Outgoing {
  clientId: string;
  content: string;
  view: ConversationView;
}

/** Refused for good (bad input, not allowed) rather than a network or server hiccup worth retrying. */
function isTransient(err: unknown): boolean {
  return (err instanceof ApiError && err.transient) || (err instanceof AuthError && !err.permanent);
}

export class Chat implements AppApi {
  readonly #t: Translate;
  readonly #lang: string;
  readonly #auth: AuthApi;
  readonly #sessions: SessionStore;
  readonly #api: WidgetApi;
  readonly #link: ConversationLink;
  /** Messages not confirmed by the server yet, kept across page views. */
  readonly #outbox: Outbox;
  readonly #attention: Attention;
  readonly #viewContext: MessageViewContext;
  /** The panel and what draws into it: built on the first open. */
  #ui: PanelParts | undefined;
  #messages: MessageList | undefined;
  #viewport: ViewportFit | undefined;
  #bannerText = '';
  readonly #host: LoaderHost;
  readonly #storage: KeyValue;
  #init: WidgetInit | null = null;
  #view: ConversationView;
  #isOpen = false;
  #showingList = false;
  #identity: IdentityPayload | undefined;
  /** visitor + identity last sent to widget-identify, so it is sent once per pair. */
  #identifiedAs: string | undefined;
  /** The last message id reported read (mark_conversation_read). */
  #markedRead: string | null = null;
  #markReadTimer: ReturnType<typeof setTimeout> | undefined;
  /** This tab's sends, one at a time, in order. */
  #queue: Outgoing[] = [];
  #sending = false;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #renderQueued = false;

  constructor(host: LoaderHost, storage: KeyValue = browserStorage()) {
    this.#host = host;
    this.#storage = storage;
    const { config } = host;
    const anonKey = config.anonKey ?? __EMILY_ANON_KEY__;
    this.#lang = languageFor(config.locale);
    this.#t = translator(this.#lang as Parameters<typeof translator>[0]);
    this.#auth = authApi(config.supabaseUrl, anonKey);
    this.#sessions = new SessionStore(config.websiteId, storage, this.#auth);
    this.#api = widgetApi(config.supabaseUrl, anonKey, config.websiteId);
    this.#link = new ConversationLink(config.supabaseUrl, anonKey, () => this.#accessToken());
    this.#outbox = new Outbox(config.websiteId, storage);
    this.#attention = new Attention(createBadge(host.root, host.launcher), () => this.#describeLauncher(), host.emit, config.sound === true);
    this.#viewContext = {
      t: this.#t,
      teamName: '',
      formatTime: (iso) => this.#formatTime(iso),
      retry: (clientId) => this.#retry(clientId),
    };
    this.#view = this.#newView(null, null);
    this.#describeLauncher();

    void host.init.then((init) => this.#applyInit(init === 'unknown' ? null : init));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      if (this.#watching()) this.#attention.clear();
      void this.catchUp();
      void this.#resume();
    });
    addEventListener('online', () => {
      this.#setBanner('');
      void this.catchUp();
      void this.#resume();
    });
    addEventListener('offline', () => this.#setBanner(this.#t('offline')));
    if (isOffline()) this.#bannerText = this.#t('offline');
    this.#restore();
    void this.#resume();
  }

  /** Builds the panel (once): styles, DOM, and everything known so far drawn into it. */
  #ensureUi(): PanelParts {
    if (this.#ui) return this.#ui;
    addStyles(this.#host.root, PANEL_CSS);
    const ui = buildPanel(this.#t);
    this.#host.root.appendChild(ui.panel);
    this.#ui = ui;
    this.#viewport = new ViewportFit(ui.panel);
    this.#messages = new MessageList(ui.log, this.#viewContext);
    this.#wireUi(ui);
    ui.banner.textContent = this.#bannerText;
    this.#applyInitToUi();
    this.#updateHeader();
    return ui;
  }

  #setBanner(text: string): void {
    this.#bannerText = text;
    if (this.#ui) this.#ui.banner.textContent = text;
  }

  // ── JS API ──────────────────────────────────────────────────────────────

  /**
   * `focus`: move the focus into the chat. By default only when the visitor asked (a click, a key);
   * the loader passes false for `open: true` at page load.
   */
  open(focus = (navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? true): void {
    if (this.#isOpen) return;
    const ui = this.#ensureUi();
    this.#isOpen = true;
    const { panel } = ui;
    panel.hidden = false;
    requestAnimationFrame(() => panel.classList.add('open'));
    this.#attention.unlockAudio();
    this.#attention.clear();
    this.#viewport!.start();
    this.#link.setPresent(true);
    this.#describeLauncher();
    // What arrived while the chat was closed is drawn now.
    this.#render();
    this.#messages!.scrollToEnd();
    if (this.#view.id && !this.#view.historyLoaded) void this.#loadHistory(this.#view);
    if (!this.#init) void this.#retryInit();
    if (focus) {
      requestAnimationFrame(() => (this.#showingList ? ui.list.querySelector('button') : ui.input)?.focus());
    }
    this.#host.emit('open');
  }

  close(): void {
    const ui = this.#ui;
    if (!this.#isOpen || !ui) return;
    const hadFocus = ui.panel.contains(this.#host.root.activeElement);
    this.#isOpen = false;
    ui.panel.classList.remove('open');
    ui.panel.hidden = true;
    this.#viewport!.stop();
    this.#link.setPresent(false);
    this.#describeLauncher();
    if (hadFocus) this.#host.launcher.focus();
    if (this.#host.config.open) rememberClosed(this.#host.config.websiteId);
    this.#host.emit('close');
  }

  toggle(): void {
    if (this.#isOpen) this.close();
    else this.open();
  }

  identify(identity: Identity): void {
    const str = (v: unknown, max = 320) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);
    const userId = str(identity?.userId, 256);
    const userHash = str(identity?.userHash, 256);
    if (!userId || !userHash) {
      console.error('[Emily] identify() needs userId and userHash (the HMAC-SHA256 of userId with the website secret)');
      return;
    }
    this.#identity = { user_id: userId, user_hash: userHash, name: str(identity.name, 200), email: str(identity.email) };
    void this.#sendIdentity();
  }

  /**
   * identify() reaches the server through widget-identify once the visitor has a session (the
   * first message creates it; identify alone never does). An identity whose hash does not verify
   * is refused there and the visitor stays anonymous.
   */
  async #sendIdentity(): Promise<void> {
    const identity = this.#identity;
    if (!identity || !this.#sessions.peek()) return;
    const session = await this.#sessions.get(false).catch(() => null);
    if (!session) return;
    const key = `${session.user_id} ${identity.user_id} ${identity.user_hash}`;
    if (this.#identifiedAs === key) return;
    this.#identifiedAs = key;
    try {
      await this.#api.identify(session.access_token, identity);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) console.warn('[Emily] identify(): userHash does not verify; the visitor stays anonymous');
      else this.#identifiedAs = undefined;
    }
  }

  reset(): void {
    const old = this.#sessions.clear();
    if (old) void this.#auth.logout(old.access_token).catch(() => {});
    this.#storage.remove(storageKey(this.#host.config.websiteId, 'state'));
    this.#identity = this.#identifiedAs = undefined;
    this.#markedRead = null;
    this.#queue = [];
    this.#outbox.clear();
    this.#link.close();
    this.#attention.clear();
    this.#showConversation(this.#newView(null, null));
  }

  // ── Conversations ──────────────────────────────────────────────────────

  #newView(id: string | null, owner: string | null): ConversationView {
    const view: ConversationView = new ConversationView(id, owner, () => this.#scheduleRender(view));
    return view;
  }

  /** Page load: pick up the visitor's open conversation, if the stored session can still read it. */
  #restore(): void {
    const session = this.#sessions.peek();
    const saved = readJson<SavedState>(this.#storage, storageKey(this.#host.config.websiteId, 'state'));
    if (!session || !saved?.conversation_id || saved.user_id !== session.user_id) return;
    const view = this.#newView(saved.conversation_id, session.user_id);
    // Closed: read only what came after what the visitor last saw (it counts as unread).
    view.cursor = saved.seen;
    view.cursorAt = timestampOf(saved.seen_at);
    this.#markedRead = saved.seen;
    this.#showConversation(view);
  }

  /**
   * Messages a closed page left unsent (and no other open tab is sending): shown as pending in
   * their conversation and sent again with the same client_id. The conversation of the latest one
   * is the one shown, as it was when the visitor last wrote.
   */
  async #resume(): Promise<void> {
    const entries = await this.#outbox.claimOrphans();
    if (!entries.length) return;
    const views = new Map<string, ConversationView>();
    for (const entry of entries) {
      const key = entry.conversation_id ?? entry.thread;
      let view = views.get(key);
      if (!view) views.set(key, (view = this.#viewFor(entry)));
      view.store.addPending(entry.client_id, entry.content);
      this.#enqueue({ clientId: entry.client_id, content: entry.content, view });
    }
    const latest = entries[entries.length - 1];
    const shown = views.get(latest.conversation_id ?? latest.thread)!;
    if (shown !== this.#view) this.#showConversation(shown);
  }

  /** The view an unsent message belongs in: the one shown when it is its conversation, else its own. */
  #viewFor(entry: OutboxEntry): ConversationView {
    const current = this.#view;
    if (entry.conversation_id ? current.id === entry.conversation_id : current.thread === entry.thread) return current;
    if (!entry.conversation_id && !current.id && !current.store.list().length) {
      // Nothing written here yet: this is where the unsent new conversation continues.
      current.thread = entry.thread;
      return current;
    }
    const view = this.#newView(entry.conversation_id, entry.user_id);
    view.thread = entry.thread;
    return view;
  }

  #showConversation(view: ConversationView): void {
    this.#view = view;
    this.#showingList = false;
    if (this.#ui) {
      this.#ui.list.hidden = true;
      this.#ui.chat.hidden = false;
      this.#messages!.clear();
    }
    this.#clearTyping();
    if (view.id) {
      void this.#link.follow(view.id, this.#linkHandlers(view));
      this.#save();
      if (this.#isOpen && !view.historyLoaded) void this.#loadHistory(view);
    } else {
      this.#link.leave();
    }
    this.#render();
    this.#updateHeader();
  }

  async #showList(): Promise<void> {
    const ui = this.#ensureUi();
    this.#showingList = true;
    ui.chat.hidden = true;
    ui.list.hidden = false;
    this.#updateHeader();
    const draw = (conversations: Parameters<typeof renderConversationList>[1]) =>
      renderConversationList(ui.list, conversations, this.#t, (iso) => this.#formatTime(iso), (id) => this.#pickConversation(id), () => this.#startNew());
    draw([]).focus();
    const session = await this.#sessions.get(false).catch(() => null);
    if (!session) return;
    try {
      const conversations = await this.#api.conversations(session.access_token);
      if (this.#showingList) draw(conversations).focus();
    } catch {
      this.#setBanner(this.#t('error'));
    }
  }

  #pickConversation(id: string): void {
    const session = this.#sessions.peek();
    this.#showConversation(id === this.#view.id ? this.#view : this.#newView(id, session?.user_id ?? null));
    this.#ui?.input.focus();
  }

  #startNew(): void {
    this.#showConversation(this.#newView(null, null));
    this.#ui?.input.focus();
  }

  /** The server named the conversation a message went to (a new one, usually). */
  #adopt(view: ConversationView, id: string, owner: string): void {
    if (view.id === id) return;
    view.id = id;
    view.owner = owner;
    this.#outbox.named(view.thread, id);
    if (view === this.#view) {
      void this.#link.follow(id, this.#linkHandlers(view));
      this.#save();
      this.#updateHeader();
    }
  }

  #linkHandlers(view: ConversationView): LinkHandlers {
    return {
      message: (row) => {
        // The reply the team member was typing has arrived.
        if (row.sender === 'agent' && !view.store.has(row.id)) this.#clearTyping();
        this.#arrived(view, row, true);
      },
      conversation: (row) => this.#applyConversation(view, row),
      typing: (sender, typing, name) => {
        if (sender === 'user' || view !== this.#view || !this.#ui) return;
        this.#clearTyping();
        if (!typing) return;
        this.#ui.typing.textContent = this.#t('typing', { name: name || this.#viewContext.teamName || this.#t('team') });
        this.#typingTimer = setTimeout(() => this.#clearTyping(), TYPING_TIMEOUT_MS);
      },
      // Every (re)join: read what the socket may have missed.
      subscribed: () => void this.catchUp(view),
    };
  }

  #clearTyping(): void {
    clearTimeout(this.#typingTimer);
    if (this.#ui) this.#ui.typing.textContent = '';
  }

  // ── Reading from the database ──────────────────────────────────────────

  /** The session that can read `view`, or null (and the view reset) when the visitor is gone. */
  async #readerFor(view: ConversationView): Promise<Session | null> {
    const session = await this.#sessions.get(false);
    if (session && (!view.owner || view.owner === session.user_id)) return session;
    if (view === this.#view) {
      this.#storage.remove(storageKey(this.#host.config.websiteId, 'state'));
      this.#showConversation(this.#newView(null, null));
    }
    return null;
  }

  /** Pages through widget-conversations/ID/messages; null when it cannot be read (the view may reset). */
  async #fetchMessages(view: ConversationView, after: string | null): Promise<MessageRow[] | null> {
    const session = await this.#readerFor(view).catch(() => null);
    if (!session || !view.id) return null;
    const rows: MessageRow[] = [];
    try {
      // Bounded: 50 pages of 200 is far more than any one conversation holds.
      for (let page = 0, cursor = after, id = view.id; page < 50; page++) {
        // A network or server hiccup is tried again (bounded): a read given up on shows nothing of
        // it, and the cursor message itself (a restored view's last seen) only a whole history brings.
        const { messages, has_more, conversation } = await retrying(
          () => this.#api.messages(session.access_token, id, cursor),
          (err, attempts) => (isTransient(err) && attempts < MAX_ATTEMPTS ? backoffMs(attempts - 1, (err as ApiError).retryAfter) : null),
        );
        if (conversation) this.#applyConversation(view, conversation);
        rows.push(...messages);
        if (!has_more || !messages.length) break;
        cursor = messages[messages.length - 1].id;
      }
      this.#confirmSent(rows);
      return rows;
    } catch (err) {
      if (!(err instanceof ApiError)) return null;
      if (err.code === 'unknown_message' && after) {
        // The cursor is not in this conversation (any more): read the whole history instead.
        view.cursor = null;
        view.cursorAt = NaN;
        return this.#fetchMessages(view, null);
      }
      if (err.status === 404 && view === this.#view) {
        // Not ours (any more): start afresh rather than show an error forever.
        this.#storage.remove(storageKey(this.#host.config.websiteId, 'state'));
        this.#showConversation(this.#newView(null, null));
      }
      if (err.status === 401) this.#sessions.invalidate();
      return null;
    }
  }

  #loadHistory(view: ConversationView): Promise<void> {
    return view.serialise('history', async () => {
      if (view.historyLoaded) return;
      const rows = await this.#fetchMessages(view, null);
      if (!rows) return;
      view.store.upsertMany(rows);
      view.historyLoaded = true;
      view.advance(rows);
      this.#messages?.scrollToEnd();
    });
  }

  /** AI mode and the team's read marker ("Seen"): with a whole history, then from realtime when they change. */
  #applyConversation(view: ConversationView, state: ConversationState): void {
    view.aiMode = state.ai_mode ?? view.aiMode;
    view.store.markSeenUntil(state.agent_last_read_at);
    this.#updateHeader();
  }

  /** Everything stored after the cursor: on (re)subscribe, on visibility, on reconnection. */
  catchUp(view: ConversationView = this.#view): Promise<void> {
    if (!view.id) return Promise.resolve();
    return view.serialise('catchUp', async () => {
      const after = view.cursor;
      const rows = await this.#fetchMessages(view, after);
      if (!rows) return;
      if (!after || !view.cursor) {
        // A whole history: nothing in it is news.
        view.store.upsertMany(rows);
        view.historyLoaded = true;
      } else {
        for (const row of rows) {
          // Stamped before the cursor (the catch-up's overlap window) in a view restored closed: the
          // visitor saw it before this page view. Not news.
          if (timestampOf(row.created_at) < view.cursorAt && !view.historyLoaded) view.store.upsert(row);
          else this.#arrived(view, row, true);
        }
      }
      view.advance(rows);
    });
  }

  /** A stored message reached us: shown once, announced, counted as unread when nobody watches. */
  #arrived(view: ConversationView, row: MessageRow, live: boolean): void {
    if (row.sender === 'user' && row.client_id) this.#outbox.remove(row.client_id);
    const result = view.store.upsert(row);
    if (result === 'added' || result === 'confirmed') this.#announce(view, row, result === 'added' && live);
  }

  /** Stored rows read from the database: the outbox forgets the visitor messages among them. */
  #confirmSent(rows: MessageRow[]): void {
    const waiting = new Set(this.#outbox.list().map((e) => e.client_id));
    if (!waiting.size) return;
    for (const row of rows) if (row.sender === 'user' && row.client_id && waiting.has(row.client_id)) this.#outbox.remove(row.client_id);
  }

  #announce(view: ConversationView, row: MessageRow, fromOthers: boolean): void {
    this.#host.emit('message', { id: row.id, conversation_id: view.id, sender: row.sender, content: row.content, created_at: row.created_at });
    if (!fromOthers || row.sender === 'user') return;
    if (view === this.#view && this.#watching() && this.#ui) {
      const label = row.sender === 'assistant' ? this.#t('ai') : row.author_name || this.#viewContext.teamName || this.#t('team');
      this.#ui.announcer.textContent = `${label}: ${row.content}`;
    } else {
      this.#attention.add(1);
    }
  }

  // ── Sending ────────────────────────────────────────────────────────────

  #submit(text: string): void {
    const clientId = uuidv4();
    const view = this.#view;
    view.store.addPending(clientId, text);
    this.#messages?.scrollToEnd();
    this.#link.typing(false);
    this.#keep(view, clientId, text);
    this.#enqueue({ clientId, content: text, view });
  }

  /** Into the outbox (localStorage) before the first attempt: a page closed now still sends it later. */
  #keep(view: ConversationView, clientId: string, content: string): void {
    void this.#outbox.add({
      client_id: clientId,
      conversation_id: view.id,
      thread: view.thread,
      user_id: view.owner ?? this.#sessions.peek()?.user_id ?? null,
      content,
      created_at: new Date().toISOString(),
    });
  }

  #retry(clientId: string): void {
    const message = this.#view.store.byClient(clientId);
    if (!message || message.state !== 'failed') return;
    this.#view.store.setState(clientId, 'sending');
    // Still in the outbox after a transient failure; put back after a refusal.
    if (!this.#outbox.list().some((e) => e.client_id === clientId)) this.#keep(this.#view, clientId, message.content);
    this.#enqueue({ clientId, content: message.content, view: this.#view });
  }

  /** One send at a time, in order: a new conversation gets its id from the first. */
  #enqueue(message: Outgoing): void {
    this.#queue.push(message);
    if (this.#sending) return;
    this.#sending = true;
    void (async () => {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        try {
          await this.#deliver(next);
          this.#outbox.remove(next.clientId);
        } catch (err) {
          next.view.store.setState(next.clientId, 'failed');
          // Refused for good: the next page view would be refused too. After a transient failure
          // it stays in the outbox (shown as "Not sent" here, tried again on the next page view).
          if (!isTransient(err)) this.#outbox.remove(next.clientId);
        }
      }
      this.#sending = false;
    })();
  }

  /** Sends one message with its client_id, retrying (same client_id) while the failure is transient. */
  async #deliver(m: Outgoing): Promise<void> {
    const { view, clientId } = m;
    let renewed = false;
    await retrying(
      async () => {
        if (view.store.byClient(clientId)?.state === 'sent') return; // stored by an attempt whose answer was lost
        const session = (await this.#sessions.get(true))!;
        // A new anonymous visitor (the old session was gone) cannot write to the old conversation.
        if (view.owner && view.owner !== session.user_id) {
          view.id = null;
          view.owner = null;
        }
        await this.#sendIdentity();
        await this.#sendOnce(m, session);
      },
      (err, attempts) => {
        if (err instanceof ApiError && err.status === 401 && !renewed) {
          // The token was refused although it looked valid (revoked, clock skew): renew once.
          renewed = true;
          this.#sessions.invalidate();
          return 0;
        }
        if (!isTransient(err) || attempts >= MAX_ATTEMPTS) return null;
        if (isOffline()) this.#setBanner(this.#t('offline'));
        return backoffMs(attempts - 1, err instanceof ApiError ? err.retryAfter : undefined);
      },
    );
  }

  async #sendOnce({ clientId, content, view }: Outgoing, session: Session): Promise<void> {
    const { store } = view;
    const outcome = await this.#api.send(
      session.access_token,
      {
        website_id: this.#host.config.websiteId,
        conversation_id: view.id ?? undefined,
        content,
        client_id: clientId,
        locale: this.#host.config.locale ?? navigator.language,
        page_url: /^https?:$/.test(location.protocol) ? location.href.slice(0, 2048) : undefined,
      },
      {
        conversation: (id) => this.#adopt(view, id, session.user_id),
        message: (row) => {
          // Stored: nothing to send again, even if the page closes during the answer.
          this.#outbox.remove(clientId);
          this.#arrived(view, row, false);
          store.startStream(clientId);
        },
        delta: (text) => store.delta(clientId, text),
        done: (row) => {
          if (store.finishStream(clientId, { conversation_id: view.id ?? undefined, ...row, sender: row.sender ?? 'assistant' })) {
            this.#announce(view, row, true);
          }
        },
        error: (code) => {
          if (!store.streamError(clientId, code, this.#t('aiError'))) return;
          // It may be stored by now; later, realtime brings it (and a catch-up on every rejoin).
          void this.catchUp(view);
          // Not forever: the first attempt may die without an answer.
          setTimeout(() => store.abortStream(clientId), ANSWER_WAIT_MS);
        },
      },
    );
    if (outcome.kind === 'json') {
      this.#adopt(view, outcome.conversation_id, session.user_id);
      this.#arrived(view, outcome.message, false);
      view.aiMode = outcome.ai === 'paused' ? 'paused' : view.aiMode;
      if (outcome.ai === 'off' || outcome.ai === 'paused') {
        const offline = outcome.ai === 'off' ? this.#init?.website.offline_message : undefined;
        store.notice(`ai:${view.id}`, offline || this.#t('humanWillReply'));
      }
      this.#updateHeader();
      return;
    }
    if (!outcome.stored) throw new ApiError(0, 'stream_cut', 'The answer broke off before the message was stored');
    if (!outcome.finished) {
      // Cut mid-answer: the message is stored; a completed answer will come through realtime or catch-up.
      store.abortStream(clientId);
      void this.catchUp(view);
    }
  }

  async #accessToken(): Promise<string | null> {
    try {
      return (await this.#sessions.get(false))?.access_token ?? null;
    } catch {
      return this.#sessions.peek()?.access_token ?? null;
    }
  }

  // ── Rendering ──────────────────────────────────────────────────────────

  #scheduleRender(view: ConversationView): void {
    if (view !== this.#view || this.#renderQueued || !this.#isOpen) return;
    this.#renderQueued = true;
    // One redraw per frame however many deltas arrive; a microtask when the tab is hidden.
    const run = () => {
      this.#renderQueued = false;
      this.#render();
    };
    if (document.visibilityState === 'visible') requestAnimationFrame(run);
    else queueMicrotask(run);
  }

  /** Draws the shown conversation; only while open (opening draws what came meanwhile). */
  #render(): void {
    if (!this.#isOpen || !this.#messages) return;
    const list = this.#view.store.list();
    this.#messages.render(list);
    this.#saveSeen(list);
  }

  #applyInit(init: WidgetInit | null): void {
    if (!init?.website) return;
    this.#init = init;
    this.#viewContext.teamName = init.website.name ?? '';
    this.#applyInitToUi();
    this.#updateHeader();
    this.#render();
  }

  /** The website's placeholder and welcome message, once both the panel and the settings exist. */
  #applyInitToUi(): void {
    const website = this.#init?.website;
    if (!this.#ui || !website) return;
    if (website.input_placeholder) {
      this.#ui.input.placeholder = website.input_placeholder;
      this.#ui.input.setAttribute('aria-label', website.input_placeholder);
    }
    this.#messages!.setLead([this.#welcome()]);
  }

  async #retryInit(): Promise<void> {
    try {
      this.#applyInit(await this.#api.init());
    } catch {
      // Settings stay at their defaults; sending still works.
    }
  }

  #welcome(): HTMLElement {
    const website = this.#init?.website;
    const message: ChatMessage = {
      key: 'welcome', sender: 'agent', content: website?.welcome_message || this.#t('welcome'), authorName: website?.name,
      seen: false, state: 'sent', version: 0,
    };
    const el = renderMessage(message, this.#viewContext, false);
    el.classList.add('welcome');
    return el;
  }

  #updateHeader(): void {
    if (!this.#ui) return;
    const { title, subtitle, back, newConversation } = this.#ui;
    title.textContent = this.#init?.website.name || this.#t('chat');
    const aiAnswers = this.#init?.ai.enabled && this.#view.aiMode !== 'paused';
    subtitle.textContent = aiAnswers ? this.#t('ai') : '';
    back.hidden = this.#showingList || !this.#sessions.peek();
    newConversation.hidden = this.#showingList || !this.#view.id;
  }

  #describeLauncher(): void {
    describeLauncher(this.#host.launcher, this.#t, this.#isOpen, this.#attention?.unread ?? 0);
  }

  #watching(): boolean {
    return this.#isOpen && !this.#showingList && document.visibilityState === 'visible';
  }

  #formatTime(iso: string): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const today = date.toDateString() === new Date().toDateString();
    try {
      return new Intl.DateTimeFormat(this.#lang, today ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
    } catch {
      return date.toLocaleString();
    }
  }

  // ── Persistence ────────────────────────────────────────────────────────

  #save(seen?: ChatMessage): void {
    const session = this.#sessions.peek();
    if (!session || !this.#view.id) return;
    const key = storageKey(this.#host.config.websiteId, 'state');
    const previous = readJson<SavedState>(this.#storage, key);
    const keep = previous?.conversation_id === this.#view.id ? previous : undefined;
    const state: SavedState = { user_id: session.user_id, conversation_id: this.#view.id, seen: seen ? seen.id! : keep?.seen ?? null, seen_at: seen ? seen.createdAt : keep?.seen_at };
    this.#storage.set(key, JSON.stringify(state));
  }

  /** While the visitor watches, the last stored message shown is "seen" (unread counts start after it). */
  #saveSeen(list: ChatMessage[] = this.#view.store.list()): void {
    if (!this.#watching() || !this.#view.id) return;
    for (let i = list.length - 1; i >= 0; i--) {
      const last = list[i];
      if (!last.id) continue;
      this.#save(last);
      // Tell the team the visitor read their answers (only when something new from them was shown).
      if (last.sender !== 'user' && last.id !== this.#markedRead) this.#markRead(this.#view, last.id);
      return;
    }
  }

  #markRead(view: ConversationView, upTo: string): void {
    clearTimeout(this.#markReadTimer);
    this.#markReadTimer = setTimeout(async () => {
      const session = await this.#sessions.get(false).catch(() => null);
      if (!session || !view.id || view !== this.#view || !this.#watching()) return;
      this.#markedRead = upTo;
      await this.#api.markRead(session.access_token, view.id).catch(() => (this.#markedRead = null));
    }, 1000);
  }

  // ── Wiring ─────────────────────────────────────────────────────────────

  #wireUi(ui: PanelParts): void {
    ui.close.addEventListener('click', () => this.close());
    ui.back.addEventListener('click', () => void this.#showList());
    ui.newConversation.addEventListener('click', () => this.#startNew());
    ui.panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.close();
      this.#host.launcher.focus();
    });
    wireComposer(ui.form, ui.input, (text) => this.#submit(text), (typing) => this.#link.typing(typing));
  }
}

