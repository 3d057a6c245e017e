// The chat app: wires the visitor session, the Edge Functions, the realtime link and the message
// store to the panel, and implements the JS API the loader exposes (open, close, toggle,
// identify, reset). Messages are reconciled by id and client_id only; the database is read again
// whenever the socket (re)joins, the tab becomes visible or the network returns.
import { addStyles } from '../shared/adopt-styles.ts';
import type { AppApi, Identity, LoaderHost, WidgetInit } from '../shared/bridge.ts';
import { CHAT_ICON } from '../shared/icons.ts';
import { ApiError, widgetApi, type IdentityPayload, type WidgetApi } from './api/widget-api.ts';
import { ConversationView } from './conversation-view.ts';
import { languageFor, translator, type Translate } from './i18n/index.ts';
import { Attention } from './notify/attention.ts';
import { ConversationLink, type LinkHandlers } from './realtime/conversation-link.ts';
import { backoffMs, isOffline, MAX_ATTEMPTS, retrying } from './retry.ts';
import { AuthError, authApi, type Session } from './session/auth-api.ts';
import { SessionStore } from './session/session-store.ts';
import { browserStorage, readJson, storageKey, type KeyValue } from './session/storage.ts';
import type { ChatMessage, MessageRow } from './store/message-store.ts';
import { renderConversationList } from './ui/conversation-list.ts';
import { wireComposer } from './ui/composer.ts';
import { ICONS } from './ui/dom.ts';
import { MessageList } from './ui/message-list.ts';
import { renderMessage, type MessageViewContext } from './ui/message-view.ts';
import { buildPanel, type PanelParts } from './ui/panel.ts';
import { PANEL_CSS } from './ui/styles.ts';
import { ViewportFit } from './ui/viewport.ts';
import { uuidv4 } from './uuid.ts';

/** A team member's "typing…" disappears after this long without a fresh typing event. */
export const TYPING_TIMEOUT_MS = 6000;

/** What the widget remembers per website besides the session: the open conversation and how far it was read. */
interface SavedState {
  user_id: string;
  conversation_id: string | null;
  seen: string | null;
}

interface Outgoing {
  clientId: string;
  content: string;
  view: ConversationView;
}

export class Chat implements AppApi {
  private readonly t: Translate;
  private readonly lang: string;
  private readonly storage: KeyValue;
  private readonly sessions: SessionStore;
  private readonly api: WidgetApi;
  private readonly link: ConversationLink;
  private readonly ui: PanelParts;
  private readonly attention: Attention;
  private readonly viewport: ViewportFit;
  private readonly messages: MessageList;
  private readonly viewContext: MessageViewContext;
  private init: WidgetInit | null = null;
  private view: ConversationView;
  private isOpen = false;
  private showingList = false;
  private identity: IdentityPayload | undefined;
  /** visitor + identity last sent to widget-identify, so it is sent once per pair. */
  private identifiedAs: string | undefined;
  /** The last message id reported read (mark_conversation_read). */
  private markedRead: string | null = null;
  private markReadTimer: ReturnType<typeof setTimeout> | undefined;
  private outbox: Outgoing[] = [];
  private sending = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private renderQueued = false;

