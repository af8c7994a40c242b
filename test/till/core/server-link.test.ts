/**
 * What the till core sends to which server, and how it reads a server's failures:
 * - the device token goes only to the URL it was entered with (issue 6, defect 5): a new URL needs the token
 *   again, plain http outside the shop's network needs the manager's confirmation, and redirects are not
 *   followed;
 * - the server's provider errors (502/503/501 with its error body) are provider errors, not "server
 *   unreachable", and the till waits for a provider-bound request longer than the server waits for the provider.
 * The servers here are small recording stubs on ephemeral loopback ports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSettings } from '../../../electron/core/db/repos/settings-repo.ts';
import { TillFailure } from '../../../electron/core/errors.ts';
import { createHandlers } from '../../../electron/core/handlers.ts';
import { classify, ServerApi } from '../../../electron/core/sync/server-api.ts';
import type { TillCore } from '../../../electron/core/till-core.ts';
import { PROVIDER_CALLS_PER_REQUEST, PROVIDER_TIMEOUT_MAX_MS } from '../../../shared/deadlines.ts';
import { newId } from '../../../shared/ids.ts';
import type { PaymentView } from '../../../shared/schemas/sync-api.ts';
import { isLocalNetworkHost, needsInsecureConfirmation } from '../../../shared/server-url.ts';
import { loadConfig } from '../../../sync-server/src/config.ts';
import { makeCore, tempDir } from './helpers.ts';

type Seen = { method: string; url: string; authorization: string | undefined; upgrade: boolean };
type Stub = { url: string; seen: Seen[]; close(): Promise<void> };
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

const stubs: Stub[] = [];
afterEach(async () => {
  for (const s of stubs.splice(0)) await s.close();
});

/** A loopback HTTP server that records every request and WebSocket upgrade (refusing the upgrades). */
async function stub(handler: Handler = (_q, res) => json(res, 404, { error: { code: 'NOT_FOUND', message: 'x' } })) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      upgrade: false,
    });
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => void handler(req, res, body));
  });
  server.on('upgrade', (req, socket) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      upgrade: true,
    });
    socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const s: Stub = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  stubs.push(s);
  return s;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Records a sale and asks the server for its QRIS (an authenticated POST); the answer does not matter. */
async function charge(core: TillCore): Promise<void> {
  const h = createHandlers(core);
  const sale = await h['sale:create']({ lines: [{ productId: core.listCatalog(undefined)[0]!.id, qty: 1 }] });
  if (!sale.ok) throw new Error(sale.error.message);
  await h['payment:startQris']({ saleId: sale.data.id });
}

const until = async (cond: () => boolean, ms = 5_000) => {
  for (let t = 0; t < ms && !cond(); t += 20) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
};

