/**
 * Reads a QR code back from a screenshot the way a phone would: from pixels only. jsQR first; zbarimg (a
 * different decoder) as a second opinion when jsQR cannot lock on, so a decoder quirk does not fail the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export function decodeQrPng(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  // jsqr is CommonJS with a typed default export: `.default` is the function under every loader.
  const hit = jsQR.default(
    new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength),
    img.width,
    img.height,
  );
  if (hit?.data) return hit.data;
  const dir = mkdtempSync(join(tmpdir(), 'kasir-qr-'));
  try {
    const file = join(dir, 'qr.png');
    writeFileSync(file, png);
    const out = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' }).trim();
    return out === '' ? null : out;
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
