/**
 * `npm start`: the whole system on this machine with nothing to configure and no provider account.
 * Starts both provider sandboxes and the sync-server (SQLite under <data>/server, the folder `npm run server`
 * uses by default), enrols the demo store `toko-demo` and its till on first run, and opens the till: in
 * Electron when its binary is present, otherwise through the web host, whose URL it prints. Ctrl-C stops
 * everything.
 *
 * Ports come from the environment, the same names as `npm run sandbox` (0 picks a free port):
 *   PORT (sync-server, 8787), TILL_PORT (till web host, 5174), XENDIT_SANDBOX_PORT (4010),
 *   MIDTRANS_SANDBOX_PORT (4020), PAYER_PORT (4030); KASIR_DATA_DIR (./data) holds everything it writes;
 *   KASIR_TILL=web opens the browser till even when Electron is installed.
 * A busy port or a data folder already in use by another `npm start` ends it with one line and exit code 1.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { authenticateDevice } from '../sync-server/src/services/devices.ts';
import { isStale } from './build-check.ts';
import { startSystem } from './system.ts';

const root = resolve(import.meta.dirname, '..');
const DEMO_STORE = 'toko-demo';
const DEMO_STORE_NAME = 'Toko Demo Kasir';

function die(message: string, code = 1): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(code);
}

/** One port setting: its variable, its default and what listens on it (for the busy-port message). */
type PortSetting = { env: string; fallback: number; what: string };
const PORTS = {
  server: { env: 'PORT', fallback: 8787, what: 'the sync-server' },
  till: { env: 'TILL_PORT', fallback: 5174, what: 'the till web host' },
  xendit: { env: 'XENDIT_SANDBOX_PORT', fallback: 4010, what: 'the Xendit sandbox' },
  midtrans: { env: 'MIDTRANS_SANDBOX_PORT', fallback: 4020, what: 'the Midtrans sandbox' },
  payer: { env: 'PAYER_PORT', fallback: 4030, what: 'the wallet payer' },
} as const satisfies Record<string, PortSetting>;
type PortName = keyof typeof PORTS;

function readPort(s: PortSetting): number {
  const raw = process.env[s.env];
  if (raw === undefined || raw === '') return s.fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) die(`${s.env} must be a port number 0…65535, got "${raw}"`, 2);
  return n;
}

const ports = Object.fromEntries((Object.keys(PORTS) as PortName[]).map((k) => [k, readPort(PORTS[k])])) as Record<
  PortName,
  number
>;

const busyMessage = (name: PortName, port: number) =>
  `port ${port} for ${PORTS[name].what} is already in use (another npm start?); ` +
  `set ${PORTS[name].env} to a free port, or 0 for any`;

/** Fails fast, before anything starts, when one of the fixed ports is taken. */
async function checkFree(name: PortName, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((ok) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') die(busyMessage(name, port));
      if (e.code === 'EACCES') die(`port ${port} for ${PORTS[name].what} needs privileges; set ${PORTS[name].env}`);
      die(`port ${port} for ${PORTS[name].what}: ${e.message}`);
    });
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => ok()));
  });
}

const defaultDataDir = join(root, 'data');
const dataDir = resolve(process.env.KASIR_DATA_DIR || defaultDataDir);
mkdirSync(dataDir, { recursive: true });

// One npm start per data folder: two would run two servers and two tills on the same databases.
const lockFile = join(dataDir, 'npm-start.pid');
function takeLock(): void {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const other = Number(readFileSync(lockFile, 'utf8').trim());
  let alive = false;
  if (Number.isInteger(other) && other > 0 && other !== process.pid) {
    try {
      process.kill(other, 0);
      alive = true;
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (alive) die(`${dataDir} is in use by another npm start (pid ${other}); stop it or set KASIR_DATA_DIR`);
  writeFileSync(lockFile, String(process.pid)); // left behind by a start that was killed
}
takeLock();
process.on('exit', () => {
  try {
    if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile, { force: true });
  } catch {
    // already gone
  }
});

for (const name of Object.keys(PORTS) as PortName[]) await checkFree(name, ports[name]);

// Something may still take a port between the check and the listen: say so in the same one line.
async function orBusy<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { port?: number };
    if (err.code === 'EADDRINUSE') {
      const name = (Object.keys(PORTS) as PortName[]).find((k) => ports[k] === err.port && err.port !== 0);
      die(name ? busyMessage(name, ports[name]) : `a port is already in use: ${err.message}`);
    }
    throw e;
  }
}

const sys = await orBusy(
  startSystem({
    dataDir,
    port: ports.server,
    sandboxPorts: { xendit: ports.xendit, midtrans: ports.midtrans, payer: ports.payer },
    paymentTtlSeconds: Number(process.env.PAYMENT_TTL_SECONDS ?? 900),
    sweepIntervalMs: 5_000,
  }),
);

// The demo till's token is kept beside the data so a restart reuses the same device.
const deviceFile = join(dataDir, 'demo-device.json');
type DemoDevice = { storeId: string; token: string };
let demo: DemoDevice | null = existsSync(deviceFile)
  ? (JSON.parse(readFileSync(deviceFile, 'utf8')) as DemoDevice)
  : null;
