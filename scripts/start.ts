// `npm start`: builds what it serves, then runs Emily's whole local stack until Ctrl-C.
//   --reset     delete the local database cluster first (fresh migrations and seed)
//   --no-build  serve dist/ as it is (tests that start this script while `npm test`'s build is
//               being served must not rewrite it under the running browser tests)
import { defaultConfig } from './stack/config.ts';
import { startStack } from './stack/stack.ts';
import { buildAll } from './build.ts';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
  console.log('Usage: npm start [-- [--reset] [--no-build]]\n' +
    '  --reset     delete the local database (.emily/db) and start from the migrations and seed again\n' +
    '  --no-build  do not rebuild the widget and the backoffice; serve dist/ as it is');
  process.exit(0);
}

// Signals are taken from the first moment: a Ctrl-C during the start-up must not kill this process
// while the PostgreSQL it launched (in a session of its own) keeps running. The start-up in
// progress finishes, then everything stops.
let stack: Awaited<ReturnType<typeof startStack>> | undefined;
let stopSignal: string | undefined;
const stop = async () => {
  await stack?.stop();
  console.log('Stopped.');
  process.exit(0);
};
const onSignal = (signal: string) => {
  if (stopSignal) return;
  stopSignal = signal;
  console.log(`\n${signal}: stopping Emily…`);
  if (stack) void stop();
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const t0 = performance.now();
if (!args.has('--no-build')) {
  console.log('Emily: building the widget and the backoffice…');
  await buildAll({ quiet: true });
}
const built = performance.now();

if (stopSignal) await stop();

const config = defaultConfig();
try {
  stack = await startStack(config, { reset: args.has('--reset'), writeLocalJson: true });
} catch (err) {
  // Ctrl-C also interrupts the commands the start-up runs (pg_ctl, the Supabase CLI); the failed
  // start-up has already stopped what it started. The signal itself is still queued behind the
  // synchronous command it interrupted: let it arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (stopSignal) await stop();
  console.error(`\nEmily could not start: ${(err as Error).message}`);
  process.exit(1);
}
if (stopSignal) await stop();
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
