// Draws the launcher button in the widget's shadow root. The root is *open*: a closed root would
// give no real protection (host scripts share our JavaScript realm and could patch attachShadow),
// while it would blind accessibility checkers, browser extensions and end-to-end test tools.
import { addStyles } from '../shared/adopt-styles.ts';
import type { EmbedConfig } from '../shared/bridge.ts';
import { themeColors } from '../shared/contrast.ts';
import { CHAT_ICON } from '../shared/icons.ts';
import { widgetStyle } from '../shared/styles.ts';
import { LAUNCHER_CSS, themeCss } from './styles.ts';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The launcher's words: what the labelled styles (pill, tab) show, and every style's accessible
 * name until the app names it ("Open chat", "Close chat"); so a labelled launcher is named by
 * the words it shows (WCAG 2.5.3). The loader's only dictionary (the app has the rest), looked up
 * by the embed's `locale` or the browser's first language; the app also weighs the browser's
 * other languages, a difference only for a visitor whose first one it does not speak.
 */
const INVITATION: Record<string, string> = { en: 'Chat with us', fr: 'Discutez avec nous', de: 'Chatten Sie mit uns', es: 'Chatea con nosotros' };

export function drawLauncher(config: EmbedConfig) {
  // A custom element name: page rules written for div/span/button never match the host.
  const host = document.createElement('emily-chat');
  const root = host.attachShadow({ mode: 'open' });
  addStyles(root, LAUNCHER_CSS);
  const theme = addStyles(root, '');
  const launcher = document.createElement('button');
  launcher.type = 'button';
  // The style's class is prefixed (s-pill): the panel has classes of its own, such as .bubble.
  launcher.className = 'launcher s-bubble';
  let style = 's-bubble';
  const setTheme = (color?: string, position?: string, styleName?: string) => {
    const { primary, onPrimary } = themeColors(color);
    const side = config.position ?? (/left/i.test(position ?? '') ? 'left' : 'right');
    theme.set(themeCss(primary, onPrimary, side, config.zIndex));
    // The app's panel rules follow the style's class (`.s-tab~.panel`); unknown values draw a bubble.
    launcher.classList.replace(style, (style = 's-' + widgetStyle(styleName)));
  };
  setTheme();

  launcher.setAttribute('aria-expanded', 'false');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.appendChild(document.createElementNS(SVG, 'path')).setAttribute('d', CHAT_ICON);
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = INVITATION[(config.locale || navigator.language || '').slice(0, 2).toLowerCase()] || INVITATION.en;
  launcher.setAttribute('aria-label', label.textContent);
  launcher.append(svg, label);
  root.appendChild(launcher);

  const mount = () => document.body.appendChild(host);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });

  return { host, root, launcher, setTheme, show: () => launcher.classList.add('shown') };
}
