// The widget's Edge Functions (contract §4): widget-init, widget-conversations and the streaming
// widget-messages. Errors become ApiError with the server's {error: {code, message}}.
import type { WidgetInit } from '../../shared/bridge.ts';
import type { MessageRow } from '../store/message-store.ts';
import { SseParser } from './sse-parser.ts';

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when no answer arrived (offline, DNS, connection reset). */
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from Retry-After on 429/503. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /** Worth trying again later with the same request. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface ConversationSummary {
  id: string;
  title?: string | null;
  last_message?: { content: string; sender: string; created_at: string } | null;
  updated_at?: string;
  ai_mode?: 'auto' | 'paused' | string;
  /** AI and team messages the visitor has not read. */
  unread?: number;
}

/** identify() as widget-identify takes it (contract §3): user_hash = hex HMAC-SHA256(user_id, website secret). */
export interface IdentityPayload {
  user_id: string;
  user_hash: string;
  name?: string;
  email?: string;
}

export interface SendBody {
  website_id: string;
  conversation_id?: string;
  content: string;
  client_id: string;
  /** The visitor's language, so the AI answers in it. */
  locale?: string;
  /** The page the visitor writes from (shown to the team). */
  page_url?: string;
}

/** What the widget shows around a conversation's messages. */
export interface ConversationState {
  ai_mode?: string;
  /** The team's read marker: visitor messages up to it are "Seen". */
  agent_last_read_at?: string | null;
}

export interface MessagePage {
  messages: MessageRow[];
  has_more: boolean;
  /** With a whole history (no `after`). */
  conversation?: ConversationState;
}

export interface StreamHandlers {
  conversation(id: string): void;
  message(row: MessageRow): void;
  delta(text: string): void;
  done(row: MessageRow): void;
  error(code: string, message: string): void;
}

export type SendOutcome =
  | { kind: 'stream'; stored: boolean; finished: boolean }
  | { kind: 'json'; conversation_id: string; message: MessageRow; ai: string };

export interface WidgetApi {
  init(): Promise<WidgetInit>;
  conversations(token: string): Promise<ConversationSummary[]>;
  messages(token: string, conversationId: string, after?: string | null): Promise<MessagePage>;
  send(token: string, body: SendBody, handlers: StreamHandlers, signal?: AbortSignal): Promise<SendOutcome>;
  identify(token: string, identity: IdentityPayload): Promise<void>;
  /** The visitor has read the conversation (resets its unread count for the team's view). */
  markRead(token: string, conversationId: string): Promise<void>;
}

export function widgetApi(supabaseUrl: string, anonKey: string, websiteId: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): WidgetApi {
  const base = `${supabaseUrl}/functions/v1`;

  /** Any answer but a 2xx becomes an ApiError with the server's {error: {code, message}}; no answer, status 0. */
  const call = async (url: string, init?: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetchImpl(url, init);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network', String(err));
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      const retry = Number(res.headers.get('retry-after'));
      throw new ApiError(res.status, body?.error?.code ?? 'http_' + res.status, body?.error?.message ?? res.statusText, Number.isFinite(retry) ? retry : undefined);
    }
    return res;
  };
  /** As the visitor: an Edge Function (`/functions/v1` + path) or PostgREST (a full URL). */
  const request = (path: string, token: string, init: RequestInit = {}) =>
    call(path[0] === '/' ? base + path : path, {
      ...init,
      headers: { apikey: anonKey, authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    });
  const json = async <T>(res: Response): Promise<T> => {
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError(502, 'bad_json', 'The server answered with invalid JSON');
    }
  };

  return {
    async init() {
      // Public and cacheable: no headers, so no preflight and the loader's cached answer is reused.
      return json<WidgetInit>(await call(`${base}/widget-init?website_id=${websiteId}`));
    },
    async conversations(token) {
      const res = await request(`/widget-conversations?website_id=${encodeURIComponent(websiteId)}`, token);
      return (await json<{ conversations?: ConversationSummary[] }>(res)).conversations ?? [];
    },
    async messages(token, conversationId, after) {
      const query = after ? `?after=${encodeURIComponent(after)}` : '';
      const res = await request(`/widget-conversations/${encodeURIComponent(conversationId)}/messages${query}`, token);
      const page = await json<Partial<MessagePage>>(res);
      return { messages: page.messages ?? [], has_more: page.has_more === true, conversation: page.conversation };
    },
    async identify(token, identity) {
      await request('/widget-identify', token, { method: 'POST', body: JSON.stringify({ website_id: websiteId, ...identity }) });
    },
    async markRead(token, conversationId) {
      await request(`${supabaseUrl}/rest/v1/rpc/mark_conversation_read`, token, { method: 'POST', body: JSON.stringify({ conv_id: conversationId }) });
    },
    async send(token, body, handlers, signal) {
      const res = await request('/widget-messages', token, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { accept: 'text/event-stream, application/json' },
        signal,
      });
      if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        return { kind: 'json', ...(await json<{ conversation_id: string; message: MessageRow; ai: string }>(res)) };
      }
      return readStream(res, handlers);
    },
  };
}

/** Feeds the SSE answer to the handlers. A stream that breaks off is reported, not thrown. */
async function readStream(res: Response, handlers: StreamHandlers): Promise<SendOutcome> {
  const outcome = { kind: 'stream' as const, stored: false, finished: false };
  const parser = new SseParser(({ event, data }) => {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'conversation' && typeof payload.conversation_id === 'string') handlers.conversation(payload.conversation_id);
    else if (event === 'message') {
      outcome.stored = true;
      handlers.message(payload as unknown as MessageRow);
    } else if (event === 'delta' && typeof payload.text === 'string') handlers.delta(payload.text);
    else if (event === 'done' && payload.message) {
      outcome.finished = true;
      handlers.done(payload.message as MessageRow);
    } else if (event === 'error') {
      outcome.finished = true;
      handlers.error(String(payload.code ?? 'error'), String(payload.message ?? ''));
    }
  });
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    parser.end();
  } catch {
    // The connection dropped mid-answer: whatever was stored arrives by realtime or catch-up.
  }
  return outcome;
}
