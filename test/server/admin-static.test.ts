/**
 * The manager dashboard's page and assets under /admin/: served from the build folder with a strict CSP on
 * every file, never anything outside that folder, a clear 503 when it is not built, and no shadowing of the
 * admin API's JSON answers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';
import { ADMIN_CSP } from '../../sync-server/src/routes/admin-static.ts';

const config = loadConfig({ LOG_LEVEL: 'silent' });
const memory = { ...config, database: { kind: 'sqlite', file: ':memory:' } } as const;

async function appWith(adminDir: string): Promise<App> {
  return buildApp({ config: memory, sweeper: false, adminDir });
}

describe('admin dashboard static files', () => {
  let dir: string;
  let built: App;
  let unbuilt: App;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kasir-admin-static-'));
    const dist = join(dir, 'dist-admin');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'admin-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, '.env'), 'SECRET=1');
    writeFileSync(join(dir, 'outside.txt'), 'not for the web');
    built = await appWith(dist);
    unbuilt = await appWith(join(dir, 'missing'));
  });
  afterAll(async () => {
    await built.app.close();
    await unbuilt.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at /admin/ with a strict CSP and revalidation', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/admin/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('id="root"');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toBe(ADMIN_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('redirects /admin to /admin/', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/admin' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/admin/');
  });

  it('serves hashed assets as immutable, with the same CSP', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/admin/assets/admin-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['content-security-policy']).toBe(ADMIN_CSP);
  });

  it.each([
    '/admin/../outside.txt',
    '/admin/%2e%2e/outside.txt',
    '/admin/assets/..%2f..%2foutside.txt',
    '/admin/.env',
    '/admin/nothing-here.js',
  ])('never serves %s', async (url) => {
    const res = await built.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toContain('not for the web');
    expect(res.body).not.toContain('SECRET');
  });

  it('leaves unknown /admin/api paths to the JSON 404', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/admin/api/no-such-endpoint' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 503 with how to build it when the dashboard is not built', async () => {
    const res = await unbuilt.app.inject({ method: 'GET', url: '/admin/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:admin');
    expect(res.headers['content-security-policy']).toBe(ADMIN_CSP);
  });
});
