// Vitest global setup: one local stack shared by every test file. `npm test` starts the stack
// itself (pgTAP and Deno tests use it too) and passes it in EMILY_TEST_STACK; running vitest
// directly starts one here.
import type { TestProject } from 'vitest/node';
import type { LocalInfo } from '../../scripts/stack/stack.ts';
import { startTestStack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalInfo;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.EMILY_TEST_STACK) {
    project.provide('stack', JSON.parse(process.env.EMILY_TEST_STACK) as LocalInfo);
    return;
  }
  const stack = await startTestStack();
  project.provide('stack', stack.info);
  return async () => {
    await stack.stop();
  };
}