describe('the device token stays with the server URL it was entered with', () => {
  it('refuses a new server URL without the token (schema and core), keeping the stored settings', async () => {
    const core = makeCore();
    const h = createHandlers(core);
    expect((await h['settings:set']({ serverUrl: 'https://kasir.toko.id', deviceToken: 'tok-A' })).ok).toBe(true);

    const r = await h['settings:set']({ serverUrl: 'https://evil.example.com' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!r.ok) expect(r.error.message).toMatch(/deviceToken: .*token again/);
    // The core refuses on its own too, whoever calls it.
    expect(() => core.saveSettings({ serverUrl: 'https://evil.example.com' })).toThrow(TillFailure);
    expect(() => core.saveSettings({ serverUrl: 'https://evil.example.com', deviceToken: null })).toThrow(
      /token again/,
    );
    expect(core.getSettings()).toMatchObject({ serverUrl: 'https://kasir.toko.id', hasDeviceToken: true });

    // The same URL may be given again without a token (nothing changes) at the core; a new token alone is
    // bound to the stored URL.
    expect(core.saveSettings({ serverUrl: 'https://kasir.toko.id/' })).toMatchObject({ hasDeviceToken: true });
    expect((await h['settings:set']({ deviceToken: 'tok-A2' })).ok).toBe(true);
    expect(core.getSettings()).toMatchObject({ serverUrl: 'https://kasir.toko.id', hasDeviceToken: true });
  });

  it('never sends the stored token to a new URL, over HTTP or the live socket', async () => {
    const a = await stub();
    const b = await stub();
    const c = await stub();
    const dataDir = tempDir();
    const core = makeCore({ dataDir, pollIntervalMs: 60_000, live: { minBackoffMs: 20, maxBackoffMs: 50 } });
    const h = createHandlers(core);
    expect((await h['settings:set']({ serverUrl: a.url, deviceToken: 'token-of-A' })).ok).toBe(true);
    core.seedDemoCatalog();
    core.start();
    await until(() => a.seen.some((s) => s.upgrade));
    await charge(core);
    expect(a.seen.some((x) => x.method === 'POST' && x.url === '/v1/payments')).toBe(true);
    expect(a.seen.every((s) => s.authorization === 'Bearer token-of-A')).toBe(true);

    // The attack of defect 5: only a new URL. Refused, and B hears nothing.
    expect((await h['settings:set']({ serverUrl: b.url })).ok).toBe(false);
    // The manager enters B with B's token: B only ever sees B's token.
    expect((await h['settings:set']({ serverUrl: b.url, deviceToken: 'token-of-B' })).ok).toBe(true);
    await until(() => b.seen.some((s) => s.upgrade));
    await charge(core);
    expect(b.seen.some((x) => x.method === 'POST' && x.url === '/v1/payments')).toBe(true);
    expect(b.seen.map((x) => x.authorization)).not.toContain('Bearer token-of-A');
    expect(b.seen.every((x) => x.authorization === 'Bearer token-of-B')).toBe(true);
    core.close();

    // A database where the URL moved without its token (as the old code could leave it): the token is not
    // used at all, so nothing is sent to C, and the till says it needs configuring.
    const reopened = makeCore({ dataDir, pollIntervalMs: 20, live: { minBackoffMs: 20, maxBackoffMs: 50 } });
    writeSettings(reopened.db, { serverUrl: c.url });
    reopened.close();
    const again = makeCore({ dataDir, pollIntervalMs: 20, live: { minBackoffMs: 20, maxBackoffMs: 50 } });
    again.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(c.seen).toEqual([]);
    expect(again.getSettings()).toMatchObject({ serverUrl: c.url, hasDeviceToken: false });
    expect(again.status().configured).toBe(false);
  });

  it('keeps a token saved before tokens were bound working with the URL it had', () => {
    const dataDir = tempDir();
    const old = makeCore({ dataDir });
    writeSettings(old.db, { serverUrl: 'https://kasir.toko.id', deviceToken: 'legacy-token' });
    old.close();
    const core = makeCore({ dataDir });
    expect(core.getSettings()).toMatchObject({ serverUrl: 'https://kasir.toko.id', hasDeviceToken: true });
    expect(() => core.saveSettings({ serverUrl: 'https://other.toko.id' })).toThrow(/token again/);
  });

  it('clearing the server URL clears the token, and a token entered with no URL is never used', async () => {
    const core = makeCore();
    const h = createHandlers(core);
    await h['settings:set']({ serverUrl: 'https://kasir.toko.id', deviceToken: 'tok' });
    expect(await h['settings:set']({ serverUrl: null })).toMatchObject({
      ok: true,
      data: { serverUrl: null, hasDeviceToken: false },
    });
    expect(await h['settings:set']({ deviceToken: 'orphan' })).toMatchObject({ data: { hasDeviceToken: false } });
    expect((await h['settings:set']({ serverUrl: 'https://kasir.toko.id' })).ok).toBe(false);
  });

  it('refuses plain http outside the local network unless the manager confirms it', async () => {
    const core = makeCore();
    const h = createHandlers(core);
    for (const url of [
      'http://kasir.example.com',
      'http://8.8.8.8:8787',
      'http://172.32.0.1',
      'http://kasir.local.evil.id',
    ]) {
      const r = await h['settings:set']({ serverUrl: url, deviceToken: 'tok' });
      expect(r, url).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      if (!r.ok) expect(r.error.message).toMatch(/unencrypted/);
      expect(() => core.saveSettings({ serverUrl: url, deviceToken: 'tok' }), url).toThrow(/unencrypted/);
    }
    expect(core.getSettings().serverUrl).toBeNull();
    expect(
      await h['settings:set']({ serverUrl: 'http://kasir.example.com', deviceToken: 'tok', allowInsecure: true }),
    ).toMatchObject({ ok: true, data: { serverUrl: 'http://kasir.example.com', hasDeviceToken: true } });
    // https anywhere, and http inside the shop, need no confirmation.
    for (const url of [
      'https://kasir.example.com',
      'http://127.0.0.1:8787',
      'http://127.9.9.9',
      'http://[::1]:8787',
      'http://localhost:8787',
      'http://10.1.2.3',
      'http://172.16.0.1',
      'http://172.31.255.254',
      'http://192.168.1.10:8787',
      'http://kasir.local',
    ]) {
      expect((await h['settings:set']({ serverUrl: url, deviceToken: 'tok' })).ok, url).toBe(true);
    }
  });

  it('classifies hosts as the shop network exactly on the listed ranges', () => {
    const host = (u: string) => new URL(u).hostname;
    for (const u of ['http://127.0.0.1', 'http://0x7f.1', 'http://[::1]', 'http://LOCALHOST', 'http://a.b.local.']) {
      expect(isLocalNetworkHost(host(u)), u).toBe(true);
    }
    for (const u of [
      'http://172.15.255.255',
      'http://192.169.0.1',
      'http://11.0.0.1',
      'http://local',
      'http://[::2]',
    ]) {
      expect(isLocalNetworkHost(host(u)), u).toBe(false);
    }
    expect(needsInsecureConfirmation('https://8.8.8.8')).toBe(false);
    expect(needsInsecureConfirmation('http://8.8.8.8')).toBe(true);
  });

  it('does not follow a redirect, so the token cannot be carried to another address', async () => {
    const elsewhere = await stub((_q, res) => json(res, 200, {}));
    const redirecting = await stub((req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end();
    });
    const api = new ServerApi({ baseUrl: redirecting.url, token: 'secret' });
    const err = await api.getPayment(newId()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TillFailure);
    expect((err as TillFailure).message).toContain(elsewhere.url);
    expect(redirecting.seen).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]);
  });
});

