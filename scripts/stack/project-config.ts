// supabase/config.toml as the local stack needs it: the same file the Supabase CLI reads, so a
// setting (exposed schemas, anonymous sign-ins, a function's verify_jwt) means the same thing
// locally and on the hosted project. Read on each call: editing the file needs no restart.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { parseGoDuration } from './auth/go-duration.ts';
import { ROOT_DIR } from './config.ts';

export interface ProjectConfig {
  api: { schemas: string[]; extraSearchPath: string[]; maxRows: number };
  auth: {
    jwtExpiry: number;
    enableSignup: boolean;
    enableAnonymousSignIns: boolean;
    enableRefreshTokenRotation: boolean;
    refreshTokenReuseInterval: number;
    minimumPasswordLength: number;
    siteUrl: string;
    /** Where e-mailed links may send people besides site_url: URLs or GoTrue glob patterns. */
    additionalRedirectUrls: string[];
    /** [auth.rate_limit] anonymous_users: anonymous sign-ins per hour per client IP address. */
    rateLimitAnonymousUsers: number;
    /** [auth.rate_limit] token_verifications: /verify calls per 5 minutes per client IP address. */
    rateLimitTokenVerifications: number;
    /** [auth.email] otp_length and otp_expiry (seconds): the code and lifetime of e-mailed links. */
    emailOtpLength: number;
    emailOtpExpiry: number;
    /** [auth.email] max_frequency (a Go duration; seconds here): how soon a message to the same address may follow. */
    emailMaxFrequency: number;
  };
  /** Per-function settings from [functions.NAME]. */
  functions: Record<string, { verifyJwt: boolean; entrypoint?: string }>;
}

type Table = Record<string, unknown>;
const table = (v: unknown): Table => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {});
const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const strs = (v: unknown, d: string[]) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : d);

export function readProjectConfig(file = join(ROOT_DIR, 'supabase', 'config.toml')): ProjectConfig {
  const raw = existsSync(file) ? table(parse(readFileSync(file, 'utf8'))) : {};
  const api = table(raw.api);
  const auth = table(raw.auth);
  const rateLimit = table(auth.rate_limit);
  const email = table(auth.email);
  const functions: ProjectConfig['functions'] = {};
  for (const [name, value] of Object.entries(table(raw.functions))) {
    const fn = table(value);
    functions[name] = { verifyJwt: bool(fn.verify_jwt, true), entrypoint: typeof fn.entrypoint === 'string' ? fn.entrypoint : undefined };
  }
  return {
    api: {
      schemas: strs(api.schemas, ['public', 'graphql_public']),
      extraSearchPath: strs(api.extra_search_path, ['public', 'extensions']),
      maxRows: num(api.max_rows, 1000),
    },
    auth: {
      jwtExpiry: num(auth.jwt_expiry, 3600),
      enableSignup: bool(auth.enable_signup, true),
      enableAnonymousSignIns: bool(auth.enable_anonymous_sign_ins, false),
      enableRefreshTokenRotation: bool(auth.enable_refresh_token_rotation, true),
      refreshTokenReuseInterval: num(auth.refresh_token_reuse_interval, 10),
      minimumPasswordLength: num(auth.minimum_password_length, 6),
      siteUrl: typeof auth.site_url === 'string' ? auth.site_url : 'http://127.0.0.1:3000',
      additionalRedirectUrls: strs(auth.additional_redirect_urls, []),
      rateLimitAnonymousUsers: num(rateLimit.anonymous_users, 30),
      rateLimitTokenVerifications: num(rateLimit.token_verifications, 30),
      emailOtpLength: num(email.otp_length, 6),
      emailOtpExpiry: num(email.otp_expiry, 3600),
      // GoTrue's default when unset: one message a minute per address.
      emailMaxFrequency: (typeof email.max_frequency === 'string' ? parseGoDuration(email.max_frequency) ?? 60_000 : 60_000) / 1000,
    },
    functions,
  };
}
