/**
 * Bundles the Electron shell: dist-electron/main.cjs (main process + till core) and dist-electron/preload.cjs
 * (one CommonJS file, because a sandboxed preload can require nothing but `electron`). better-sqlite3 stays
 * external: it is a native module that electron-builder unpacks from the asar. The SQL migrations are copied
 * beside main.cjs, where the bundled core looks for them.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { PNG } from 'pngjs';

const root = join(import.meta.dirname, '..');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 ships Node 22.
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // The sources are ESM with import.meta.dirname; in a CJS bundle the folder of the bundle is __dirname.
  define: { 'import.meta.dirname': '__dirname' },
};

export async function buildElectron(out: string = join(root, 'dist-electron')): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'electron/main/index.ts')],
      outfile: join(out, 'main.cjs'),
      external: ['electron', 'better-sqlite3'],
    }),
    build({
      ...common,
      entryPoints: [join(root, 'electron/preload/index.ts')],
      outfile: join(out, 'preload.cjs'),
      external: ['electron'],
      // It is parsed on every window load; zod comes along with the shared contract, so keep it small.
      minify: true,
    }),
    build({
      ...common,
      entryPoints: [join(root, 'electron/preload/display.ts')],
      outfile: join(out, 'display-preload.cjs'),
      external: ['electron'],
      minify: true,
    }),
  ]);
  cpSync(join(root, 'electron/core/db/migrations'), join(out, 'migrations'), { recursive: true });
}

/**
 * The app icon electron-builder needs (build/icon.png, at least 256×256): a teal tile with the three QR
 * finder squares, drawn here so the repository holds no hand-made binary that nobody can regenerate.
 */
export function makeIcon(file: string = join(root, 'build', 'icon.png'), size = 512): void {
  const png = new PNG({ width: size, height: size });
  const unit = size / 32;
  const inFinder = (x: number, y: number, ox: number, oy: number) => {
    const dx = x - ox;
    const dy = y - oy;
    if (dx < 0 || dy < 0 || dx >= 7 || dy >= 7) return null;
    const ring = dx === 0 || dy === 0 || dx === 6 || dy === 6;
    const core = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
    return ring || core;
  };
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = Math.floor(px / unit) - 4;
      const y = Math.floor(py / unit) - 4;
      const corner = Math.min(px, size - 1 - px) < 3 * unit && Math.min(py, size - 1 - py) < 3 * unit;
      const cx = Math.min(px, size - 1 - px) - 3 * unit;
      const cy = Math.min(py, size - 1 - py) - 3 * unit;
      const outside = corner && cx * cx + cy * cy > 9 * unit * unit;
      const mark =
        inFinder(x, y, 0, 0) ??
        inFinder(x, y, 17, 0) ??
        inFinder(x, y, 0, 17) ??
        (x >= 10 && x <= 23 && y >= 10 && y <= 23 && (x * 7 + y * 13) % 5 < 2);
      const i = (py * size + px) * 4;
      const [r, g, b] = mark ? [255, 255, 255] : [14, 124, 102];
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = outside ? 0 : 255;
    }
  }
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, PNG.sync.write(png));
}

if (import.meta.main) {
  if (!existsSync(join(root, 'build', 'icon.png'))) makeIcon();
  await buildElectron();
  process.stdout.write('built dist-electron/main.cjs and dist-electron/preload.cjs\n');
}
