// WCAG 2.x contrast: pick a readable text colour for the site's brand colour automatically.
type Rgb = [number, number, number];

/** Parses #rgb or #rrggbb (what the backoffice's colour picker stores) into [r, g, b], or null. */
export function parseColor(input: string | undefined | null): Rgb | null {
  const m = /^#([\da-f]{3}|[\da-f]{6})$/i.exec(input?.trim() ?? '');
  if (!m) return null;
  const hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

/** WCAG relative luminance, 0 (black) to 1 (white). */
export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export const LIGHT_TEXT = '#fff';
export const DARK_TEXT = '#111827';
export const DEFAULT_PRIMARY = '#2563eb';
/**
 * White text reads better than DARK_TEXT exactly when the background's luminance L satisfies
 * 1.05 / (L + 0.05) >= (L + 0.05) / (Ld + 0.05), i.e. L <= sqrt(1.05 (Ld + 0.05)) - 0.05, with Ld
 * the luminance of DARK_TEXT. One comparison instead of two ratios keeps the loader small, and the
 * bound is written out (0.199296370…) rather than computed: no colour's luminance lies within 1e-8
 * of it, so eight digits decide exactly as the formula does (contrast.test.ts checks both).
 */
export const LIGHT_TEXT_MAX_LUMINANCE = 0.19929637;

/** The site's colour (the default when it is not one we understand) and the text colour to use on it. */
export function themeColors(primary: string | undefined | null): { primary: string; onPrimary: string } {
  const rgb = parseColor(primary);
  if (!rgb) return { primary: DEFAULT_PRIMARY, onPrimary: LIGHT_TEXT };
  return { primary: primary!.trim(), onPrimary: luminance(rgb) <= LIGHT_TEXT_MAX_LUMINANCE ? LIGHT_TEXT : DARK_TEXT };
}
