// What tells a visitor something arrived while the chat was closed or the tab hidden: a count on
// the launcher, "(2) " before the page title (restored on open), an optional short tone made
// with Web Audio (no sound file), and the `unread` event for the host page.
import type { WidgetEvent } from '../../shared/bridge.ts';

const TITLE_PREFIX = /^\(\d+\) /;

export class Attention {
  #count = 0;
  #prefixed = false;
  #audio: AudioContext | undefined;
  readonly #badge: HTMLElement;
  readonly #describe: (count: number) => void;
  readonly #emit: (event: WidgetEvent, data?: unknown) => void;
  readonly #sound: boolean;

  constructor(badge: HTMLElement, describe: (count: number) => void, emit: (event: WidgetEvent, data?: unknown) => void, sound: boolean) {
    this.#badge = badge;
    this.#describe = describe;
    this.#emit = emit;
    this.#sound = sound;
  }

  get unread(): number {
    return this.#count;
  }

  add(n = 1): void {
    if (n <= 0) return;
    this.#count += n;
    this.#show();
    if (this.#sound) this.#tone();
  }

  clear(): void {
    if (!this.#count && !this.#prefixed) return;
    this.#count = 0;
    this.#show();
  }

  /** Audio may only start after a user gesture: call this from one (opening the chat). */
  unlockAudio(): void {
    if (!this.#sound) return;
    try {
      this.#audio ??= new AudioContext();
      void this.#audio.resume();
    } catch {
      // No Web Audio: no sound.
    }
  }

  #show(): void {
    this.#badge.textContent = this.#count ? String(Math.min(this.#count, 99)) : '';
    this.#describe(this.#count);
    // Only ever touch our own prefix, so a title the page changes meanwhile is kept.
    const base = this.#prefixed ? document.title.replace(TITLE_PREFIX, '') : document.title;
    document.title = this.#count ? `(${this.#count}) ${base}` : base;
    this.#prefixed = this.#count > 0;
    this.#emit('unread', { count: this.#count });
  }

  #tone(): void {
    try {
      this.#audio ??= new AudioContext();
      const ctx = this.#audio;
      const t = ctx.currentTime;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(1175, t + 0.09);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.12, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.32);
    } catch {
      // Autoplay refused or no Web Audio: silence is fine.
    }
  }
}
