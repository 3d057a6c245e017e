// Starts the whole local Supabase stack in-process: PostgreSQL, the platform bootstrap and the
// project's migrations, then one gateway serving auth, rest, functions and realtime, plus the
// static origins (backoffice, demo site). Used by `npm start` and by the test suite, which starts
// its own stack on free ports with a throw-away cluster.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbUrl as makeDbUrl, type StackConfig } from './config.ts';
import { createPool } from './db.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { applyMigrations, applyPlatform, applySeed } from './migrate.ts';
import { startPostgres, tailLog, type PgCluster } from './postgres.ts';
import type { GatewayService, StackContext } from './service.ts';
import { noticeIfSlow } from './slow-step.ts';
import { startStaticServer, staticHandler } from './static.ts';
import { createAuthService } from './auth/index.ts';
import { outboxDir } from './auth/outbox.ts';
import { createRestService } from './rest/index.ts';
import { createFunctionsService } from './functions/index.ts';
import { createRealtimeService } from './realtime/index.ts';

export const DEMO_WEBSITE_ID = '00000000-0000-4000-8000-00000000d3e0';
export const DEMO_OWNER = { email: 'owner@demo.emily.local', password: 'emily-demo-owner' };

/** The widget's built-in API URL; the demo page names another one only when the stack runs elsewhere. */
const BUILT_IN_API_URL = 'http://127.0.0.1:54321';

/** `{{NAME}}` values for the demo site and the backoffice pages. */
function demoSubstitutions(apiUrl: string, anonKey: string) {
  const embed: Record<string, string> = { websiteId: DEMO_WEBSITE_ID };
  if (apiUrl !== BUILT_IN_API_URL) Object.assign(embed, { supabaseUrl: apiUrl, anonKey });
  return {
    API_URL: apiUrl,
    ANON_KEY: anonKey,
    DEMO_WEBSITE_ID,
    WIDGET_URL: `${apiUrl}/widget`,
    // What a site owner pastes: window.EmilyChat = {websiteId} (contract §2).
    EMBED_CONFIG: JSON.stringify(embed),
    CSP_NONCE: randomBytes(16).toString('base64'),
  };
}

