/**
 * `npm start`: the whole system on this machine with nothing to configure and no provider account.
 * Starts both provider sandboxes and the sync-server (SQLite under ./data), enrols a demo store and till on
 * first run, and opens the till: in Electron when its binary is present, otherwise through the web host,
 * whose URL it prints. Ctrl-C stops everything.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { authenticateDevice } from '../sync-server/src/services/devices.ts';
import { startSystem } from './system.ts';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.KASIR_DATA_DIR ?? join(root, 'data'));
const port = Number(process.env.PORT ?? 8787);
const tillPort = Number(process.env.TILL_PORT ?? 5174);
mkdirSync(dataDir, { recursive: true });

const sys = await startSystem({
  dataDir,
  port,
  sandboxPorts: { xendit: 4010, midtrans: 4020, payer: 4030 },
  paymentTtlSeconds: Number(process.env.PAYMENT_TTL_SECONDS ?? 900),
  sweepIntervalMs: 5_000,
});

// The demo till's token is kept beside the data so a restart reuses the same device.
const deviceFile = join(dataDir, 'demo-device.json');
type DemoDevice = { storeId: string; token: string };
let demo: DemoDevice | null = existsSync(deviceFile)
  ? (JSON.parse(readFileSync(deviceFile, 'utf8')) as DemoDevice)
  : null;
if (!demo || !(await authenticateDevice(sys.server.ctx.database.db, demo.token))) {
  const storeId = 'toko-demo';
  const { token } = await sys.enrolDevice({
    storeId,
    storeName: 'Toko Demo Kasir',
    deviceName: 'Kasir 1',
    provider: 'xendit',
  });
  demo = { storeId, token };
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
const electron = electronBinary();
if (
  !existsSync(join(root, 'dist/renderer/index.html')) ||
  (electron && !existsSync(join(root, 'dist-electron/main.cjs')))
) {
  process.stdout.write('Building the till…\n');
  const r = spawnSync('npm', ['run', '--silent', electron ? 'build' : 'build:renderer'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const banner = (lines: string[]) => process.stdout.write(`\n${lines.join('\n')}\n\n`);
const common = [
  `sync-server   ${sys.serverUrl}  (health: ${sys.serverUrl}/health, metrics: ${sys.serverUrl}/metrics)`,
  `sandboxes     Xendit ${sys.xenditUrl}   Midtrans ${sys.midtransUrl}`,
  `wallet payer  POST ${sys.payerUrl} {"qr_string": "<decoded QR>"}  — pays a QR like a customer's app`,
];

if (electron) {
  const child = spawn(electron, [join(root, 'dist-electron/main.cjs')], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      KASIR_DATA_DIR: tillDataDir,
      KASIR_SERVER_URL: sys.serverUrl,
      KASIR_DEVICE_TOKEN: demo.token,
      KASIR_STORE_NAME: 'Toko Demo Kasir',
      KASIR_DEVICE_NAME: 'Kasir 1',
      KASIR_SEED_DEMO: '1',
    },
  });
  children.push(child);
  child.on('exit', () => void shutdown());
  banner(['Kasir QRIS is running (Electron till).', ...common]);
} else {
  const child = spawn(
    process.execPath,
    [
      join(root, 'electron/web-host/main.ts'),
      '--data-dir',
      tillDataDir,
      '--port',
      String(tillPort),
      '--server-url',
      sys.serverUrl,
      '--device-token',
      demo.token,
      '--store-name',
      'Toko Demo Kasir',
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
  child.on('exit', (code) => {
    if (code) process.stderr.write(`the till web host exited with ${code}\n`);
    void shutdown();
  });
}

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await sys.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
