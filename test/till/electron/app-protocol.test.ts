import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appProtocolHandler, resolveAppFile } from '../../../electron/main/app-protocol.ts';
import { tempDir } from '../core/helpers.ts';

describe('app:// protocol', () => {
  it('maps app URLs into the renderer folder and nowhere else', () => {
    const root = '/srv/renderer';
    expect(resolveAppFile(root, 'app://till/')).toBe('/srv/renderer/index.html');
    expect(resolveAppFile(root, 'app://till/assets/a.js?x=1#h')).toBe('/srv/renderer/assets/a.js');
    for (const u of [
      'app://till/../../etc/passwd',
      'app://till/%2e%2e/%2e%2e/etc/passwd',
      'app://till/..%2f..%2fetc%2fpasswd',
      'app://till/assets/%00.js',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://till/%E0%A4%A',
    ]) {
      // Either refused or clamped inside the folder (`..` cannot climb above the URL root).
      const f = resolveAppFile(root, u);
      expect(f === null || f.startsWith('/srv/renderer/')).toBe(true);
    }
  });

  it('serves files with their type and the CSP header, 404 for the rest', async () => {
    const dir = tempDir('renderer-');
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'a.js'), 'x');
    const handle = appProtocolHandler(dir);
    const page = await handle({ url: 'app://till/' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toBe('<!doctype html>');
    expect((await handle({ url: 'app://till/assets/a.js' })).headers.get('content-type')).toContain('javascript');
    expect((await handle({ url: 'app://till/missing.js' })).status).toBe(404);
    expect((await handle({ url: 'app://till/../../etc/passwd' })).status).toBe(404);
  });
});
