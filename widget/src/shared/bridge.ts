// The contract between the loader (on every page, tiny) and the chat app (fetched on demand).
// The app announces itself with a CustomEvent on its own <script> element, which only the loader
// holds: no global besides window.EmilyChat, no postMessage, nothing matched by content.

export const APP_READY_EVENT = 'emily:app';

export type WidgetEvent = 'ready' | 'open' | 'close' | 'message' | 'unread';

export interface EmbedConfig {
  websiteId: string;
  supabaseUrl: string;
  /** The embed's own; the app falls back to the one baked in at build time. */
  anonKey?: string;
  locale?: string;
  open?: boolean;
  /** 'left' or 'right'; defaults to the website's launcher_position, else right. */
  position?: 'left' | 'right';
  zIndex: number;
  /** Play a short tone for new messages while closed (off by default). */
  sound?: boolean;
}

export interface WebsiteSettings {
  id: string;
  name?: string;
  primary_color?: string;
  widget_style?: string;
  welcome_message?: string;
  input_placeholder?: string;
  offline_message?: string;
  launcher_position?: string;
  [key: string]: unknown;
}

export interface WidgetInit {
  website: WebsiteSettings;
  ai: { enabled: boolean; engine?: string };
}

export interface Identity {
  userId: string;
  userHash: string;
  name?: string;
  email?: string;
}

/** What the loader hands the app: the shadow root it drew the launcher in, and its event bus. */
export interface LoaderHost {
  config: EmbedConfig;
  /** widget-init's answer, null if it failed (the app retries), 'unknown' for a 404. */
  init: Promise<WidgetInit | null | 'unknown'>;
  root: ShadowRoot;
  /** The host element in the page (position/z-index live on it). */
  host: HTMLElement;
  launcher: HTMLButtonElement;
  emit(event: WidgetEvent, data?: unknown): void;
}

export interface AppApi {
  /** `focus`: whether to move the focus into the chat; left out, only when the visitor asked (a click, a key). */
  open(focus?: boolean): void;
  close(): void;
  toggle(): void;
  identify(identity: Identity): void;
  reset(): void;
}

export type StartApp = (host: LoaderHost) => AppApi;
