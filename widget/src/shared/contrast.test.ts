import { describe, expect, it } from 'vitest';
import { contrastRatio, DARK_TEXT, DEFAULT_PRIMARY, LIGHT_TEXT, LIGHT_TEXT_MAX_LUMINANCE, luminance, parseColor, themeColors } from './contrast.ts';

describe('contrast', () => {
  it('parses #rgb and #rrggbb and refuses anything else', () => {
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor(' #1A2b3C ')).toEqual([26, 43, 60]);
    for (const bad of ['red', '#ffff', '#12345g', 'rgb(1,2,3)', '', null, undefined, 'url(javascript:x)']) expect(parseColor(bad)).toBeNull();
  });

  it('computes WCAG ratios (black on white is 21:1, identical colours 1:1)', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([119, 119, 119], [119, 119, 119])).toBe(1);
    expect(contrastRatio([118, 118, 118], [255, 255, 255])).toBeCloseTo(4.54, 2);
  });

  it('always picks the text colour with the higher contrast, over the whole colour space', () => {
    const dark = parseColor(DARK_TEXT)!;
    const white: [number, number, number] = [255, 255, 255];
    for (let r = 0; r < 256; r += 15) for (let g = 0; g < 256; g += 15) for (let b = 0; b < 256; b += 15) {
      const hex = '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
      const { onPrimary } = themeColors(hex);
      const best = contrastRatio([r, g, b], white) >= contrastRatio([r, g, b], dark) ? LIGHT_TEXT : DARK_TEXT;
      expect(onPrimary, hex).toBe(best);
    }
  });

  it('writes out the white-text bound so that it decides like its formula for every one of the 16.7 million colours', () => {
    const exact = Math.sqrt(1.05 * (luminance(parseColor(DARK_TEXT)!) + 0.05)) - 0.05;
    expect(LIGHT_TEXT_MAX_LUMINANCE).toBeCloseTo(exact, 8);
    // Per-channel linear values once, then every colour: the same side of both bounds.
    const linear = Array.from({ length: 256 }, (_, v) => luminance([v, 0, 0]) / 0.2126);
    let differing = 0;
    for (let r = 0; r < 256; r++) for (let g = 0; g < 256; g++) for (let b = 0; b < 256; b++) {
      const l = 0.2126 * linear[r] + 0.7152 * linear[g] + 0.0722 * linear[b];
      if (l <= exact !== l <= LIGHT_TEXT_MAX_LUMINANCE) differing++;
    }
    expect(differing).toBe(0);
  });

  it('picks dark text on light brand colours and white on dark ones', () => {
    expect(themeColors('#fde047').onPrimary).toBe(DARK_TEXT);
    expect(themeColors('#14532d').onPrimary).toBe(LIGHT_TEXT);
    expect(themeColors('#ffffff').onPrimary).toBe(DARK_TEXT);
  });

  it('falls back to the default colour for values that are not colours (no CSS injection)', () => {
    expect(themeColors('red;} :host{display:none')).toEqual({ primary: DEFAULT_PRIMARY, onPrimary: LIGHT_TEXT });
    expect(themeColors(undefined).primary).toBe(DEFAULT_PRIMARY);
  });
});
