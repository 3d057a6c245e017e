// Keeps the log's DOM in step with the store: one element per message key, redrawn only when its
// version changes, moved only when the order changes. Stays pinned to the bottom while the
// visitor is there; leaves the scroll alone while they read older messages.
import type { ChatMessage } from '../store/message-store.ts';
import { renderMessage, type MessageViewContext } from './message-view.ts';

export class MessageList {
  #nodes = new Map<string, { el: HTMLElement; version: number; seen: boolean }>();
  #lead: HTMLElement[] = [];
  readonly #log: HTMLElement;
  readonly #ctx: MessageViewContext;

  constructor(log: HTMLElement, ctx: MessageViewContext) {
    this.#log = log;
    this.#ctx = ctx;
  }

  /** Elements shown above the messages (the welcome message). */
  setLead(elements: HTMLElement[]): void {
    for (const el of this.#lead) el.remove();
    this.#lead = elements;
    this.#log.prepend(...elements);
  }

  clear(): void {
    for (const { el } of this.#nodes.values()) el.remove();
    this.#nodes.clear();
  }

  render(messages: ChatMessage[]): void {
    const atBottom = this.#log.scrollHeight - this.#log.scrollTop - this.#log.clientHeight < 40;
    // "Seen" goes under the visitor's last message that a team member has seen.
    let seenKey: string | undefined;
    for (const m of messages) if (m.sender === 'user' && m.seen) seenKey = m.key;
    const keep = new Set<string>();
    let previous: Element | null = this.#lead[this.#lead.length - 1] ?? null;
    for (const m of messages) {
      keep.add(m.key);
      const showSeen = m.key === seenKey;
      let node = this.#nodes.get(m.key);
      if (!node || node.version !== m.version || node.seen !== showSeen) {
        const el = renderMessage(m, this.#ctx, showSeen);
        if (node) node.el.replaceWith(el);
        node = { el, version: m.version, seen: showSeen };
        this.#nodes.set(m.key, node);
      }
      const expected: Element | null = previous ? previous.nextElementSibling : this.#log.firstElementChild;
      if (expected !== node.el) {
        if (previous) previous.after(node.el);
        else this.#log.prepend(node.el);
      }
      previous = node.el;
    }
    for (const [key, node] of this.#nodes) {
      if (!keep.has(key)) {
        node.el.remove();
        this.#nodes.delete(key);
      }
    }
    if (atBottom) this.#log.scrollTop = this.#log.scrollHeight;
  }

  scrollToEnd(): void {
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}
