// Settings shared by every part of the local stack: ports, keys and paths.
// Defaults match the Supabase CLI's well-known local values (contract §1) so that
// tutorials, the supabase-js client and our tests behave as they would against `supabase start`.
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProjectConfig } from './project-config.ts';

export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEFAULT_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
/** The Supabase CLI's API keys never expire before 2032 (exp 1983812996). */
export const API_KEY_EXPIRY = 1983812996;

export interface StackConfig {
  rootDir: string;
  host: string;
  apiPort: number;
  dbPort: number;
  backofficePort: number;
  demoPort: number;
  /** PostgreSQL data directory (the cluster). */
  dataDir: string;
  /** Folder where .emily/local.json and logs are written. */
  stateDir: string;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Seconds an access token lives ([auth] jwt_expiry). */
  jwtExpiry: number;
  /** Largest request body the gateway accepts, in bytes (413 above). */
  maxBodyBytes: number;
  /** Print progress lines to the terminal. */
  verbose: boolean;
  /** Schemas exposed by /rest/v1 besides supabase/config.toml's [api] schemas (test fixtures). */
  extraApiSchemas: string[];
  /** Folders of Edge Functions served besides supabase/functions (test fixtures). */
  extraFunctionsDirs: string[];
  /** [auth] settings that win over supabase/config.toml's (test stacks raise the rate limits). */
  authSettings?: Partial<ProjectConfig['auth']>;
  /** Optional Edge Functions host settings; see FunctionsOptions in scripts/stack/functions/options.ts. */
  functions?: {
    /** Extra variables every function sees (they win over .env files and the process env). */
    env?: Record<string, string>;
    /** Process env variables passed through to functions: exact names or `PREFIX_*` patterns. */
    passEnv?: string[];
    /** A request that gets no response headers within this time ends with 504 (hosted: 150 s). */
    idleTimeoutMs?: number;
    /** A request still running after this time is ended (hosted: 400 s wall clock). */
    wallClockMs?: number;
    /** A function process with no request for this long is stopped to free memory. */
    idleShutdownMs?: number;
  };
}

export function signApiKey(role: 'anon' | 'service_role', secret: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ iss: 'supabase-demo', role, exp: API_KEY_EXPIRY });
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

/** Reads supabase/functions/.env-style files: KEY=VALUE lines, # comments, optional quotes. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]] = value;
  }
  return out;
}

export function defaultConfig(overrides: Partial<StackConfig> = {}): StackConfig {
  const jwtSecret = overrides.jwtSecret ?? process.env.SUPABASE_JWT_SECRET ?? DEFAULT_JWT_SECRET;
  const stateDir = overrides.stateDir ?? process.env.EMILY_STATE_DIR ?? join(ROOT_DIR, '.emily');
  return {
    rootDir: ROOT_DIR,
    host: '127.0.0.1',
    apiPort: envPort('EMILY_API_PORT', 54321),
    dbPort: envPort('EMILY_DB_PORT', 54322),
    backofficePort: envPort('EMILY_BACKOFFICE_PORT', 54323),
    demoPort: envPort('EMILY_DEMO_PORT', 54324),
    dataDir: join(stateDir, 'db'),
    stateDir,
    jwtSecret,
    anonKey: process.env.SUPABASE_ANON_KEY ?? signApiKey('anon', jwtSecret),
    serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY ?? signApiKey('service_role', jwtSecret),
    jwtExpiry: 3600,
    maxBodyBytes: 10 * 1024 * 1024,
    verbose: true,
    extraApiSchemas: [],
    extraFunctionsDirs: [],
    ...overrides,
  };
}

export function dbUrl(cfg: Pick<StackConfig, 'host' | 'dbPort'>, user = 'postgres'): string {
  return `postgresql://${user}:postgres@${cfg.host}:${cfg.dbPort}/postgres`;
}
