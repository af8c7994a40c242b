/**
 * QRIS while offline, end to end (issue 7): only the sync-server goes down (the provider sandboxes and the
 * wallet payer stay up, as Xendit would); the cashier makes a cash sale and an offline QRIS sale whose QR is
 * read from the screenshot with zbarimg and paid through the sandbox payer while the till is still offline;
 * the server comes back on the same port and database; the queue drains; Xendit's retried callback (its
 * schedule time-scaled) verifies the payment and the till turns it from unverified to paid. The banner's
 * counts are checked at every step. A second test: the limits are enforced and explained on screen.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { en } from '../../renderer/src/i18n/en.ts';
import { type System, startSystem } from '../../scripts/system.ts';
import { formatRupiah } from '../../shared/money.ts';
import { describeQris } from '../../shared/qris/index.ts';
import { type App, buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';
import { productsByPrice, ready, rupiahFromText } from './fixtures.ts';

const root = resolve(import.meta.dirname, '../..');
/**
 * Provider time runs this much faster than real time, so Xendit's first callback retry (15 min after the
 * refused delivery) comes 30 s later: after the server is back and the queue has drained. Its 30 s callback
 * timeout becomes 1 s, still far above a local answer.
 */
const TIME_SCALE = 1 / 30;

type OfflineTill = {
  system: System;
  /** Stops only the sync-server: sandboxes, payer and till stay up. */
  stopServer(): Promise<void>;
  /** Starts the sync-server again on the same port and database. */
  startServer(): Promise<void>;
  deviceToken: string;
};

const test = base.extend<{ off: OfflineTill }>({
  off: [
    async ({ page }, use, testInfo) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'kasir-e2e-offline-'));
      const system = await startSystem({ dataDir, timeScale: TIME_SCALE, sweepIntervalMs: 500 });
      const url = new URL(system.serverUrl);
      const sb = system.sandboxes;
      // The same configuration scripts/system.ts gave the first server: same port, database and providers.
      const env = {
        HOST: url.hostname,
        PORT: url.port,
        DATA_DIR: join(dataDir, 'server'),
        LOG_LEVEL: 'silent',
        PAYMENT_TTL_SECONDS: '900',
        XENDIT_BASE_URL: sb.xenditUrl,
        XENDIT_SECRET_KEY: sb.xenditSecretKey,
        XENDIT_CALLBACK_TOKEN: sb.xenditCallbackToken,
        MIDTRANS_BASE_URL: sb.midtransUrl,
        MIDTRANS_SERVER_KEY: sb.midtransServerKey,
        SWEEP_INTERVAL_MS: '500',
      };
      let server: App | null = system.server;
      const stopServer = async () => {
        await server?.app.close();
        server = null;
      };
      const startServer = async () => {
        if (server) return;
        server = await buildApp({ config: loadConfig(env) });
        await server.app.listen({ host: url.hostname, port: Number(url.port) });
      };
      const { token } = await system.enrolDevice({
        storeId: `store-${testInfo.testId.slice(0, 8)}`,
        storeName: 'Toko Maju Jaya',
        deviceName: 'Kasir 1',
        provider: 'xendit',
      });
      const host = await spawnHost([
        ...['--data-dir', join(dataDir, 'till'), '--port', '0', '--server-url', system.serverUrl],
        ...['--device-token', token, '--store-name', 'Toko Maju Jaya', '--seed-demo'],
      ]);
      try {
        await page.goto(host.url);
        await use({ system, stopServer, startServer, deviceToken: token });
      } finally {
        if (testInfo.status !== testInfo.expectedStatus) {
          await testInfo.attach('web-host-output', { body: host.output(), contentType: 'text/plain' });
        }
        await stopHost(host.child);
        await stopServer().catch(() => undefined);
        await sb.close().catch(() => undefined);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { auto: true },
  ],
});