if (!demo || !(await authenticateDevice(sys.server.ctx.database.db, demo.token))) {
  const { token } = await sys.enrolDevice({
    storeId: DEMO_STORE,
    storeName: DEMO_STORE_NAME,
    deviceName: 'Kasir 1',
    provider: 'xendit',
  });
  demo = { storeId: DEMO_STORE, token };
  writeFileSync(deviceFile, JSON.stringify(demo), { mode: 0o600 });
}

/**
 * The Electron binary, if the electron package's install step downloaded it. Checked through the files the
 * package writes rather than require('electron'), which would try to download the binary right now.
 */
function electronBinary(): string | null {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const children: ChildProcess[] = [];
const tillDataDir = join(dataDir, 'till');
// KASIR_TILL=web opens the browser till even where Electron is installed (a headless box, a test).
const electron = process.env.KASIR_TILL === 'web' ? null : electronBinary();
// Rebuilt when missing or older than any of its sources (an edit since the last build must show).
const at = (...p: string[]) => p.map((x) => join(root, x));
const rendererStale = isStale(
  join(root, 'dist/renderer/index.html'),
  at('renderer', 'shared', 'vite.config.ts', 'package-lock.json'),
);
const electronStale =
  electron !== null &&
  isStale(
    join(root, 'dist-electron/main.cjs'),
    at('electron', 'shared', 'scripts/build-electron.ts', 'package-lock.json'),
  );
if (rendererStale || electronStale) {
  process.stdout.write('Building the till…\n');
  const r = spawnSync('npm', ['run', '--silent', electron ? 'build' : 'build:renderer'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    await sys.stop();
    die(`building the till failed (exit ${r.status ?? r.signal})`);
  }
}
// The manager dashboard the sync-server serves at /admin/: the same rule (`npm run build` above builds it too).
if (
  isStale(
    join(root, 'dist-admin/index.html'),
    at('sync-server/admin', 'shared', 'vite.admin.config.ts', 'package-lock.json'),
  )
) {
  process.stdout.write('Building the manager dashboard…\n');
  const r = spawnSync('npm', ['run', '--silent', 'build:admin'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    await sys.stop();
    die(`building the manager dashboard failed (exit ${r.status ?? r.signal})`);
  }
}

const banner = (lines: string[]) => process.stdout.write(`\n${lines.join('\n')}\n\n`);
// The server CLI finds this database by itself when the data folder is the default one.
const serverDataDir = join(dataDir, 'server');
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
const cliEnv = dataDir === defaultDataDir ? '' : `DATA_DIR=${shellWord(serverDataDir)} `;
const common = [
  `sync-server   ${sys.serverUrl}  (health: ${sys.serverUrl}/health, metrics: ${sys.serverUrl}/metrics)`,
  `dashboard     ${sys.serverUrl}/admin/  (a manager: ${cliEnv}npm run server -- add-manager --store ${DEMO_STORE} --email you@example.com)`,
  `sandboxes     Xendit ${sys.xenditUrl}   Midtrans ${sys.midtransUrl}`,
  `wallet payer  POST ${sys.payerUrl} {"qr_string": "<decoded QR>"}  — pays a QR like a customer's app`,
  `demo store    ${DEMO_STORE}: ${cliEnv}npm run server -- set-provider --store ${DEMO_STORE} --provider midtrans`,
];

let stopping = false;
async function shutdown(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await sys.stop();
  process.exit(code);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

if (electron) {
  const child = spawn(electron, [join(root, 'dist-electron/main.cjs')], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      KASIR_DATA_DIR: tillDataDir,
      KASIR_SERVER_URL: sys.serverUrl,
      KASIR_DEVICE_TOKEN: demo.token,
      KASIR_STORE_NAME: DEMO_STORE_NAME,
      KASIR_DEVICE_NAME: 'Kasir 1',
      KASIR_SEED_DEMO: '1',
    },
  });
  children.push(child);
  child.on('exit', (code) => void shutdown(code ?? 0));
  banner(['Kasir QRIS is running (Electron till).', ...common]);
} else {
  const child = spawn(
    process.execPath,
    [
      join(root, 'electron/web-host/main.ts'),
      '--data-dir',
      tillDataDir,
      '--port',
      String(ports.till),
      '--server-url',
      sys.serverUrl,
      '--device-token',
      demo.token,
      '--store-name',
      DEMO_STORE_NAME,
      '--device-name',
      'Kasir 1',
      '--seed-demo',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /TILL_URL=(\S+)/.exec(buf);
    const disp = /DISPLAY_URL=(\S+)/.exec(buf);
    if (m && disp) {
      banner([
        'Kasir QRIS is running. Electron is not available here, so open the till in a browser:',
        `till          ${m[1]}`,
        `customer     ${disp[1]}`,
        ...common,
        'Ctrl-C stops everything.',
      ]);
      buf = '';
    }
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`npm start: the till web host exited (${code ?? signal}); stopping\n`);
    void shutdown(code || 1);
  });
}
