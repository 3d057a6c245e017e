// The two lines a site owner pastes before </body> (contract §2), with a copy button. The API URL
// and key are named only when this backoffice talks to another project than the one the widget was
// built for (e.g. a local stack on other ports).
import { config } from '../env.ts';
import { CopyButton } from './ui.tsx';

export function embedSnippet(websiteId: string): string {
  const embed: Record<string, string> = { websiteId };
  if (config.apiUrl !== config.bakedApiUrl) Object.assign(embed, { supabaseUrl: config.apiUrl, anonKey: config.anonKey });
  const fields = Object.entries(embed).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  return `<script>window.EmilyChat = { ${fields} };</script>\n<script src="${config.widgetUrl}/emily-loader.js" async></script>`;
}

export function EmbedSnippet({ websiteId }: { websiteId: string }) {
  const snippet = embedSnippet(websiteId);
  return (
    <div class="snippet">
      <pre aria-label="Embed snippet"><code>{snippet}</code></pre>
      <CopyButton text={snippet} label="Copy snippet" />
    </div>
  );
}
