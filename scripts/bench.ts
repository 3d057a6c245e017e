// `npm run bench`: runs each benchmark in scripts/bench/*.bench.ts (or those named as arguments,
// e.g. `npm run bench -- realtime`). Every benchmark starts what it measures, prints its figures
// with a ratio against a baseline measured in the same run, and stops within a bounded time.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from './stack/config.ts';

const dir = join(ROOT_DIR, 'scripts', 'bench');
const all = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort() : [];
const wanted = process.argv.slice(2);
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.startsWith(w))) : all;
if (!chosen.length) {
  console.error(wanted.length ? `No benchmark matches ${wanted.join(', ')}. Known: ${all.join(', ')}` : 'No benchmarks yet.');
  process.exit(wanted.length ? 1 : 0);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n━━ ${file.replace('.bench.ts', '')} ━━`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(join(ROOT_DIR, 'node_modules', '.bin', 'tsx'), [join(dir, file)], { stdio: 'inherit', cwd: ROOT_DIR });
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) { failed++; console.error(`${file} failed (exit ${code})`); }
}
process.exit(failed ? 1 : 0);
