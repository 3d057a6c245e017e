// Builds the static parts Emily serves: the widget (loader + chat app) and the backoffice.
// Run directly (`npm run build`) or from `npm start` / `npm test`, which build what they serve.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT_DIR } from './stack/config.ts';

export interface BuildOptions {
  quiet?: boolean;
  /** Baked-in defaults; the embed snippet (window.EmilyChat) can override them. */
  supabaseUrl?: string;
  anonKey?: string;
}

type Builder = (opts: BuildOptions) => Promise<void>;

/** Each part ships its own build module; a part that does not exist yet is skipped. */
async function loadBuilder(file: string): Promise<Builder | undefined> {
  const path = join(ROOT_DIR, file);
  if (!existsSync(path)) return undefined;
  const mod = await import(pathToFileURL(path).href);
  return mod.build as Builder;
}

export async function buildAll(opts: BuildOptions = {}): Promise<void> {
  // For a real project: EMILY_SUPABASE_URL=https://REF.supabase.co EMILY_ANON_KEY=… npm run build
  opts = {
    supabaseUrl: process.env.EMILY_SUPABASE_URL || undefined,
    anonKey: process.env.EMILY_ANON_KEY || undefined,
    ...opts,
  };
  for (const file of ['widget/build.ts', 'backoffice/build.ts']) {
    const build = await loadBuilder(file);
    if (build) await build(opts);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildAll();
  console.log('Built dist/widget and dist/backoffice.');
}
