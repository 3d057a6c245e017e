// Draws the launcher button in the widget's shadow root. The root is *open*: a closed root would
// give no real protection (host scripts share our JavaScript realm and could patch attachShadow),
// while it would blind accessibility checkers, browser extensions and end-to-end test tools.
import { addStyles } from '../shared/adopt-styles.ts';
import type { EmbedConfig } from '../shared/bridge.ts';
import { themeColors } from '../shared/contrast.ts';
import { CHAT_ICON } from '../shared/icons.ts';
import { LAUNCHER_CSS, themeCss } from './styles.ts';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * "Chat" is the word in English, French, German and Spanish alike, so the loader needs no
 * dictionary; the app replaces it with "Open chat" / "Close chat" in the visitor's language.
 */
const LABEL = 'Chat';

export function drawLauncher(config: EmbedConfig) {
  // A custom element name: page rules written for div/span/button never match the host.
  const host = document.createElement('emily-chat');
  const root = host.attachShadow({ mode: 'open' });
  addStyles(root, LAUNCHER_CSS);
  const theme = addStyles(root, '');
  const setTheme = (color?: string, position?: string) => {
    const { primary, onPrimary } = themeColors(color);
    const side = config.position ?? (/left/i.test(position ?? '') ? 'left' : 'right');
    theme.set(themeCss(primary, onPrimary, side, config.zIndex));
  };
  setTheme();

  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-label', LABEL);
  launcher.setAttribute('aria-expanded', 'false');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.appendChild(document.createElementNS(SVG, 'path')).setAttribute('d', CHAT_ICON);
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('aria-hidden', 'true');
  launcher.append(svg, badge);
  root.appendChild(launcher);

  const mount = () => document.body.appendChild(host);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });

  return { host, root, launcher, badge, setTheme, show: () => launcher.classList.add('shown') };
}
