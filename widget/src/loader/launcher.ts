// Draws the launcher button in the widget's shadow root. The root is *open*: a closed root would
// give no real protection (host scripts share our JavaScript realm and could patch attachShadow),
// while it would blind accessibility checkers, browser extensions and end-to-end test tools.
import { addStyles } from '../shared/adopt-styles.ts';
import type { EmbedConfig } from '../shared/bridge.ts';
import { themeColors } from '../shared/contrast.ts';
import { CHAT_ICON } from '../shared/icons.ts';
import { pickLanguage } from '../shared/language.ts';
import { widgetStyle } from '../shared/styles.ts';
import { LAUNCHER_CSS, themeCss } from './styles.ts';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * "Chat" is the word in English, French, German and Spanish alike, so the launcher's name needs no
 * dictionary; the app replaces it with "Open chat" / "Close chat" in the visitor's language.
 */
const LABEL = 'Chat';

/**
 * What the labelled styles (pill, tab) show from the start, in the visitor's language: the
 * loader's only dictionary (the app has the rest).
 */
const INVITATION = { en: 'Chat with us', fr: 'Discutez avec nous', de: 'Chatten Sie mit uns', es: 'Chatea con nosotros' };

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

  launcher.setAttribute('aria-label', LABEL);
  launcher.setAttribute('aria-expanded', 'false');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.appendChild(document.createElementNS(SVG, 'path')).setAttribute('d', CHAT_ICON);
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = INVITATION[pickLanguage(config.locale, navigator.languages)];
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('aria-hidden', 'true');
  launcher.append(svg, label, badge);
  root.appendChild(launcher);

  const mount = () => document.body.appendChild(host);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });

  return { host, root, launcher, badge, setTheme, show: () => launcher.classList.add('shown') };
}
