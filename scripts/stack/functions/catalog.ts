// Which Edge Functions exist, where their code is and whether they need a JWT: the folders of
// supabase/functions and of each extra functions folder (test fixtures), as the Supabase CLI sees
// them. A folder is a function when its name does not start with `_` or `.` (`_shared` holds
// shared code) and it has an index.ts, or `[functions.NAME] entrypoint` in config.toml names its
// entry file. verify_jwt comes from `[functions.NAME] verify_jwt` (default true): for
// supabase/functions in supabase/config.toml, for an extra folder in a config.toml inside it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readProjectConfig, type ProjectConfig } from '../project-config.ts';

/** Hosted Supabase's rule for function names (slugs). */
const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/;

export interface FunctionsRoot {
  /** The folder holding one sub-folder per function. */
  dir: string;
  /** The config.toml with its [functions.NAME] sections (entrypoints are relative to its folder). */
  configToml: string;
}

export interface FunctionSpec {
  name: string;
  root: FunctionsRoot;
  /** Absolute path of the module that calls Deno.serve. */
  entrypoint: string;
  verifyJwt: boolean;
  /** The deno.json Deno runs the function with (nearest to the function, else the root's). */
  denoConfig: string | undefined;
}

export function functionsRoots(rootDir: string, extraDirs: string[]): FunctionsRoot[] {
  const project = { dir: join(rootDir, 'supabase', 'functions'), configToml: join(rootDir, 'supabase', 'config.toml') };
  return [project, ...extraDirs.map((dir) => ({ dir: resolve(dir), configToml: join(resolve(dir), 'config.toml') }))];
}

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

function readFunctionsConfig(file: string, warn: (line: string) => void): ProjectConfig['functions'] {
  if (!existsSync(file)) return {};
  try {
    return readProjectConfig(file).functions;
  } catch (err) {
    // A broken config.toml must not open functions up: every function keeps verify_jwt on.
    warn(`${file}: ${(err as Error).message}; using defaults (verify_jwt = true)`);
    return {};
  }
}

/** Scans the roots; a name found in several roots is served from the first one. */
export function scanFunctions(roots: FunctionsRoot[], projectDenoConfig: string, warn: (line: string) => void): Map<string, FunctionSpec> {
  const found = new Map<string, FunctionSpec>();
  for (const root of roots) {
    if (!existsSync(root.dir)) continue;
    const settings = readFunctionsConfig(root.configToml, warn);
    const configDir = dirname(root.configToml);
    const folders = readdirSync(root.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('_') && !d.name.startsWith('.'))
      .map((d) => d.name);
    const names = new Set([...folders, ...Object.keys(settings)]);
    for (const name of names) {
      if (!SLUG.test(name) || found.has(name)) continue;
      const declared = settings[name]?.entrypoint;
      const entrypoint = declared ? (isAbsolute(declared) ? declared : resolve(configDir, declared)) : join(root.dir, name, 'index.ts');
      if (!existsSync(entrypoint) || !statSync(entrypoint).isFile()) continue;
      const fnDir = dirname(entrypoint);
      found.set(name, {
        name,
        root,
        entrypoint,
        verifyJwt: settings[name]?.verifyJwt ?? true,
        denoConfig: firstExisting([
          join(fnDir, 'deno.json'), join(fnDir, 'deno.jsonc'),
          join(root.dir, 'deno.json'), join(root.dir, 'deno.jsonc'),
          projectDenoConfig,
        ]),
      });
    }
  }
  return found;
}

/**
 * The scan, redone only when something under the roots changed (the watcher's generations moved)
 * or a config.toml was edited: the check on each request is one stat per config.toml.
 */
export class Catalog {
  private specs = new Map<string, FunctionSpec>();
  private scannedAt = '';
  private tomlStamp = '';

  constructor(
    private readonly roots: FunctionsRoot[],
    private readonly projectDenoConfig: string,
    /** Changes whenever something under the roots changed. */
    private readonly generation: () => string,
    private readonly warn: (line: string) => void,
  ) {}

  private stamp(): string {
    return this.roots.map((r) => (existsSync(r.configToml) ? statSync(r.configToml).mtimeMs : 0)).join(',');
  }

  all(): Map<string, FunctionSpec> {
    const generation = this.generation();
    const stamp = this.stamp();
    if (generation !== this.scannedAt || stamp !== this.tomlStamp) {
      this.specs = scanFunctions(this.roots, this.projectDenoConfig, this.warn);
      this.scannedAt = generation;
      this.tomlStamp = stamp;
    }
    return this.specs;
  }

  get(name: string): FunctionSpec | undefined {
    return this.all().get(name);
  }
}
