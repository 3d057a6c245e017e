// Starts a throw-away local stack for tests: free ports, a new cluster in the system temp dir
// (reachable by the postgres user even when the checkout is not), nothing written to .emily/.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type StackConfig } from '../../scripts/stack/config.ts';
import { startStack, type RunningStack, type StartOptions } from '../../scripts/stack/stack.ts';
import { freePort } from './ports.ts';

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
    ...overrides,
  });
  const stack = await startStack(config, opts);
  const stop = stack.stop;
  let stopped: Promise<void> | undefined;
  stack.stop = () => (stopped ??= stop().finally(() => rmSync(stateDir, { recursive: true, force: true })));
  return stack;
}
