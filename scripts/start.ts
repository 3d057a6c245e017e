// `npm start`: builds what it serves, then runs Emily's whole local stack until Ctrl-C.
//   --reset   delete the local database cluster first (fresh migrations and seed)
import { defaultConfig } from './stack/config.ts';
import { startStack } from './stack/stack.ts';
import { buildAll } from './build.ts';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
  console.log('Usage: npm start [-- --reset]\n  --reset  delete the local database (.emily/db) and start from the migrations and seed again');
  process.exit(0);
}

const t0 = performance.now();
console.log('Emily: building the widget and the backoffice…');
await buildAll({ quiet: true });
const built = performance.now();

const config = defaultConfig();
let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack(config, { reset: args.has('--reset'), writeLocalJson: true });
} catch (err) {
  console.error(`\nEmily could not start: ${(err as Error).message}`);
  process.exit(1);
}
const { info } = stack;
console.log(`
Emily is running (build ${Math.round(built - t0)} ms, stack ${Math.round(performance.now() - built)} ms).

  API (Supabase)   ${info.apiUrl}        auth · rest · functions · realtime
  Database         ${info.dbUrl}
  Demo site        ${info.demo.siteUrl}
  Backoffice       ${info.demo.backofficeUrl}
  Widget files     ${info.apiUrl}/widget/emily-loader.js

  Demo owner       ${info.demo.ownerEmail} / ${info.demo.ownerPassword}
  Demo website id  ${info.demo.websiteId}
  anon key         ${info.anonKey}
  service_role key ${info.serviceRoleKey}   (server-side only; never ship it to a browser)

  Written to .emily/local.json. Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Emily…`);
  await stack.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
