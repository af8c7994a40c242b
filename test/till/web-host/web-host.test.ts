import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../../electron/core/errors.ts';
import {
  checkHeaderToken,
  checkProtocolToken,
  isAllowedHost,
  isAllowedOrigin,
  TOKEN_HEADER,
  tokenMatches,
} from '../../../electron/web-host/guards.ts';
import { startWebHost, type WebHost } from '../../../electron/web-host/start.ts';
import { TILL_EVENTS } from '../../../shared/ipc.ts';
import { tempDir } from '../core/helpers.ts';

const hosts: WebHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

async function start(o: { withRenderer?: boolean } = {}): Promise<WebHost> {
  const rendererDir = tempDir('renderer-');
  if (o.withRenderer !== false) {
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>till</title>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  }
  const h = await startWebHost({ dataDir: tempDir(), port: 0, rendererDir, seedDemo: true, log: silentLogger });
  hosts.push(h);
  return h;
}

type Res = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** Raw HTTP so the test controls Host and Origin exactly (fetch forbids setting Host). */
function raw(
  h: WebHost,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: h.port, method: o.method ?? 'GET', path: o.path, headers: o.headers },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}

const api = (h: WebHost, channel: string, input: unknown, headers: Record<string, string> = {}) =>
  raw(h, {
    method: 'POST',
    path: `/api/${channel}`,
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: h.token, ...headers },
    body: JSON.stringify({ input }),
  });

