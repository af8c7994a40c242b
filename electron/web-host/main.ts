/**
 * `npm run till:web [-- --data-dir D --port P --server-url U --device-token T --seed-demo]`: the till in a
 * browser when Electron is not available. Prints one `TILL_URL=...` line and one `DISPLAY_URL=...` line (the customer display) when ready (the launcher
 * and the e2e tests parse it); logs go to stderr.
 */
import { parseArgs } from 'node:util';
import { stderrLogger } from '../core/errors.ts';
import { startWebHost } from './start.ts';

function usage(msg: string): never {
  process.stderr.write(
    `${msg}\nusage: till:web [--data-dir ./data/till] [--port 5174] [--server-url URL] [--device-token T] [--store-name S] [--device-name N] [--renderer-dir D] [--seed-demo] [--allow-insecure]\n`,
  );
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      'data-dir': { type: 'string', default: './data/till' },
      port: { type: 'string', default: '5174' },
      'server-url': { type: 'string' },
      'device-token': { type: 'string' },
      'store-name': { type: 'string' },
      'device-name': { type: 'string' },
      'renderer-dir': { type: 'string' },
      'seed-demo': { type: 'boolean', default: false },
      'allow-insecure': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) usage(`--port must be 0…65535, got ${args.port}`);

const settings = Object.fromEntries(
  Object.entries({
    serverUrl: args['server-url'],
    deviceToken: args['device-token'],
    storeName: args['store-name'],
    deviceName: args['device-name'],
    allowInsecure: args['allow-insecure'] || undefined,
  }).filter(([, v]) => v !== undefined),
);

let host: Awaited<ReturnType<typeof startWebHost>>;
try {
  host = await startWebHost({
    dataDir: args['data-dir'],
    port,
    settings,
    seedDemo: args['seed-demo'],
    log: stderrLogger(args.verbose),
    ...(args['renderer-dir'] ? { rendererDir: args['renderer-dir'] } : {}),
  });
} catch (e) {
  process.stderr.write(`till web host could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
process.stdout.write(`TILL_URL=${host.url}\nDISPLAY_URL=${host.displayUrl}\n`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await host.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
