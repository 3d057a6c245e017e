// Starts a throw-away local stack for tests: free ports, a new cluster in the system temp dir
// (reachable by the postgres user even when the checkout is not), nothing written to .emily/.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, ROOT_DIR, type StackConfig } from '../../scripts/stack/config.ts';
import { startStack, type RunningStack, type StartOptions } from '../../scripts/stack/stack.ts';
import { freePort } from './ports.ts';

/** Test-only fixtures the conformance tests use: a REST schema and a folder of Edge Functions. */
export const FIXTURE_SCHEMA = 'emily_test_fixture';
export const FIXTURE_FUNCTIONS_DIR = join(ROOT_DIR, 'tests', 'fixtures', 'functions');
/**
 * Every test visitor signs in anonymously from 127.0.0.1, far more often than config.toml's
 * per-IP limits allow a real client. tests/stack/auth-limits.test.ts checks the real limits
 * (`authSettings: {}` keeps config.toml's values).
 */
export const TEST_AUTH_SETTINGS: StackConfig['authSettings'] = { rateLimitAnonymousUsers: 1_000_000, rateLimitTokenVerifications: 1_000_000 };

export async function startTestStack(overrides: Partial<StackConfig> = {}, opts: StartOptions = {}): Promise<RunningStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'emily-test-'));
  chmodSync(stateDir, 0o755);
  const config = defaultConfig({
    stateDir,
    dataDir: join(stateDir, 'db'),
    apiPort: await freePort(),
    dbPort: await freePort(),
    backofficePort: await freePort(),
    demoPort: await freePort(),
    verbose: false,
    extraApiSchemas: [FIXTURE_SCHEMA],
    extraFunctionsDirs: [FIXTURE_FUNCTIONS_DIR],
    authSettings: TEST_AUTH_SETTINGS,
    ...overrides,
  });
  const stack = await startStack(config, opts);
  const stop = stack.stop;
  let stopped: Promise<void> | undefined;
  stack.stop = () => (stopped ??= stop().finally(() => rmSync(stateDir, { recursive: true, force: true })));
  return stack;
}
