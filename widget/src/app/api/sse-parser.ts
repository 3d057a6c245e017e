// A Server-Sent Events parser per the WHATWG spec's "event stream interpretation": bytes may be
// split anywhere (inside a UTF-8 character, between CR and LF, inside a field name), lines end
// in CRLF, LF or CR, `data:` lines of one event are joined with "\n", comments are ignored.

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  #decoder = new TextDecoder();
  #buffer = '';
  /** The previous chunk ended in CR: an LF at the start of the next one belongs to it. */
  #pendingCr = false;
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #first = true;
  readonly #onEvent: (event: SseEvent) => void;

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    // Half a UTF-8 character decodes to nothing yet; it must not clear the pending CR.
    if (!text) return;
    if (this.#first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.#first = false;
    }
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.#line(this.#buffer.slice(start, i));
      if (c === '\r') {
        if (i + 1 === this.#buffer.length) this.#pendingCr = true;
        else if (this.#buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
  }

  /** End of stream: an event not yet terminated by a blank line is discarded (per the spec). */
  end(): void {
    const rest = this.#decoder.decode();
    if (rest) this.push(rest);
    this.#buffer = '';
    this.#data = [];
    this.#event = '';
  }

  #line(line: string): void {
    if (line === '') {
      const data = this.#data.join('\n');
      // Per the spec an event whose data buffer is empty is not dispatched.
      if (data || this.#data.length > 1) this.#onEvent({ event: this.#event || 'message', data, id: this.#id });
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line[0] === ':') return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }
}