async function spawnHost(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'electron/web-host/main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`web host printed no TILL_URL:\n${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /TILL_URL=(\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`web host exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The QR on screen, read from a screenshot of its canvas by zbarimg, as a phone camera would read it. */
async function zbarQr(page: Page): Promise<string> {
  const png = await page.getByTestId('qris-qr').screenshot();
  const dir = mkdtempSync(join(tmpdir(), 'kasir-zbar-'));
  try {
    const file = join(dir, 'qr.png');
    writeFileSync(file, png);
    return execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The banner's counts: sales the server does not have, their total, and unverified offline QRIS money. */
async function expectBanner(page: Page, b: { pending: number; total: number; unverified: number }) {
  const banner = page.getByTestId('banner-unsynced');
  if (b.pending === 0 && b.unverified === 0) {
    await expect(banner).toHaveCount(0, { timeout: 60_000 });
    return;
  }
  await expect(banner).toHaveAttribute('data-pending', String(b.pending), { timeout: 60_000 });
  await expect(banner).toHaveAttribute('data-total', String(b.total));
  await expect(banner).toHaveAttribute('data-unverified', String(b.unverified));
  if (b.unverified > 0) await expect(page.getByTestId('unverified-total')).toContainText(formatRupiah(b.unverified));
  else await expect(page.getByTestId('unverified-total')).toHaveCount(0);
}

async function goOffline(page: Page, off: OfflineTill) {
  // The store's static QRIS must be cached before the server goes (the till fetches it when it connects).
  await expect(page.getByTestId('charge-qris')).toHaveAttribute('data-offline-ready', 'true', { timeout: 30_000 });
  await off.stopServer();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'offline', { timeout: 60_000 });
}

test('offline QRIS: paid while the till is offline, verified after the server returns', async ({ page, off }) => {
  test.setTimeout(180_000);
  await ready(page);
  await page.getByTestId('lang-en').click();
  const [cheap, , mid] = await productsByPrice(page);
  await goOffline(page, off);
  await expectBanner(page, { pending: 0, total: 0, unverified: 0 });

  // 1. A cash sale: recorded and queued.
  await page.getByTestId(`product-${cheap!.sku}`).click();
  const cash = rupiahFromText(await page.getByTestId('cart-total').innerText());
  await page.keyboard.press('F9');
  await page.getByTestId('note-exact').click();
  await page.getByTestId('cash-tendered').press('Enter');
  await expect(page.getByTestId('receipt-method')).toHaveAttribute('data-method', 'cash');
  await page.keyboard.press('Enter');
  await expectBanner(page, { pending: 1, total: cash, unverified: 0 });

  // 2. An offline QRIS sale: the QR is derived on the till and marked OFFLINE.
  await page.getByTestId(`product-${mid!.sku}`).click();
  await page.getByTestId(`product-${cheap!.sku}`).click();
  const qris = rupiahFromText(await page.getByTestId('cart-total').innerText());
  await expect(page.getByTestId('charge-qris')).toBeEnabled();
  await page.keyboard.press('F8');
  const sheet = page.getByTestId('qris-sheet');
  await expect(sheet).toHaveAttribute('data-offline', 'true');
  await expect(page.getByTestId('offline-qr-banner')).toHaveText(en.offline.confirmHint);
  await expect(page.getByTestId('qris-amount')).toHaveText(formatRupiah(qris));
  const reference = (await page.getByTestId('offline-reference').innerText()).replace(/^Ref\. /, '');
  expect(reference).toMatch(/^OFF[0-9A-F]{12}$/);
  await test.info().attach('offline-qr.png', { body: await page.screenshot(), contentType: 'image/png' });

  // The customer's phone reads it from the screen and pays it, while the till cannot reach the server.
  const qr = await zbarQr(page);
  const seen = describeQris(qr);
  expect(seen).toMatchObject({ valid: true, pointOfInitiation: 'dynamic', amount: qris });
  expect(seen.additional.referenceLabel).toBe(reference);
  const paid = await fetch(off.system.payerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr_string: qr }),
  });
  expect(paid.ok).toBe(true);

  // The cashier sees the success screen on the phone and confirms with Enter.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-payment-status', 'unverified');
  await expect(page.getByTestId('receipt-unverified')).toBeVisible();
  await page.keyboard.press('Enter');
  await expectBanner(page, { pending: 2, total: cash + qris, unverified: qris });
  await page.getByTestId('nav-recent').click();
  await expect(page.getByTestId('recent-sale').first()).toHaveAttribute('data-state', 'unverified');
  await page.getByTestId('nav-sale').click();

  // 3. The server comes back: the queue drains (both sales), the offline payment still unverified until
  // Xendit's retried callback reaches the server and is relayed to the till.
  await off.startServer();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
  await expectBanner(page, { pending: 0, total: 0, unverified: qris });
  await expectBanner(page, { pending: 0, total: 0, unverified: 0 });
  await page.getByTestId('nav-recent').click();
  const rows = page.getByTestId('recent-sale');
  await expect(rows.first()).toHaveAttribute('data-state', 'paid');
  await expect(rows.nth(1)).toHaveAttribute('data-state', 'paid');

  // The server holds the payment as paid, verified by its reference.
  const saleId = await rows.first().getAttribute('data-sale-id');
  const res = await fetch(
    `${off.system.serverUrl}/v1/reconciliation?store=store-${test.info().testId.slice(0, 8)}&date=${wibDate()}`,
    {
      headers: { authorization: `Bearer ${off.deviceToken}` },
    },
  );
  expect(res.status).toBe(200);
  const report = (await res.json()) as { items: { sale_id: string; kind: string; status: string; amount: number }[] };
  expect(report.items.find((i) => i.sale_id === saleId)).toMatchObject({
    kind: 'offline_qris',
    status: 'paid',
    amount: qris,
  });
});

test('offline limits: beyond them only cash is offered, with the reason on screen', async ({ page, off }) => {
  await ready(page);
  await page.getByTestId('lang-en').click();
  const byPrice = await productsByPrice(page);
  const dear = byPrice[byPrice.length - 1]!;
  await goOffline(page, off);
  // Enough of the dearest product to pass the store's Rp 500.000 per-payment limit.
  await page.getByTestId(`product-${dear.sku}`).click();
  for (let n = 1; n * dear.price <= 500_000; n++) await page.keyboard.press('+');
  const total = rupiahFromText(await page.getByTestId('cart-total').innerText());
  expect(total).toBeGreaterThan(500_000);
  const reason = page.getByTestId('offline-refusal');
  await expect(reason).toHaveAttribute('data-reason', 'over_max_amount');
  await expect(reason).toContainText(en.offline.reason.over_max_amount);
  await expect(reason).toContainText('Rp 500.000');
  await expect(page.getByTestId('charge-qris')).toBeDisabled();
  await page.keyboard.press('F8');
  await expect(page.getByTestId('qris-sheet')).toHaveCount(0);
  await expect(page.getByTestId('charge-cash')).toBeEnabled();
  await page.getByTestId('lang-id').click();
  await expect(reason).toContainText('melebihi batas');
});

function wibDate(): string {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}
