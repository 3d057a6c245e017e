// /functions/v1: Supabase Edge Functions on Deno, as `supabase functions serve` runs them but
// without Docker. `/functions/v1/NAME/rest?query` reaches the function NAME with the path
// `/NAME/rest?query` (as on hosted Supabase), its method, headers and streamed body.
//   catalog.ts          which functions exist (folders, config.toml entrypoint and verify_jwt)
//   jwt-gate.ts         verify_jwt, before the function runs
//   supervisor.ts       one Deno process per function: start, hot reload, crash and idle handling
//   function-process.ts the process itself; bootstrap.ts runs inside it
//   relay.ts            streaming proxy with body limit, idle timeout and wall clock
//   env.ts              what a function's environment holds
//   watcher.ts          edits under the functions folders → new code on the next request
//   precache.ts         npm dependencies fetched in the background at start
// Functions answer CORS themselves (as on hosted Supabase), so the gateway adds nothing here.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import type { GatewayService, StackContext } from '../service.ts';
import { Catalog, functionsRoots, scanFunctions, type FunctionSpec } from './catalog.ts';
import { denoBinary } from './deno-binary.ts';
import { functionEnv } from './env.ts';
import { discardBody } from '../http.ts';
import { BODY_TOO_LARGE, FUNCTION_NOT_FOUND, sendJwtError, sendPlatformError } from './errors.ts';
import { jwtRefusal } from './jwt-gate.ts';
import { FunctionLogs } from './logs.ts';
import { functionsOptions } from './options.ts';
import { startPrecache } from './precache.ts';
import { Supervisor } from './supervisor.ts';
import { SourceWatcher } from './watcher.ts';

/** `/NAME/…?…` → NAME (undefined when the path names no function). */
export function functionNameOf(path: string): string | undefined {
  const m = /^\/([^/?#]+)/.exec(path);
  return m ? m[1] : undefined;
}

export function createFunctionsService(ctx: StackContext): GatewayService {
  const { config } = ctx;
  const options = functionsOptions(config);
  const warn = (line: string) => console.warn(`[functions] ${line}`);
  const roots = functionsRoots(config.rootDir, config.extraFunctionsDirs);
  const projectDir = roots[0].dir;
  const projectDenoConfig = join(projectDir, 'deno.json');
  const watcher = new SourceWatcher(roots.map((r) => r.dir), warn);
  const catalog = new Catalog(roots, projectDenoConfig, () => roots.map((r) => watcher.generation(r.dir)).join(','), warn);
  /** The version of a function's code and environment: a new value means a new process. */
  const versionOf = (spec: FunctionSpec) => [
    watcher.generation(spec.root.dir),
    spec.root.dir === projectDir ? '' : watcher.envGeneration(projectDir),
    spec.entrypoint,
    spec.denoConfig ?? '',
  ].join('|');
  const logs = new FunctionLogs(config.stateDir, config.verbose);
  const deno = denoBinary();
  const precache = startPrecache([...scanFunctions(roots, projectDenoConfig, warn).values()], deno, logs, ctx.log);
  const supervisor = new Supervisor({
    deno,
    logs,
    options,
    maxBodyBytes: config.maxBodyBytes,
    envFor: (spec) => functionEnv(config, ctx.dbUrl, options, spec),
    beforeStart: () => precache.done,
    log: ctx.log,
  });

  return {
    prefix: '/functions/v1',
    cors: false,
    requiresApiKey: false,
    async handle(req, res, path) {
      // One turn of the event loop lets pending file-change events land first, so a file saved
      // before this request was sent is always seen by it.
      await nextTurn();
      const name = functionNameOf(path);
      const spec = name ? catalog.get(name) : undefined;
      if (!spec) {
        req.resume();
        return sendPlatformError(res, FUNCTION_NOT_FOUND);
      }
      // Preflights carry no Authorization header: they reach the function, which answers CORS.
      if (spec.verifyJwt && req.method !== 'OPTIONS') {
        const refusal = jwtRefusal(req, config.jwtSecret);
        if (refusal) {
          req.resume();
          return sendJwtError(res, refusal);
        }
      }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > config.maxBodyBytes) {
        await discardBody(req);
        return sendPlatformError(res, BODY_TOO_LARGE(config.maxBodyBytes));
      }
      await supervisor.serve(spec, versionOf(spec), req, res, path);
    },
    async close() {
      watcher.close();
      precache.stop();
      await supervisor.close();
      await logs.close();
    },
  };
}
