// The website's `widget_style` (websites.widget_style, from widget-init): how the launcher and the
// panel look. The loader puts the style's name on the launcher as a class, `s-NAME`; the panel's
// rules follow it with `.s-NAME~.panel`. Anything unknown is drawn as the default, 'bubble'.
//   bubble   round icon launcher, the panel above it
//   pill     a labelled launcher ("Chat with us" in the visitor's language)
//   tab      a labelled tab on the bottom edge of the window
//   compact  a small square launcher and a smaller panel with square corners
// The backoffice's style picker offers this very list (backoffice/src/lib/settings-form.ts): a new
// style is named here only; the backoffice's type check then asks for the words describing it.
export const WIDGET_STYLES = ['bubble', 'pill', 'tab', 'compact'] as const;
export type WidgetStyle = (typeof WIDGET_STYLES)[number];

export function widgetStyle(value: unknown): WidgetStyle {
  return (WIDGET_STYLES as readonly unknown[]).includes(value) ? (value as WidgetStyle) : 'bubble';
}

/** Styles whose launcher shows words, not only an icon. */
export function isLabelled(launcher: Element): boolean {
  return launcher.classList.contains('s-pill') || launcher.classList.contains('s-tab');
}