describe('provider failures reach the cashier as provider failures', () => {
  it('maps the server provider error codes to PROVIDER_UNAVAILABLE whatever their status', () => {
    expect(classify(502, 'PROVIDER_REJECTED')).toBe('PROVIDER_UNAVAILABLE');
    expect(classify(503, 'PROVIDER_UNAVAILABLE')).toBe('PROVIDER_UNAVAILABLE');
    expect(classify(501, 'NOT_SUPPORTED')).toBe('PROVIDER_UNAVAILABLE');
    // Not the server's own answer: a proxy in front of it could not reach it.
    expect(classify(502, '')).toBe('SERVER_UNREACHABLE');
    expect(classify(500, 'INTERNAL')).toBe('SERVER_UNREACHABLE');
  });

  it('a 502 from the server while creating a QRIS is a provider error and does not mark the server down', async () => {
    const server = await stub((req, res) => {
      if (req.method === 'POST' && req.url === '/v1/payments') {
        return json(res, 502, { error: { code: 'PROVIDER_REJECTED', message: 'xendit: 400 API_VALIDATION_ERROR' } });
      }
      json(res, 404, { error: { code: 'NOT_FOUND', message: 'no' } });
    });
    const core = makeCore();
    core.seedDemoCatalog();
    const h = createHandlers(core);
    await h['settings:set']({ serverUrl: server.url, deviceToken: 'tok' });
    const sale = await h['sale:create']({ lines: [{ productId: core.listCatalog(undefined)[0]!.id, qty: 1 }] });
    if (!sale.ok) throw new Error(sale.error.message);
    const r = await h['payment:startQris']({ saleId: sale.data.id });
    expect(r).toMatchObject({ ok: false, error: { code: 'PROVIDER_UNAVAILABLE', retryable: true } });
    expect(core.status().lastError).toBeNull();
    // Cash still closes the sale (the open QRIS is cancelled locally when the server cannot cancel it).
    expect((await h['payment:cash']({ saleId: sale.data.id, tendered: sale.data.total })).ok).toBe(true);
  });

  it('waits for a provider-bound request longer than for a read, and gets the QR a slow provider made', async () => {
    const views = new Map<string, PaymentView>();
    const server = await stub(async (req, res, body) => {
      if (req.method === 'POST' && req.url === '/v1/payments') {
        const b = JSON.parse(body) as { payment_id: string; sale_id: string; amount: number };
        await new Promise((r) => setTimeout(r, 400)); // the server waiting on a slow provider
        const now = Date.now();
        const v: PaymentView = {
          payment_id: b.payment_id,
          sale_id: b.sale_id,
          store_id: 'toko',
          device_id: 'kasir',
          amount: b.amount,
          status: 'pending',
          late: false,
          provider: 'xendit',
          provider_ref: 'qr_1',
          qr_string: 'stub-qr',
          expires_at: now + 600_000,
          paid_at: null,
          refunded_amount: 0,
          created_at: now,
          updated_at: now,
        };
        views.set(v.payment_id, v);
        return json(res, 201, v);
      }
      const id = /^\/v1\/payments\/([^/]+)$/.exec(req.url ?? '')?.[1];
      await new Promise((r) => setTimeout(r, 400));
      const v = id ? views.get(id) : undefined;
      if (v) return json(res, 200, v);
      json(res, 404, { error: { code: 'NOT_FOUND', message: 'no' } });
    });
    // Scaled down: reads give up after 100 ms, provider-bound requests after 3 s.
    const core = makeCore({ requestTimeoutMs: 100, providerRequestTimeoutMs: 3_000 });
    core.seedDemoCatalog();
    const h = createHandlers(core);
    await h['settings:set']({ serverUrl: server.url, deviceToken: 'tok' });
    const sale = await h['sale:create']({ lines: [{ productId: core.listCatalog(undefined)[0]!.id, qty: 1 }] });
    if (!sale.ok) throw new Error(sale.error.message);
    const r = await h['payment:startQris']({ saleId: sale.data.id });
    expect(r).toMatchObject({ ok: true, data: { qrString: 'stub-qr', status: 'pending' } });
    // A slow read is still "server unreachable" after the short deadline.
    if (!r.ok) return;
    expect(await h['payment:check']({ paymentId: r.data.id })).toMatchObject({
      ok: false,
      error: { code: 'SERVER_UNREACHABLE' },
    });
  });

  it('by default waits longer than the server spends on the provider calls of one request', () => {
    const api = new ServerApi({ baseUrl: 'https://kasir.toko.id', token: 't' });
    const byDefault = loadConfig({}).providerTimeoutMs;
    expect(api.timeouts.provider).toBeGreaterThan(PROVIDER_CALLS_PER_REQUEST * byDefault);
    // And at the longest provider deadline the server accepts; anything longer is refused at boot.
    const longest = loadConfig({ PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MAX_MS) }).providerTimeoutMs;
    expect(api.timeouts.provider).toBeGreaterThan(PROVIDER_CALLS_PER_REQUEST * longest);
    expect(() => loadConfig({ PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MAX_MS + 1) })).toThrow(
      /PROVIDER_TIMEOUT_MS/,
    );
    expect(api.timeouts.read).toBeLessThan(api.timeouts.provider);
  });
});
