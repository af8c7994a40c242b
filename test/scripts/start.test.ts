/**
 * `npm start` (scripts/start.ts) as an operator runs it: ports from the same environment variables as
 * `npm run sandbox`, a one-line refusal on a busy port or a data folder in use, and a demo store the server CLI
 * finds. Every run uses its own temp data folder and free ports (0), so it never touches ./data or 8787.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStale, newestMtime } from '../../scripts/build-check.ts';

const root = join(import.meta.dirname, '../..');
const PORT_VARS = ['PORT', 'TILL_PORT', 'XENDIT_SANDBOX_PORT', 'MIDTRANS_SANDBOX_PORT', 'PAYER_PORT'] as const;

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'kasir-start-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** The environment of a run: every port free (0) unless given, no server settings inherited from outside. */
function env(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, KASIR_DATA_DIR: dataDir, KASIR_TILL: 'web' };
  for (const k of ['DATA_DIR', 'DATABASE_URL', 'HOST']) delete e[k];
  for (const v of PORT_VARS) e[v] = '0';
  return { ...e, ...extra };
}

async function busyPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  cleanup.push(() => new Promise<void>((ok) => s.close(() => ok())));
  return (s.address() as { port: number }).port;
}

const startSync = (e: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['scripts/start.ts'], { cwd: root, env: e, encoding: 'utf8', timeout: 60_000 });

/** One line, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('npm start refuses what it cannot do in one line', () => {
  it.each(PORT_VARS)('a busy %s names the port and the variable, and exits non-zero', async (name) => {
    const port = await busyPort();
    const r = startSync(env(join(tmp(), 'data'), { [name]: String(port) }));
    expect(r.status).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toContain(`port ${port}`);
    expect(line).toContain(`set ${name}`);
  });

  it('a port that is not a number', () => {
    const r = startSync(env(join(tmp(), 'data'), { XENDIT_SANDBOX_PORT: '40x0' }));
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain('XENDIT_SANDBOX_PORT');
  });

  it('a data folder another running npm start holds', () => {
    const dataDir = join(tmp(), 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'npm-start.pid'), String(process.pid)); // this test process: alive
    const r = startSync(env(dataDir));
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toContain(`pid ${process.pid}`);
    expect(r.stderr).toContain('KASIR_DATA_DIR');
  });
});

describe('npm start runs beside another instance and shares its database with the server CLI', () => {
  it('starts on free ports, prints a CLI command that finds toko-demo, and stops cleanly', async () => {
    const base = tmp();
    const dataDir = join(base, 'data');
    mkdirSync(dataDir, { recursive: true });
    // A lock left by an npm start that was killed (its pid is gone) does not block the next one.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'npm-start.pid'), String(dead));

    // A build older than its sources (here: than every source) is rebuilt, not served stale.
    const built = join(root, 'dist/renderer/index.html');
    if (existsSync(built)) utimesSync(built, 1, 1);

    const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], {
      cwd: root,
      env: env(dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    for (let i = 0; i < 1_800 && !/Ctrl-C stops everything/.test(out); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out, err).toMatch(/Ctrl-C stops everything/);
    expect(out).toContain('Building the till');
    expect(statSync(built).mtimeMs).toBeGreaterThan(1_000);
    const serverUrl = /sync-server\s+(http:\/\/\S+)/.exec(out)?.[1];
    const tillUrl = /till\s+(http:\/\/\S+)/.exec(out)?.[1];
    expect(serverUrl).toBeDefined();
    expect((await fetch(`${serverUrl}/health`)).status).toBe(200);
    expect((await fetch(tillUrl!)).status).toBe(200);

    // The banner's own command, as printed, finds the demo store in npm start's database.
    const cmd = /demo store\s+toko-demo: DATA_DIR=(\S+) npm run server -- (set-provider .*)$/m.exec(out);
    expect(cmd, out).not.toBeNull();
    const cli = (cwd: string, e: NodeJS.ProcessEnv, args: string[]) =>
      spawnSync(process.execPath, [join(root, 'sync-server/src/main.ts'), ...args], { cwd, env: e, encoding: 'utf8' });
    const printed = cli(root, { ...env(dataDir), DATA_DIR: cmd![1]!, LOG_LEVEL: 'silent' }, cmd![2]!.split(' '));
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toContain('store toko-demo now uses midtrans');
    // And with no DATA_DIR at all, from the folder that holds npm start's data folder (as `npm run` does from
    // the project folder, whose ./data is npm start's default).
    const byDefault = cli(base, { ...env(dataDir), LOG_LEVEL: 'silent' }, [
      'set-provider',
      '--store',
      'toko-demo',
      '--provider',
      'xendit',
    ]);
    expect(byDefault.stderr).toBe('');
    expect(byDefault.stdout).toContain('store toko-demo now uses xendit');

    // A second instance on the first one's server port is refused in one line, the first keeps running.
    const port = new URL(serverUrl!).port;
    const second = startSync(env(join(tmp(), 'data'), { PORT: port }));
    expect(second.status).toBe(1);
    expect(oneLine(second.stderr)).toContain(`set PORT`);
    expect((await fetch(`${serverUrl}/health`)).status).toBe(200);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'npm-start.pid'))).toBe(false);
  }, 240_000);
});

describe('rebuilding the till when its sources changed', () => {
  it('is stale when the output is missing or any source below the folders is newer', () => {
    const d = tmp();
    const out = join(d, 'dist', 'index.html');
    mkdirSync(join(d, 'dist'));
    mkdirSync(join(d, 'src', 'deep'), { recursive: true });
    mkdirSync(join(d, 'src', 'node_modules'));
    const src = join(d, 'src', 'deep', 'a.tsx');
    const shared = join(d, 'shared.ts');
    const ignored = join(d, 'src', 'node_modules', 'x.js');
    for (const f of [src, shared, ignored]) writeFileSync(f, '');
    const at = (f: string, s: number) => utimesSync(f, s, s);
    at(src, 1_000);
    at(shared, 1_000);
    at(ignored, 9_000);
    expect(isStale(out, [join(d, 'src'), shared])).toBe(true); // never built
    writeFileSync(out, '');
    at(out, 2_000);
    expect(newestMtime([join(d, 'src'), shared, join(d, 'missing')])).toBe(1_000_000);
    expect(isStale(out, [join(d, 'src'), shared])).toBe(false);
    at(src, 3_000);
    expect(isStale(out, [join(d, 'src'), shared])).toBe(true);
    at(src, 1_000);
    at(shared, 3_000);
    expect(isStale(out, [join(d, 'src'), shared])).toBe(true);
  });
});