  constructor(private readonly host: LoaderHost) {
    const { config } = host;
    this.lang = languageFor(config.locale);
    this.t = translator(this.lang as Parameters<typeof translator>[0]);
    this.storage = browserStorage();
    this.sessions = new SessionStore(config.websiteId, this.storage, authApi(config.supabaseUrl, config.anonKey));
    this.api = widgetApi(config.supabaseUrl, config.anonKey, config.websiteId);
    this.link = new ConversationLink(config.supabaseUrl, config.anonKey, () => this.accessToken());

    addStyles(host.root, PANEL_CSS);
    this.ui = buildPanel(this.t);
    host.root.appendChild(this.ui.panel);
    this.viewport = new ViewportFit(this.ui.panel);
    this.attention = new Attention(host.badge, () => this.describeLauncher(), host.emit, config.sound === true);
    this.viewContext = {
      t: this.t,
      teamName: '',
      formatTime: (iso) => this.formatTime(iso),
      retry: (clientId) => this.retry(clientId),
    };
    this.messages = new MessageList(this.ui.log, this.viewContext);
    this.view = this.newView(null, null);
    this.wireUi();
    this.describeLauncher();

    void host.init.then((init) => this.applyInit(init === 'unknown' ? null : init));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      if (this.watching()) this.attention.clear();
      void this.catchUp();
    });
    addEventListener('online', () => {
      this.ui.banner.textContent = '';
      void this.catchUp();
    });
    addEventListener('offline', () => (this.ui.banner.textContent = this.t('offline')));
    this.restore();
  }

  // ── JS API ──────────────────────────────────────────────────────────────

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    const { panel } = this.ui;
    panel.hidden = false;
    requestAnimationFrame(() => panel.classList.add('open'));
    this.attention.unlockAudio();
    this.attention.clear();
    this.viewport.start();
    this.link.setPresent(true);
    this.describeLauncher();
    if (this.view.id && !this.view.historyLoaded) void this.loadHistory(this.view);
    if (!this.init) void this.retryInit();
    this.saveSeen();
    // Move focus only when the visitor asked (a click, a key), not for `open: true` at page load.
    if ((navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? true) {
      requestAnimationFrame(() => (this.showingList ? this.ui.list.querySelector('button') : this.ui.input)?.focus());
    }
    this.host.emit('open');
  }

  close(): void {
    if (!this.isOpen) return;
    const hadFocus = this.ui.panel.contains(this.host.root.activeElement);
    this.isOpen = false;
    this.ui.panel.classList.remove('open');
    this.ui.panel.hidden = true;
    this.viewport.stop();
    this.link.setPresent(false);
    this.describeLauncher();
    if (hadFocus) this.host.launcher.focus();
    this.host.emit('close');
  }

  toggle(): void {
    if (this.isOpen) this.close();
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
    this.identity = { user_id: userId, user_hash: userHash, name: str(identity.name, 200), email: str(identity.email) };
    void this.sendIdentity();
  }

  /**
   * identify() reaches the server through widget-identify once the visitor has a session (the
   * first message creates it; identify alone never does). An identity whose hash does not verify
   * is refused there and the visitor stays anonymous.
   */
  private async sendIdentity(): Promise<void> {
    const identity = this.identity;
    if (!identity || !this.sessions.peek()) return;
    const session = await this.sessions.get(false).catch(() => null);
    if (!session) return;
    const key = `${session.user_id} ${identity.user_id} ${identity.user_hash}`;
    if (this.identifiedAs === key) return;
    this.identifiedAs = key;
    try {
      await this.api.identify(session.access_token, identity);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) console.warn('[Emily] identify(): userHash does not verify; the visitor stays anonymous');
      else this.identifiedAs = undefined;
    }
  }

  reset(): void {
    const old = this.sessions.clear();
    if (old) void authApi(this.host.config.supabaseUrl, this.host.config.anonKey).logout(old.access_token).catch(() => {});
    this.storage.remove(storageKey(this.host.config.websiteId, 'state'));
    this.identity = this.identifiedAs = undefined;
    this.markedRead = null;
    this.outbox = [];
    this.link.close();
    this.attention.clear();
    this.showConversation(this.newView(null, null));
  }

  // ── Conversations ──────────────────────────────────────────────────────

  private newView(id: string | null, owner: string | null): ConversationView {
    const view: ConversationView = new ConversationView(id, owner, () => this.scheduleRender(view));
    return view;
  }

  /** Page load: pick up the visitor's open conversation, if the stored session can still read it. */
  private restore(): void {
    const session = this.sessions.peek();
    const saved = readJson<SavedState>(this.storage, storageKey(this.host.config.websiteId, 'state'));
    if (!session || !saved?.conversation_id || saved.user_id !== session.user_id) return;
    const view = this.newView(saved.conversation_id, session.user_id);
    // Closed: read only what came after what the visitor last saw (it counts as unread).
    view.cursor = saved.seen;
    this.markedRead = saved.seen;
    this.showConversation(view);
  }

  private showConversation(view: ConversationView): void {
    this.view = view;
    this.showingList = false;
    this.ui.list.hidden = true;
    this.ui.chat.hidden = false;
    this.messages.clear();
    this.clearTyping();
    if (view.id) {
      void this.link.follow(view.id, this.linkHandlers(view));
      this.save();
      if (this.isOpen && !view.historyLoaded) void this.loadHistory(view);
    } else {
      this.link.leave();
    }
    this.render();
    this.updateHeader();
  }

  private async showList(): Promise<void> {
    this.showingList = true;
    this.ui.chat.hidden = true;
    this.ui.list.hidden = false;
    this.updateHeader();
    const draw = (conversations: Parameters<typeof renderConversationList>[1]) =>
      renderConversationList(this.ui.list, conversations, this.t, (iso) => this.formatTime(iso), (id) => this.pickConversation(id), () => this.startNew());
    draw([]).focus();
    const session = await this.sessions.get(false).catch(() => null);
    if (!session) return;
    try {
      const conversations = await this.api.conversations(session.access_token);
      if (this.showingList) draw(conversations).focus();
    } catch {
      this.ui.banner.textContent = this.t('error');
    }
  }

  private pickConversation(id: string): void {
    const session = this.sessions.peek();
    this.showConversation(id === this.view.id ? this.view : this.newView(id, session?.user_id ?? null));
    this.ui.input.focus();
  }

  private startNew(): void {
    this.showConversation(this.newView(null, null));
    this.ui.input.focus();
  }

  /** The server named the conversation a message went to (a new one, usually). */
  private adopt(view: ConversationView, id: string, owner: string): void {
    if (view.id === id) return;
    view.id = id;
    view.owner = owner;
    if (view === this.view) {
      void this.link.follow(id, this.linkHandlers(view));
      this.save();
      this.updateHeader();
    }
  }

  private linkHandlers(view: ConversationView): LinkHandlers {
    return {
      message: (row) => {
        // The reply the team member was typing has arrived.
        if (row.sender === 'agent' && !view.store.has(row.id)) this.clearTyping();
        this.arrived(view, row, true);
      },
      conversation: (row) => {
        view.aiMode = row.ai_mode ?? view.aiMode;
        view.store.markSeenUntil(row.agent_last_read_at as string | undefined);
        this.updateHeader();
      },
      typing: (sender, typing, name) => {
        if (sender === 'user' || view !== this.view) return;
        this.clearTyping();
        if (!typing) return;
        this.ui.typing.textContent = this.t('typing', { name: name || this.viewContext.teamName || this.t('team') });
        this.typingTimer = setTimeout(() => this.clearTyping(), TYPING_TIMEOUT_MS);
      },
      // Every (re)join: read what the socket may have missed.
      subscribed: () => void this.catchUp(view),
    };
  }

  private clearTyping(): void {
    clearTimeout(this.typingTimer);
    this.ui.typing.textContent = '';
  }

  // ── Reading from the database ──────────────────────────────────────────

  /** The session that can read `view`, or null (and the view reset) when the visitor is gone. */
  private async readerFor(view: ConversationView): Promise<Session | null> {
    const session = await this.sessions.get(false);
    if (session && (!view.owner || view.owner === session.user_id)) return session;
    if (view === this.view) {
      this.storage.remove(storageKey(this.host.config.websiteId, 'state'));
      this.showConversation(this.newView(null, null));
    }
    return null;
  }

  /** Pages through widget-conversations/ID/messages; null when it cannot be read (the view may reset). */
  private async fetchMessages(view: ConversationView, after: string | null): Promise<MessageRow[] | null> {
    const session = await this.readerFor(view).catch(() => null);
    if (!session || !view.id) return null;
    const rows: MessageRow[] = [];
    try {
      // Bounded: 50 pages of 200 is far more than any one conversation holds.
      for (let page = 0, cursor = after; page < 50; page++) {
        const { messages, has_more } = await this.api.messages(session.access_token, view.id, cursor);
        rows.push(...messages);
        if (!has_more || !messages.length) break;
        cursor = messages[messages.length - 1].id;
      }
      return rows;
    } catch (err) {
      if (!(err instanceof ApiError)) return null;
      if (err.code === 'unknown_message' && after) {
        // The cursor is not in this conversation (any more): read the whole history instead.
        view.cursor = null;
        return this.fetchMessages(view, null);
      }
      if (err.status === 404 && view === this.view) {
        // Not ours (any more): start afresh rather than show an error forever.
        this.storage.remove(storageKey(this.host.config.websiteId, 'state'));
        this.showConversation(this.newView(null, null));
      }
      if (err.status === 401) this.sessions.invalidate();
      return null;
    }
  }

  private loadHistory(view: ConversationView): Promise<void> {
    return view.serialise(async () => {
      if (view.historyLoaded) return;
      const rows = await this.fetchMessages(view, null);
      if (!rows) return;
      void this.loadConversationState(view);
      view.store.upsertMany(rows);
      view.historyLoaded = true;
      if (rows.length) view.cursor = rows[rows.length - 1].id;
      this.messages.scrollToEnd();
    });
  }

  /** AI mode and the team's read marker ("seen"), which realtime only reports when they change. */
  private async loadConversationState(view: ConversationView): Promise<void> {
    const session = this.sessions.peek();
    if (!session || !view.id) return;
    const row = await this.api.conversation(session.access_token, view.id).catch(() => null);
    if (!row) return;
    view.aiMode = row.ai_mode ?? view.aiMode;
    view.store.markSeenUntil(row.agent_last_read_at);
    this.updateHeader();
  }

  /** Everything stored after the cursor: on (re)subscribe, on visibility, on reconnection. */
  catchUp(view: ConversationView = this.view): Promise<void> {
    if (!view.id) return Promise.resolve();
    return view.serialise(async () => {
      const after = view.cursor;
      const rows = await this.fetchMessages(view, after);
      if (!rows) return;
      if (!after || !view.cursor) {
        // A whole history: nothing in it is news.
        view.store.upsertMany(rows);
        view.historyLoaded = true;
      } else {
        for (const row of rows) this.arrived(view, row, true);
      }
      if (rows.length) view.cursor = rows[rows.length - 1].id;
    });
  }

  /** A stored message reached us: shown once, announced, counted as unread when nobody watches. */
  private arrived(view: ConversationView, row: MessageRow, live: boolean): void {
    const result = view.store.upsert(row);
    if (result === 'added' || result === 'confirmed') this.announce(view, row, result === 'added' && live);
  }

  private announce(view: ConversationView, row: MessageRow, fromOthers: boolean): void {
    this.host.emit('message', { id: row.id, conversation_id: view.id, sender: row.sender, content: row.content, created_at: row.created_at });
    if (!fromOthers || row.sender === 'user') return;
    if (view === this.view && this.watching()) {
      const label = row.sender === 'assistant' ? this.t('ai') : row.author_name || this.viewContext.teamName || this.t('team');
      this.ui.announcer.textContent = `${label}: ${row.content}`;
    } else {
      this.attention.add(1);
    }
  }

  // ── Sending ────────────────────────────────────────────────────────────

  private submit(text: string): void {
    const clientId = uuidv4();
    this.view.store.addPending(clientId, text);
    this.messages.scrollToEnd();
    this.link.typing(false);
    this.enqueue({ clientId, content: text, view: this.view });
  }

  private retry(clientId: string): void {
    const message = this.view.store.byClient(clientId);
    if (!message || message.state !== 'failed') return;
    this.view.store.setState(clientId, 'sending');
    this.enqueue({ clientId, content: message.content, view: this.view });
  }

  /** One send at a time, in order: a new conversation gets its id from the first. */
  private enqueue(message: Outgoing): void {
    this.outbox.push(message);
    if (this.sending) return;
    this.sending = true;
    void (async () => {
      for (let next = this.outbox.shift(); next; next = this.outbox.shift()) {
        try {
          await this.deliver(next);
        } catch {
          next.view.store.setState(next.clientId, 'failed');
        }
      }
      this.sending = false;
    })();
  }

  /** Sends one message with its client_id, retrying (same client_id) while the failure is transient. */
  private async deliver(m: Outgoing): Promise<void> {
    const { view, clientId } = m;
    let renewed = false;
    await retrying(
      async () => {
        if (view.store.byClient(clientId)?.state === 'sent') return; // stored by an attempt whose answer was lost
        const session = (await this.sessions.get(true))!;
        // A new anonymous visitor (the old session was gone) cannot write to the old conversation.
        if (view.owner && view.owner !== session.user_id) {
          view.id = null;
          view.owner = null;
        }
        await this.sendIdentity();
        await this.sendOnce(m, session);
      },
      (err, attempts) => {
        if (err instanceof ApiError && err.status === 401 && !renewed) {
          // The token was refused although it looked valid (revoked, clock skew): renew once.
          renewed = true;
          this.sessions.invalidate();
          return 0;
        }
        const transient = (err instanceof ApiError && err.transient) || (err instanceof AuthError && !err.permanent);
        if (!transient || attempts >= MAX_ATTEMPTS) return null;
        if (isOffline()) this.ui.banner.textContent = this.t('offline');
        return backoffMs(attempts - 1, err instanceof ApiError ? err.retryAfter : undefined);
      },
    );
  }

  private async sendOnce({ clientId, content, view }: Outgoing, session: Session): Promise<void> {
    const { store } = view;
    const outcome = await this.api.send(
      session.access_token,
      {
        website_id: this.host.config.websiteId,
        conversation_id: view.id ?? undefined,
        content,
        client_id: clientId,
        locale: this.host.config.locale ?? navigator.language,
        page_url: /^https?:$/.test(location.protocol) ? location.href.slice(0, 2048) : undefined,
      },
      {
        conversation: (id) => this.adopt(view, id, session.user_id),
        message: (row) => {
          this.arrived(view, row, false);
          store.startStream(clientId);
        },
        delta: (text) => store.delta(clientId, text),
        done: (row) => {
          if (store.finishStream(clientId, { conversation_id: view.id ?? undefined, ...row, sender: row.sender ?? 'assistant' })) {
            this.announce(view, row, true);
          }
        },
        error: () => {
          store.abortStream(clientId);
          store.notice(`error:${clientId}`, this.t('aiError'));
        },
      },
    );
    if (outcome.kind === 'json') {
      this.adopt(view, outcome.conversation_id, session.user_id);
      this.arrived(view, outcome.message, false);
      view.aiMode = outcome.ai === 'paused' ? 'paused' : view.aiMode;
      if (outcome.ai === 'off' || outcome.ai === 'paused') {
        const offline = outcome.ai === 'off' ? this.init?.website.offline_message : undefined;
        store.notice(`ai:${view.id}`, offline || this.t('humanWillReply'));
      }
      this.updateHeader();
      return;
    }
    if (!outcome.stored) throw new ApiError(0, 'stream_cut', 'The answer broke off before the message was stored');
    if (!outcome.finished) {
      // Cut mid-answer: the message is stored; a completed answer will come through realtime or catch-up.
      store.abortStream(clientId);
      void this.catchUp(view);
    }
  }

  private async accessToken(): Promise<string | null> {
    try {
      return (await this.sessions.get(false))?.access_token ?? null;
    } catch {
      return this.sessions.peek()?.access_token ?? null;
    }
  }

  // ── Rendering ──────────────────────────────────────────────────────────

  private scheduleRender(view: ConversationView): void {
    if (view !== this.view || this.renderQueued) return;
    this.renderQueued = true;
    // One redraw per frame however many deltas arrive; a microtask when the tab is hidden.
    const run = () => {
      this.renderQueued = false;
      this.render();
    };
    if (document.visibilityState === 'visible') requestAnimationFrame(run);
    else queueMicrotask(run);
  }

  private render(): void {
    const list = this.view.store.list();
    this.messages.render(list);
    this.saveSeen(list);
  }

  private applyInit(init: WidgetInit | null): void {
    if (!init?.website) return;
    this.init = init;
    this.viewContext.teamName = init.website.name ?? '';
    if (init.website.input_placeholder) {
      this.ui.input.placeholder = init.website.input_placeholder;
      this.ui.input.setAttribute('aria-label', init.website.input_placeholder);
    }
    this.updateHeader();
    this.messages.setLead([this.welcome()]);
    this.render();
  }

  private async retryInit(): Promise<void> {
    try {
      this.applyInit(await this.api.init());
    } catch {
      // Settings stay at their defaults; sending still works.
    }
  }

  private welcome(): HTMLElement {
    const website = this.init?.website;
    const message: ChatMessage = {
      key: 'welcome', sender: 'agent', content: website?.welcome_message || this.t('welcome'), authorName: website?.name,
      seen: false, state: 'sent', version: 0,
    };
    const el = renderMessage(message, this.viewContext, false);
    el.classList.add('welcome');
    return el;
  }

  private updateHeader(): void {
    const { title, subtitle, back, newConversation } = this.ui;
    title.textContent = this.init?.website.name || this.t('chat');
    const aiAnswers = this.init?.ai.enabled && this.view.aiMode !== 'paused';
    subtitle.textContent = aiAnswers ? this.t('ai') : '';
    back.hidden = this.showingList || !this.sessions.peek();
    newConversation.hidden = this.showingList || !this.view.id;
  }

  private describeLauncher(): void {
    const { launcher } = this.host;
    const unread = this.attention?.unread ?? 0;
    launcher.setAttribute('aria-expanded', String(this.isOpen));
    launcher.setAttribute('aria-label', this.isOpen ? this.t('close') : unread ? `${this.t('open')} (${this.t('unread', { n: unread })})` : this.t('open'));
    launcher.querySelector('path')?.setAttribute('d', this.isOpen ? ICONS.close : CHAT_ICON);
  }

  private watching(): boolean {
    return this.isOpen && !this.showingList && document.visibilityState === 'visible';
  }

  private formatTime(iso: string): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const today = date.toDateString() === new Date().toDateString();
    try {
      return new Intl.DateTimeFormat(this.lang, today ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
    } catch {
      return date.toLocaleString();
    }
  }

  // ── Persistence ────────────────────────────────────────────────────────

  private save(seen?: string | null): void {
    const session = this.sessions.peek();
    if (!session || !this.view.id) return;
    const key = storageKey(this.host.config.websiteId, 'state');
    const previous = readJson<SavedState>(this.storage, key);
    const keepSeen = previous?.conversation_id === this.view.id ? previous.seen : null;
    const state: SavedState = { user_id: session.user_id, conversation_id: this.view.id, seen: seen === undefined ? keepSeen : seen };
    this.storage.set(key, JSON.stringify(state));
  }

  /** While the visitor watches, the last stored message shown is "seen" (unread counts start after it). */
  private saveSeen(list: ChatMessage[] = this.view.store.list()): void {
    if (!this.watching() || !this.view.id) return;
    for (let i = list.length - 1; i >= 0; i--) {
      const last = list[i];
      if (!last.id) continue;
      this.save(last.id);
      // Tell the team the visitor read their answers (only when something new from them was shown).
      if (last.sender !== 'user' && last.id !== this.markedRead) this.markRead(this.view, last.id);
      return;
    }
  }

  private markRead(view: ConversationView, upTo: string): void {
    clearTimeout(this.markReadTimer);
    this.markReadTimer = setTimeout(async () => {
      const session = await this.sessions.get(false).catch(() => null);
      if (!session || !view.id || view !== this.view || !this.watching()) return;
      this.markedRead = upTo;
      await this.api.markRead(session.access_token, view.id).catch(() => (this.markedRead = null));
    }, 1000);
  }

  // ── Wiring ─────────────────────────────────────────────────────────────

  private wireUi(): void {
    const { ui } = this;
    ui.close.addEventListener('click', () => this.close());
    ui.back.addEventListener('click', () => void this.showList());
    ui.newConversation.addEventListener('click', () => this.startNew());
    ui.panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.close();
      this.host.launcher.focus();
    });
    wireComposer(ui.form, ui.input, (text) => this.submit(text), (typing) => this.link.typing(typing));
  }
}

export function startApp(host: LoaderHost): AppApi {
  return new Chat(host);
}