describe('web host guards (pure)', () => {
  it('accepts only the loopback host names with our port', () => {
    expect(isAllowedHost('127.0.0.1:5174', 5174)).toBe(true);
    expect(isAllowedHost('localhost:5174', 5174)).toBe(true);
    for (const h of [
      undefined,
      '',
      '127.0.0.1',
      '127.0.0.1:5175',
      'evil.example:5174',
      '127.0.0.1.nip.io:5174',
      '[::1]:5174',
    ])
      expect(isAllowedHost(h, 5174)).toBe(false);
  });
  it('accepts no Origin or our own, refuses others including null', () => {
    expect(isAllowedOrigin(undefined, 80)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:80', 80)).toBe(true);
    for (const o of [
      'null',
      'http://evil.example',
      'https://127.0.0.1:80',
      'http://127.0.0.1:81',
      'http://127.0.0.1:80/',
    ])
      expect(isAllowedOrigin(o, 80)).toBe(false);
  });
  it('compares tokens exactly', () => {
    const t = 'a'.repeat(43);
    expect(tokenMatches(t, t)).toBe(true);
    for (const g of [undefined, '', `${t}a`, t.slice(1), t.toUpperCase(), 'x'.repeat(10_000)])
      expect(tokenMatches(g, t)).toBe(false);
    expect(checkHeaderToken(undefined, t)).toBe('missing');
    expect(checkHeaderToken([t, t], t)).toBe('wrong');
    expect(checkProtocolToken(`kasir-till, ${t}`, t)).toBe('ok');
    expect(checkProtocolToken('kasir-till', t)).toBe('missing');
    expect(checkProtocolToken(`kasir-till, nope, ${t}`, t)).toBe('ok');
    expect(checkProtocolToken('kasir-till, nope', t)).toBe('wrong');
  });
});

describe('web host over real HTTP', () => {
  it('prints a loopback URL carrying the token in the fragment', async () => {
    const h = await start();
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/#token=${h.token}`);
    expect(h.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 without the token, 403 with a wrong one, and the Result with the right one', async () => {
    const h = await start();
    const none = await raw(h, {
      method: 'POST',
      path: '/api/catalog:list',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const wrong = await api(h, 'catalog:list', undefined, { [TOKEN_HEADER]: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const good = await api(h, 'catalog:list', undefined);
    expect(good.status).toBe(200);
    const r = JSON.parse(good.body) as { ok: boolean; data: unknown[] };
    expect(r.ok).toBe(true);
    expect(r.data).toHaveLength(13);
  });

  it('refuses a wrong Host (DNS rebinding), a foreign Origin and cross-site fetches with 403', async () => {
    const h = await start();
    const rebinding = await api(h, 'catalog:list', undefined, { host: `evil.example:${h.port}` });
    expect(rebinding.status).toBe(403);
    const origin = await api(h, 'catalog:list', undefined, { origin: 'http://evil.example' });
    expect(origin.status).toBe(403);
    const site = await api(h, 'catalog:list', undefined, { 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
    const page = await raw(h, { path: '/', headers: { host: `attacker.test:${h.port}` } });
    expect(page.status).toBe(403);
    const ours = await api(h, 'catalog:list', undefined, {
      origin: `http://127.0.0.1:${h.port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(ours.status).toBe(200);
  });

  it('answers bad bodies, unknown channels and hostile input as typed errors', async () => {
    const h = await start();
    const notJson = await raw(h, {
      method: 'POST',
      path: '/api/sale:create',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: h.token },
      body: '{"input": ',
    });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const unknown = JSON.parse((await api(h, '__proto__', undefined)).body);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const neg = JSON.parse((await api(h, 'sale:create', { lines: [{ productId: 'x', qty: -1 }] })).body);
    expect(neg).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const huge = await api(h, 'catalog:list', { query: 'x'.repeat(300_000) });
    expect(huge.status).toBe(413);
  });

  it('serves the renderer with a CSP and security headers', async () => {
    const h = await start();
    const page = await raw(h, { path: '/', headers: { host: `127.0.0.1:${h.port}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>till</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${h.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await raw(h, { path: '/assets/app.js', headers: { host: `localhost:${h.port}` } });
    expect(js.status).toBe(200);
    expect(String(js.headers['content-type'])).toContain('javascript');
    const traversal = await raw(h, { path: '/..%2f..%2fpackage.json', headers: { host: `127.0.0.1:${h.port}` } });
    expect(traversal.status).not.toBe(200);
  });

  it('explains what to build when the renderer is missing, while the API still works', async () => {
    const h = await start({ withRenderer: false });
    const page = await raw(h, { path: '/', headers: { host: `127.0.0.1:${h.port}` } });
    expect(page.status).toBe(503);
    expect(page.body).toContain('npm run build:renderer');
    expect((await api(h, 'till:status', undefined)).status).toBe(200);
  });
});

describe('web host push events', () => {
  const connect = (h: WebHost, protocols: string[], headers: Record<string, string> = {}) =>
    new WebSocket(`ws://127.0.0.1:${h.port}/api/events`, protocols, { headers });

  const refusal = (ws: WebSocket) =>
    new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.on('error', () => {});
    });

  it('refuses a socket without the token (401), with a wrong one (403) or from a foreign origin (403)', async () => {
    const h = await start();
    expect(await refusal(connect(h, ['kasir-till']))).toBe(401);
    expect(await refusal(connect(h, ['kasir-till', 'x'.repeat(43)]))).toBe(403);
    expect(await refusal(connect(h, ['kasir-till', h.token], { origin: 'http://evil.example' }))).toBe(403);
  });

  it('pushes a status snapshot on connect, then sale and payment updates, never echoing the token', async () => {
    const h = await start();
    const ws = connect(h, ['kasir-till', h.token]);
    const frames: { name: string; payload: Record<string, unknown> }[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('kasir-till');
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(pred()).toBe(true);
    };
    await waitFor(() => frames.some((f) => f.name === TILL_EVENTS.connectionChanged));
    const catalog = JSON.parse((await api(h, 'catalog:list', undefined)).body) as { data: { id: string }[] };
    const sale = JSON.parse(
      (await api(h, 'sale:create', { lines: [{ productId: catalog.data[0]!.id, qty: 2 }] })).body,
    ) as {
      ok: true;
      data: { id: string; total: number };
    };
    expect(sale.ok).toBe(true);
    const paid = JSON.parse(
      (await api(h, 'payment:cash', { saleId: sale.data.id, tendered: sale.data.total + 1000 })).body,
    );
    expect(paid).toMatchObject({ ok: true, data: { change: 1000 } });
    await waitFor(() => frames.some((f) => f.name === TILL_EVENTS.paymentUpdated && f.payload.status === 'paid'));
    await waitFor(() => frames.some((f) => f.name === TILL_EVENTS.saleUpdated && f.payload.status === 'paid'));
    await waitFor(() => frames.some((f) => f.name === TILL_EVENTS.connectionChanged && f.payload.pendingOutbox === 2));
    ws.close();
  });
});

describe('settings given at launch', () => {
  const launch = async (dataDir: string, settings: Parameters<typeof startWebHost>[0]['settings']) => {
    const h = await startWebHost({ dataDir, port: 0, rendererDir: tempDir('renderer-'), settings, log: silentLogger });
    hosts.push(h);
    return h;
  };

  it('a relaunch with the same --server-url needs no token; a different one does, and public http a confirmation', async () => {
    const dataDir = tempDir();
    const first = await launch(dataDir, { serverUrl: 'http://127.0.0.1:9/', deviceToken: 'tok' });
    await first.close();
    hosts.splice(hosts.indexOf(first), 1);

    const again = await launch(dataDir, { serverUrl: 'http://127.0.0.1:9', storeName: 'Toko Dua' });
    expect(again.core.getSettings()).toMatchObject({
      serverUrl: 'http://127.0.0.1:9',
      hasDeviceToken: true,
      storeName: 'Toko Dua',
    });
    await again.close();
    hosts.splice(hosts.indexOf(again), 1);

    await expect(launch(dataDir, { serverUrl: 'http://127.0.0.1:10' })).rejects.toThrow(/token again/);
    await expect(launch(dataDir, { serverUrl: 'http://kasir.example.com', deviceToken: 't2' })).rejects.toThrow(
      /unencrypted/,
    );
    const confirmed = await launch(dataDir, {
      serverUrl: 'http://kasir.example.com',
      deviceToken: 't2',
      allowInsecure: true,
    });
    expect(confirmed.core.getSettings()).toMatchObject({ serverUrl: 'http://kasir.example.com', hasDeviceToken: true });
  });
});
