// Phones: the open chat fills the *visual* viewport, so the on-screen keyboard shrinks the chat
// instead of pushing the page around, and the page behind neither scrolls nor keeps a shift
// once the chat closes. Sizes go in as custom properties through CSSOM (CSP-safe).

export const FULL_SCREEN_QUERY = '(max-width: 480px)';

export class ViewportFit {
  #active = false;
  #savedOverflow = '';
  #savedScroll = 0;
  readonly #panel: HTMLElement;
  readonly #update = () => {
    const vv = window.visualViewport;
    if (!vv) return;
    this.#panel.style.setProperty('--emily-vvh', `${Math.round(vv.height)}px`);
    this.#panel.style.setProperty('--emily-vvt', `${Math.round(vv.offsetTop)}px`);
  };

  constructor(panel: HTMLElement) {
    this.#panel = panel;
  }

  start(): void {
    if (this.#active || !matchMedia(FULL_SCREEN_QUERY).matches) return;
    this.#active = true;
    const root = document.documentElement;
    this.#savedOverflow = root.style.overflow;
    this.#savedScroll = window.scrollY;
    root.style.overflow = 'hidden';
    this.#update();
    window.visualViewport?.addEventListener('resize', this.#update);
    window.visualViewport?.addEventListener('scroll', this.#update);
  }

  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    window.visualViewport?.removeEventListener('resize', this.#update);
    window.visualViewport?.removeEventListener('scroll', this.#update);
    document.documentElement.style.overflow = this.#savedOverflow;
    if (window.scrollY !== this.#savedScroll) window.scrollTo(0, this.#savedScroll);
  }
}
