import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../../../scripts/build-electron.ts';
import { TILL_METHODS } from '../../../shared/ipc.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const repoRequire = createRequire(import.meta.url);
// The YAML parser electron-builder itself uses (a dependency of app-builder-lib), so "parses" means the same.
const { load: parseYaml } = repoRequire('js-yaml') as { load(s: string): unknown };
let out: string;

/**
 * Loads a CommonJS bundle with `electron` replaced by a plain object (the binary cannot run here) and the
 * external better-sqlite3 taken from this repository (the bundle sits in a temp folder without node_modules).
 */
function loadWithElectron(file: string, electron: unknown): void {
  const sqlite = repoRequire('better-sqlite3');
  const original = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load;
  (Module as unknown as { _load: unknown })._load = (request: string, ...rest: unknown[]) =>
    request === 'electron' ? electron : request === 'better-sqlite3' ? sqlite : original(request, ...rest);
  try {
    repoRequire(file);
  } finally {
    (Module as unknown as { _load: unknown })._load = original;
  }
}

describe('electron bundles', () => {
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'dist-electron-'));
    await buildElectron(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles the preload as one CommonJS file that needs only electron, and exposes the verbs', () => {
    const src = readFileSync(join(out, 'preload.cjs'), 'utf8');
    const requires = new Set([...src.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect([...requires]).toEqual(['electron']);
    const exposed: Record<string, unknown> = {};
    loadWithElectron(join(out, 'preload.cjs'), {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
      ipcRenderer: { invoke: async () => null, on: () => {}, removeListener: () => {} },
    });
    expect(Object.keys(exposed)).toEqual(['pos']);
    expect(Object.keys(exposed.pos as object).sort()).toEqual([...Object.keys(TILL_METHODS), 'onEvent'].sort());
  });

  it('bundles main with better-sqlite3 external and quits when another instance holds the lock', () => {
    const src = readFileSync(join(out, 'main.cjs'), 'utf8');
    expect(src).toContain('require("better-sqlite3")');
    expect(src).not.toContain('import.meta');
    let quit = 0;
    loadWithElectron(join(out, 'main.cjs'), {
      app: { requestSingleInstanceLock: () => false, quit: () => quit++ },
      BrowserWindow: class {},
      ipcMain: {},
      protocol: {},
      session: {},
    });
    expect(quit).toBe(1);
    expect(readFileSync(join(out, 'migrations', '0001_init.sql'), 'utf8')).toContain('CREATE TABLE sales');
  });
});

describe('electron-builder.yml', () => {
  it('parses and packages what the app needs', () => {
    const cfg = parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    expect(cfg.appId).toBe('id.kasirqris.till');
    expect(cfg.npmRebuild).toBe(false);
    expect(cfg.files).toEqual(expect.arrayContaining(['dist-electron/**', 'dist/renderer/**']));
    expect(JSON.stringify(cfg.asarUnpack)).toContain('better-sqlite3');
    expect(JSON.stringify(cfg.linux)).toContain('AppImage');
    expect(JSON.stringify(cfg.linux)).toContain('deb');
    expect(JSON.stringify(cfg.win)).toContain('nsis');
  });

  it('has the icon it names, at least 256×256', () => {
    const { PNG } = repoRequire('pngjs') as typeof import('pngjs');
    const icon = PNG.sync.read(readFileSync(join(root, 'build', 'icon.png')));
    expect(Math.min(icon.width, icon.height)).toBeGreaterThanOrEqual(256);
  });
});
