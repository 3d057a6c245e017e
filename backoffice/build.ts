// Builds the backoffice into dist/backoffice/: index.html and preview.html (the widget preview
// frame), assets/app.js (ES module, split: uPlot is a chunk loaded by the analytics page only),
// assets/preview.js, the CSS, and source maps. A static folder for any CDN.
// The Supabase URL and anon key are baked in (opts, else EMILY_SUPABASE_URL / EMILY_ANON_KEY, else
// the local stack's defaults); the pages' <meta> tags override them when the local stack serves
// them (it substitutes {{API_URL}}, {{ANON_KEY}}, {{WIDGET_URL}}).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BACKOFFICE_DIST_DIR = join(HERE, '..', 'dist', 'backoffice');
const DEFAULT_SUPABASE_URL = 'http://127.0.0.1:54321';
/** Evergreen browsers of the last few years (ES modules, dynamic import, ResizeObserver). */
const TARGETS = ['es2020', 'chrome91', 'firefox90', 'safari15', 'edge91'];

export interface BackofficeBuildOptions {
  quiet?: boolean;
  supabaseUrl?: string;
  anonKey?: string;
  /** Folder of emily-loader.js; default `${supabaseUrl}/widget` (the local stack serves it there). */
  widgetUrl?: string;
  outDir?: string;
}

export interface BuildResult {
  outDir: string;
  /** Gzipped bytes of what the first page load fetches (app.js, its static chunks, app.css). */
  initialGzip: number;
  files: Record<string, { bytes: number; gzip: number }>;
}

async function defaultAnonKey(): Promise<string> {
  const { defaultConfig } = await import('../scripts/stack/config.ts');
  return defaultConfig().anonKey;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

export async function build(opts: BackofficeBuildOptions = {}): Promise<BuildResult> {
  const finalDir = opts.outDir ?? BACKOFFICE_DIST_DIR;
  const supabaseUrl = (opts.supabaseUrl ?? (process.env.EMILY_SUPABASE_URL || DEFAULT_SUPABASE_URL)).replace(/\/+$/, '');
  const settings = {
    supabaseUrl,
    anonKey: opts.anonKey ?? (process.env.EMILY_ANON_KEY || (await defaultAnonKey())),
    widgetUrl: (opts.widgetUrl ?? (process.env.EMILY_WIDGET_URL || `${supabaseUrl}/widget`)).replace(/\/+$/, ''),
  };
  // Built next to the target and swapped in at the end: a stack serving the folder meanwhile never
  // sees it half-written, and misses it for no longer than two renames.
  const stamp = `${process.pid}-${Date.now()}`;
  const buildDir = `${finalDir}.build-${stamp}`;
  let result: Omit<BuildResult, 'outDir'>;
  try {
    result = await compile(buildDir, settings);
  } catch (err) {
    rmSync(buildDir, { recursive: true, force: true });
    throw err;
  }
  const previous = `${finalDir}.old-${stamp}`;
  try {
    renameSync(finalDir, previous);
  } catch {
    // the first build: nothing to move away
  }
  renameSync(buildDir, finalDir);
  rmSync(previous, { recursive: true, force: true });
  if (!opts.quiet) {
    console.log(`Built ${finalDir} (API ${supabaseUrl}): first load ${(result.initialGzip / 1000).toFixed(1)} KB gzipped.`);
  }
  return { outDir: finalDir, ...result };
}

async function compile(outDir: string, baked: { supabaseUrl: string; anonKey: string; widgetUrl: string }): Promise<Omit<BuildResult, 'outDir'>> {
  const { supabaseUrl, anonKey, widgetUrl } = baked;
  const assets = join(outDir, 'assets');
  mkdirSync(assets, { recursive: true });

  const common: esbuild.BuildOptions = {
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: TARGETS,
    legalComments: 'none',
    logLevel: 'warning',
    outdir: assets,
  };
  const [scripts] = await Promise.all([
    esbuild.build({
      metafile: true,
      ...common,
      entryPoints: { app: join(HERE, 'src', 'main.tsx'), preview: join(HERE, 'src', 'preview', 'main.ts') },
      format: 'esm',
      splitting: true,
      entryNames: '[name]',
      chunkNames: 'chunks/[name]-[hash]',
      platform: 'browser',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      define: {
        'process.env.NODE_ENV': '"production"',
        __EMILY_SUPABASE_URL__: JSON.stringify(supabaseUrl),
        __EMILY_ANON_KEY__: JSON.stringify(anonKey),
        __EMILY_WIDGET_URL__: JSON.stringify(widgetUrl),
      },
    }),
    esbuild.build({ ...common, entryPoints: { app: join(HERE, 'src', 'styles.css'), preview: join(HERE, 'src', 'preview', 'preview.css') } }),
  ]);

  // Bust caches on change: the pages name their assets with a hash of everything built.
  const hash = createHash('sha256');
  for (const file of listFiles(assets).sort()) hash.update(readFileSync(file));
  const version = hash.digest('base64url').slice(0, 12);
  for (const page of ['index.html', 'preview.html']) {
    writeFileSync(join(outDir, page), readFileSync(join(HERE, 'public', page), 'utf8').replaceAll('__VERSION__', version));
  }

  const files: BuildResult['files'] = {};
  for (const file of listFiles(outDir).filter((f) => !f.endsWith('.map'))) {
    const body = readFileSync(file);
    files[relative(outDir, file)] = { bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  }
  // The first load: app.js, the chunks it imports statically, and app.css (not the lazy chunks).
  const initial = new Set<string>();
  const visit = (path: string) => {
    if (initial.has(path)) return;
    initial.add(path);
    for (const dep of scripts.metafile!.outputs[path]?.imports ?? []) if (dep.kind === 'import-statement') visit(dep.path);
  };
  visit(relative(process.cwd(), join(assets, 'app.js')));
  const initialGzip = [...initial].map((p) => relative(outDir, join(process.cwd(), p)))
    .concat('assets/app.css').reduce((n, f) => n + (files[f]?.gzip ?? 0), 0);
  return { initialGzip, files };
}

if (import.meta.url === `file://${process.argv[1]}`) await build();
