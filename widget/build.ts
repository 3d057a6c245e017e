// Builds the widget: dist/widget/emily-loader.js (what a site owner embeds; must stay tiny) and
// dist/widget/emily-chat.js (the chat app the loader fetches on demand), minified with source maps.
// The Supabase URL and anon key are baked in here and can be overridden per page through
// window.EmilyChat.supabaseUrl / anonKey (contract §2).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const WIDGET_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT_DIR = join(WIDGET_DIR, '..');
export const WIDGET_DIST_DIR = join(ROOT_DIR, 'dist', 'widget');

/** The Supabase CLI's well-known local defaults (scripts/stack/config.ts computes the same key). */
const DEFAULT_SUPABASE_URL = 'http://127.0.0.1:54321';

export interface WidgetBuildOptions {
  quiet?: boolean;
  supabaseUrl?: string;
  anonKey?: string;
  /** Output folder (default dist/widget). */
  outDir?: string;
}

/** Browsers with Shadow DOM, constructable stylesheets or a <style> fallback, fetch streams and ES2020. */
export const WIDGET_TARGETS = ['chrome91', 'firefox90', 'safari15', 'edge91'];

/** The esbuild options both files share; the size benchmark builds its baseline with the same ones. */
export function sharedOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'iife',
    platform: 'browser',
    target: WIDGET_TARGETS,
    legalComments: 'none',
    logLevel: 'warning',
    // Shipped code never needs Node's `process`; some dependencies probe for it.
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}

/**
 * The chat app's extra options, about its bundled realtime-js and phoenix: their internals named
 * `_x` (the underscore is their convention for private; none is read by name from outside, from a
 * string or from JSON) get short names, and phoenix's debug `console.log` calls go. Not for the
 * loader: it shares objects with the app (the bridge), and a second build would name them apart.
 */
export const APP_ONLY_OPTIONS: esbuild.BuildOptions = { mangleProps: /^_/, pure: ['console.log'] };

async function defaultAnonKey(): Promise<string> {
  // Imported lazily so that building with an explicit key needs nothing from the stack.
  const { defaultConfig } = await import('../scripts/stack/config.ts');
  return defaultConfig().anonKey;
}

export async function build(opts: WidgetBuildOptions = {}): Promise<{ loader: string; app: string }> {
  const outDir = opts.outDir ?? WIDGET_DIST_DIR;
  mkdirSync(outDir, { recursive: true });
  const supabaseUrl = (opts.supabaseUrl ?? process.env.EMILY_WIDGET_SUPABASE_URL ?? DEFAULT_SUPABASE_URL).replace(/\/+$/, '');
  const anonKey = opts.anonKey ?? process.env.EMILY_WIDGET_ANON_KEY ?? (await defaultAnonKey());
  const base = sharedOptions();
  const define = {
    ...base.define,
    __EMILY_SUPABASE_URL__: JSON.stringify(supabaseUrl),
    __EMILY_ANON_KEY__: JSON.stringify(anonKey),
  };
  const loader = join(outDir, 'emily-loader.js');
  const app = join(outDir, 'emily-chat.js');
  await Promise.all([
    esbuild.build({ ...base, define, entryPoints: [join(WIDGET_DIR, 'src', 'loader', 'index.ts')], outfile: loader }),
    esbuild.build({ ...base, ...APP_ONLY_OPTIONS, define, entryPoints: [join(WIDGET_DIR, 'src', 'app', 'index.ts')], outfile: app }),
  ]);
  if (!opts.quiet) console.log(`Built ${loader} and ${app} (API ${supabaseUrl}).`);
  return { loader, app };
}

if (import.meta.url === `file://${process.argv[1]}`) await build();
