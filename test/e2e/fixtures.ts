/**
 * One real system per test: provider sandboxes + sync-server (scripts/system.ts) in a temp dir, a device
 * enrolled for the chosen provider, and the till web host spawned as its own process against that server,
 * exactly as `npm run till:web` runs it. The page opens the URL the host prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { type System, startSystem } from '../../scripts/system.ts';

const root = resolve(import.meta.dirname, '../..');

export type TillOptions = { provider: 'xendit' | 'midtrans'; paymentTtlSeconds: number; storeName: string };

export type Till = {
  system: System;
  /** The URL the web host printed, token fragment included. */
  url: string;
  /** The customer display's URL (its own read-only token). */
  displayUrl: string;
  dataDir: string;
  /** The enrolled device's token, for asking the server directly what it holds. */
  deviceToken: string;
  /** Stops the sync-server and sandboxes (idempotent): the till stays up and must notice. */
  stopSystem(): Promise<void>;
  /** Starts the system again on the same port and data folder (same database, same device token). */
  restartSystem(): Promise<System>;
  storeId: string;
};

type HostProcess = { child: ChildProcess; url: string; displayUrl: string; output: () => string };

async function spawnHost(args: string[]): Promise<HostProcess> {
  const child = spawn(process.execPath, [join(root, 'electron/web-host/main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const urls = await new Promise<{ url: string; displayUrl: string }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`web host printed no TILL_URL:\n${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /TILL_URL=(\S+)/.exec(out);
      const disp = /DISPLAY_URL=(\S+)/.exec(out);
      if (m?.[1] && disp?.[1]) {
        clearTimeout(timer);
        ok({ url: m[1], displayUrl: disp[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`web host exited with ${code}:\n${out}`));
    });
  });
  return { child, ...urls, output: () => out };
}

async function stopHost(h: HostProcess): Promise<void> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => h.child.once('exit', () => ok()));
  h.child.kill('SIGTERM');
  const timer = setTimeout(() => h.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{ tillOptions: TillOptions; till: Till }>({
  tillOptions: [{ provider: 'xendit', paymentTtlSeconds: 900, storeName: 'Toko Maju Jaya' }, { option: true }],
  // Auto: every test gets a running system and an open till, whether or not it touches `till` itself.
  till: [
    async ({ page, tillOptions }, use, testInfo) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'kasir-e2e-'));
      const systemOptions = {
        dataDir,
        paymentTtlSeconds: tillOptions.paymentTtlSeconds,
        // Keep the sweeper quick so expiry reaches the till promptly in the expiry spec.
        sweepIntervalMs: 500,
      };
      const first = await startSystem(systemOptions);
      let system = first;
      let systemStopped = false;
      const stopSystem = async () => {
        if (systemStopped) return;
        systemStopped = true;
        await system.stop();
      };
      const restartSystem = async () => {
        await stopSystem();
        system = await startSystem({ ...systemOptions, port: Number(new URL(first.serverUrl).port) });
        systemStopped = false;
        return system;
      };
      const storeId = `store-${testInfo.testId.slice(0, 8)}`;
      const { token } = await system.enrolDevice({
        storeId,
        storeName: tillOptions.storeName,
        deviceName: 'Kasir 1',
        provider: tillOptions.provider,
      });
      const host = await spawnHost([
        '--data-dir',
        join(dataDir, 'till'),
        '--port',
        '0',
        '--server-url',
        system.serverUrl,
        '--device-token',
        token,
        '--store-name',
        tillOptions.storeName,
        '--seed-demo',
      ]);
      try {
        await page.goto(host.url);
        await use({
          system,
          url: host.url,
          displayUrl: host.displayUrl,
          dataDir,
          deviceToken: token,
          stopSystem,
          restartSystem,
          storeId,
        });
      } finally {
        if (testInfo.status !== testInfo.expectedStatus) {
          await testInfo.attach('web-host-output', { body: host.output(), contentType: 'text/plain' });
        }
        await stopHost(host);
        await stopSystem();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the till has loaded its catalogue and reached the server. */
export async function ready(page: Page): Promise<void> {
  await expect(
    page
      .getByTestId('product-grid')
      .getByTestId(/^product-/)
      .first(),
  ).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
}

/** The SKUs of the products on the grid, in screen order (read from their test ids, not assumed). */
export async function productSkus(page: Page): Promise<string[]> {
  const ids = await page
    .getByTestId('product-grid')
    .getByTestId(/^product-/)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  return ids.map((id) => id.replace(/^product-/, ''));
}

/** "Rp 33.000" → 33000: reads an amount the way the cashier sees it. */
export function rupiahFromText(text: string): number {
  const m = /^Rp\s?([\d.]+)$/.exec(text.trim());
  if (!m?.[1]) throw new Error(`not a rupiah amount: ${JSON.stringify(text)}`);
  return Number(m[1].replace(/\./g, ''));
}

export async function cartTotal(page: Page): Promise<number> {
  return rupiahFromText(await page.getByTestId('cart-total').innerText());
}

/** The products on the grid with the price each tile shows, cheapest first. */
export async function productsByPrice(page: Page): Promise<{ sku: string; price: number }[]> {
  const tiles = page.getByTestId('product-grid').getByTestId(/^product-/);
  const rows = await tiles.evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-testid') ?? '',
      price: e.querySelector('.price')?.textContent ?? '',
    })),
  );
  return rows
    .map((r) => ({ sku: r.id.replace(/^product-/, ''), price: rupiahFromText(r.price) }))
    .sort((a, b) => a.price - b.price);
}
