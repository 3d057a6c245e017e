// The environment a function process gets, and nothing more (the operator's shell holds secrets
// that have no business in a function). In increasing precedence:
//   1. what Deno itself needs: HOME, PATH, TMPDIR, DENO_DIR, LANG, LC_ALL, TZ, the proxy and
//      certificate variables (when set), NO_COLOR, DENO_TLS_CA_STORE (default mozilla,system);
//   2. supabase/functions/.env, then supabase/functions/.env.local (both git-ignored); for a
//      function of an extra folder, that folder's .env and .env.local after them;
//   3. process env variables named by StackConfig.functions.passEnv (exact names or `PREFIX_*`;
//      default OPENAI_*, QDRANT_*, STRIPE_*), so `OPENAI_API_KEY=… npm start` reaches the functions;
//   4. StackConfig.functions.env (tests point functions at fake services this way);
//   5. what hosted Supabase provides and no secret may override: SUPABASE_URL, SUPABASE_ANON_KEY,
//      SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL.
// The files are read each time a process starts, and editing them restarts the functions (the
// watcher sees them), so a changed .env applies to the next request.
import { join } from 'node:path';
import { readEnvFile, type StackConfig } from '../config.ts';
import type { FunctionSpec } from './catalog.ts';
import type { FunctionsOptions } from './options.ts';

const FOR_DENO = [
  'HOME', 'PATH', 'TMPDIR', 'DENO_DIR', 'LANG', 'LC_ALL', 'TZ',
  // Reaching the npm registry (and outside APIs) from behind a proxy or a TLS-inspecting gateway.
  'DENO_CERT', 'DENO_TLS_CA_STORE', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy',
];

export function matchesPassEnv(name: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

function pick(source: NodeJS.ProcessEnv, accept: (name: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && accept(name)) out[name] = value;
  return out;
}

/** True for the variables of step 1: what the Deno runtime itself may need. */
export function isRuntimeEnvName(name: string): boolean {
  return FOR_DENO.includes(name) || name === 'NO_COLOR' || name === 'DENO_NO_UPDATE_CHECK';
}

/** Variables every process started for the functions needs, whatever it runs. */
export function denoBaseEnv(): Record<string, string> {
  return {
    // Trust the machine's certificate authorities as well as Deno's own list, as npm and Node do
    // (a machine whose traffic goes through a TLS-inspecting proxy has its CA only there).
    DENO_TLS_CA_STORE: 'mozilla,system',
    ...pick(process.env, (n) => FOR_DENO.includes(n)),
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
  };
}

export function envFilesOf(projectFunctionsDir: string, spec: FunctionSpec): string[] {
  const dirs = spec.root.dir === projectFunctionsDir ? [projectFunctionsDir] : [projectFunctionsDir, spec.root.dir];
  return dirs.flatMap((d) => [join(d, '.env'), join(d, '.env.local')]);
}

export function functionEnv(config: StackConfig, dbUrl: string, options: FunctionsOptions, spec: FunctionSpec): Record<string, string> {
  const projectFunctionsDir = join(config.rootDir, 'supabase', 'functions');
  const fromFiles = Object.assign({}, ...envFilesOf(projectFunctionsDir, spec).map((f) => readEnvFile(f)));
  return {
    ...denoBaseEnv(),
    ...fromFiles,
    ...pick(process.env, (n) => matchesPassEnv(n, options.passEnv)),
    ...options.env,
    SUPABASE_URL: `http://${config.host}:${config.apiPort}`,
    SUPABASE_ANON_KEY: config.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
  };
}
