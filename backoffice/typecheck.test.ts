// The backoffice's .tsx files are outside the root tsconfig (it has no JSX settings): type-check the
// browser code with its own tsconfig, so a page added by anyone is checked by `npm test` too.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('backoffice types', () => {
  it('type-checks with backoffice/tsconfig.json', { timeout: 120_000 }, async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'backoffice', 'tsconfig.json')], { cwd: ROOT }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
    });
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });
});