/** A strict Content-Security-Policy (no 'unsafe-inline' anywhere) that still allows the widget. */
function strictCsp(apiUrl: string, nonce: string): string {
  const ws = apiUrl.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' ${apiUrl}`,
    "style-src 'self'",
    `connect-src 'self' ${apiUrl} ${ws}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

export interface LocalInfo {
  apiUrl: string;
  dbUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  /** Where Auth's e-mails (invitations) are written: no mail server runs locally. */
  mailDir: string;
  demo: { websiteId: string; siteUrl: string; backofficeUrl: string; ownerEmail: string; ownerPassword: string };
}

export interface RunningStack {
  config: StackConfig;
  info: LocalInfo;
  cluster: PgCluster;
  context: StackContext;
  services: GatewayService[];
  /** Timings of each start-up phase, in milliseconds. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

export interface StartOptions {
  reset?: boolean;
  /** Write .emily/local.json (the `npm start` stack does; test stacks do not). */
  writeLocalJson?: boolean;
  /** Skip serving the backoffice and demo origins. */
  noStatic?: boolean;
}

export async function startStack(config: StackConfig, opts: StartOptions = {}): Promise<RunningStack> {
  const log = (line: string) => { if (config.verbose) console.log(line); };
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const mark = (name: string) => { timings[name] = Math.round(performance.now() - t0); };

  log(`· PostgreSQL: starting on ${config.host}:${config.dbPort}`);
  const cluster = startPostgres({ dataDir: config.dataDir, port: config.dbPort, host: config.host, reset: opts.reset });
  mark('postgres');
  const cleanups: Array<[string, () => Promise<void> | void]> = [['PostgreSQL to stop', () => cluster.stop()]];
  const stopAll = async () => {
    for (const [what, fn] of cleanups.reverse()) {
      try { await noticeIfSlow(what, Promise.resolve(fn()), log); } catch (e) { console.error(e); }
    }
  };

  try {
    const dbUrl = makeDbUrl(config);
    log(cluster.created ? '· Platform bootstrap: new cluster, applying' : '· Platform bootstrap: checking');
    await applyPlatform(dbUrl);
    mark('platform');
    const migrations = await applyMigrations(dbUrl);
    log(migrations.ran ? '· Migrations: applied with supabase migration up' : '· Migrations: up to date');
    mark('migrations');
    if (await applySeed(dbUrl)) log('· Seed: supabase/seed.sql applied');
    mark('seed');

    const pool = createPool(makeDbUrl(config, 'authenticator'));
    cleanups.push(['the database pool to close', () => pool.end()]);
    const context: StackContext = { config, dbUrl, pool, log };
    const services: GatewayService[] = [
      createAuthService(context),
      createRestService(context),
      createFunctionsService(context),
      await noticeIfSlow('Realtime (replication slot and stream)', createRealtimeService(context), log),
    ];
    mark('services');

    const widgetDir = join(config.rootDir, 'dist', 'widget');
    const gateway: Gateway = await noticeIfSlow('the API gateway to listen', startGateway(config, services, [
      { prefix: '/widget', handle: staticHandler({ root: widgetDir, cors: true }) },
    ]), log);
    cleanups.push(['the API gateway and its services to close', () => gateway.close()]);
    config.apiPort = gateway.port;
    const apiUrl = `http://${config.host}:${gateway.port}`;
    mark('gateway');

    let backofficeUrl = '';
    let siteUrl = '';
    if (!opts.noStatic) {
      const substitutions = demoSubstitutions(apiUrl, config.anonKey);
      const backoffice = await noticeIfSlow('the backoffice server to listen', startStaticServer(config.host, config.backofficePort, {
        root: join(config.rootDir, 'dist', 'backoffice'), fallback: 'index.html', substitutions,
      }), log);
      cleanups.push(['the backoffice server to close', () => backoffice.close()]);
      config.backofficePort = backoffice.port;
      // Its own port makes the demo site another origin, as a customer's site is in production.
      const demo = await noticeIfSlow('the demo site server to listen', startStaticServer(config.host, config.demoPort, {
        root: join(config.rootDir, 'demo'),
        substitutions,
        headers: (path): Record<string, string> => (path === '/strict-csp.html' ? { 'Content-Security-Policy': strictCsp(apiUrl, substitutions.CSP_NONCE) } : {}),
      }), log);
      cleanups.push(['the demo site server to close', () => demo.close()]);
      config.demoPort = demo.port;
      backofficeUrl = `http://${config.host}:${backoffice.port}`;
      siteUrl = `http://${config.host}:${demo.port}`;
    }
    mark('ready');

    const info: LocalInfo = {
      apiUrl,
      dbUrl,
      anonKey: config.anonKey,
      serviceRoleKey: config.serviceRoleKey,
      jwtSecret: config.jwtSecret,
      mailDir: outboxDir(config.stateDir),
      demo: { websiteId: DEMO_WEBSITE_ID, siteUrl, backofficeUrl, ownerEmail: DEMO_OWNER.email, ownerPassword: DEMO_OWNER.password },
    };
    if (opts.writeLocalJson) {
      mkdirSync(config.stateDir, { recursive: true });
      const { jwtSecret: _secret, ...publicInfo } = info;
      writeFileSync(join(config.stateDir, 'local.json'), JSON.stringify(publicInfo, null, 2) + '\n');
    }
    let stopped: Promise<void> | undefined;
    return {
      config, info, cluster, context, services, timings,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    const logTail = tailLog(cluster);
    if (logTail && /ECONNREFUSED|terminat/i.test(String(err))) console.error(`PostgreSQL log:\n${logTail}`);
    throw err;
  }
}
