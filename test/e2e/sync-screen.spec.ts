/**
 * The manager's sync page (issue 8, point 1): behind a manager PIN (none set yet → the page sets one; a wrong
 * PIN is refused), it shows the offline backlog (queue depth, unsynced sales and their total, the oldest
 * item), the unverified offline QRIS money, and — once the server is back — the drain's progress reaching
 * done with the queue at 0. Logging out of the server or changing it while data is unsynced asks first and
 * says what is at risk.
 */
import { en } from '../../renderer/src/i18n/en.ts';
import { formatRupiah } from '../../shared/money.ts';
import { cartTotal, expect, productsByPrice, ready, test } from './fixtures.ts';

const PIN = '2468';

test('sync page behind the manager PIN follows an offline backlog until it drains; logout asks first', async ({
  page,
  till,
}) => {
  await ready(page);
  // English, so the texts below are checked in the language they are written in here.
  await page.getByTestId('lang-en').click();
  await expect(page.getByTestId('charge-qris')).toHaveAttribute('data-offline-ready', 'true', { timeout: 30_000 });

  // No PIN yet: the sync page (F6) says so and sets one first.
  await page.keyboard.press('F6');
  await expect(page.getByTestId('no-pin')).toHaveText(en.manager.noPin);
  await page.getByTestId('new-pin').fill('12'); // too short: refused before it is sent
  await expect(page.getByTestId('save-pin')).toBeDisabled();
  await page.getByTestId('new-pin').fill(PIN);
  await page.getByTestId('save-pin').click();
  await expect(page.getByTestId('sync-details')).toBeVisible();
  await expect(page.getByTestId('sync-queue')).toHaveAttribute('data-count', '0');
  await page.keyboard.press('Escape'); // leaving the page locks it again

  // The server goes down; the cashier goes on selling: two cash sales and one offline QRIS.
  await till.stopSystem();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'offline', { timeout: 60_000 });
  const [cheap, mid] = await productsByPrice(page);
  let cash = 0;
  for (const sku of [cheap!.sku, mid!.sku]) {
    await page.getByTestId(`product-${sku}`).click();
    cash += await cartTotal(page);
    await page.keyboard.press('F9');
    await page.getByTestId('note-50000').click();
    await page.getByTestId('cash-tendered').press('Enter');
    await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
    await page.getByTestId('new-sale').click();
  }
  await page.getByTestId(`product-${mid!.sku}`).click();
  const qris = await cartTotal(page);
  await page.keyboard.press('F8');
  await expect(page.getByTestId('qris-sheet')).toHaveAttribute('data-offline', 'true');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-payment-status', 'unverified');
  await page.keyboard.press('Enter');
  const salesTotal = cash + qris;

  // The sync page asks for the PIN again; a wrong one is refused and shows nothing.
  await page.keyboard.press('F6');
  await expect(page.getByTestId('unlock-form')).toBeVisible();
  await page.getByTestId('unlock-pin').fill('1357');
  await page.getByTestId('unlock-pin').press('Enter');
  await expect(page.getByTestId('manager-error')).toHaveAttribute('data-code', 'PIN_WRONG');
  await expect(page.getByTestId('sync-details')).toHaveCount(0);
  await page.getByTestId('unlock-pin').fill(PIN);
  await page.getByTestId('unlock-pin').press('Enter');
  await expect(page.getByTestId('sync-details')).toBeVisible();
  await expect(page.getByTestId('sync-connection')).toHaveAttribute('data-state', 'offline');
  // Each sale and its payment are one queued entry each.
  await expect(page.getByTestId('sync-queue')).toHaveAttribute('data-count', '6');
  const unsynced = page.getByTestId('sync-unsynced-sales');
  await expect(unsynced).toHaveAttribute('data-count', '3');
  await expect(unsynced).toHaveAttribute('data-total', String(salesTotal));
  await expect(unsynced).toContainText(formatRupiah(salesTotal));
  await expect(page.getByTestId('sync-oldest')).not.toHaveAttribute('data-at', '');
  await expect(page.getByTestId('sync-unverified-total')).toHaveAttribute('data-total', String(qris));
  await expect(page.getByTestId('unverified-list').locator('tbody tr')).toHaveCount(1);
  await test.info().attach('sync-page-offline.png', { body: await page.screenshot(), contentType: 'image/png' });

  // Logging out (or moving to another server) now asks first and says what is at risk.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-logout').click();
  const risk = page.getByTestId('risk-body');
  await expect(page.getByTestId('risk-confirm')).toHaveAttribute('data-action', 'logout');
  await expect(risk).toHaveAttribute('data-sales', '3');
  await expect(risk).toHaveAttribute('data-total', String(salesTotal));
  await expect(risk).toContainText(formatRupiah(salesTotal));
  await expect(page.getByTestId('risk-unverified')).toContainText(formatRupiah(qris));
  await test.info().attach('logout-risk.png', { body: await page.screenshot(), contentType: 'image/png' });
  await page.getByTestId('risk-cancel').click();
  await expect(page.getByTestId('risk-confirm')).toHaveCount(0);
  await page.getByTestId('settings-server-url').fill('http://127.0.0.1:9/');
  await page.getByTestId('settings-device-token').fill('another-token');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('risk-confirm')).toHaveAttribute('data-action', 'changeServer');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('risk-confirm')).toHaveCount(0);
  // Nothing was changed: the till is still enrolled with its server.
  await expect(page.getByTestId('banner-not-enrolled')).toHaveCount(0);

  // The server comes back: the backlog drains, the bar reaches done and the queue 0.
  await page.keyboard.press('F6');
  await page.getByTestId('unlock-pin').fill(PIN);
  await page.getByTestId('unlock-pin').press('Enter');
  await expect(page.getByTestId('sync-details')).toBeVisible();
  await till.restartSystem();
  const progress = page.getByTestId('sync-progress');
  await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const total = Number(await progress.getAttribute('data-total'));
  expect(total).toBeGreaterThanOrEqual(6);
  await expect(progress).toHaveAttribute('data-done', String(total));
  await expect(page.getByTestId('sync-queue')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('sync-connection')).toHaveAttribute('data-state', 'online');
  await expect(unsynced).toHaveAttribute('data-count', '0');
  // Still unverified until the provider confirms it: the money stays on the page.
  await expect(page.getByTestId('sync-unverified-total')).toHaveAttribute('data-total', String(qris));
  await test.info().attach('sync-page-drained.png', { body: await page.screenshot(), contentType: 'image/png' });

  // With everything sent but unverified money held, logout still asks.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-logout').click();
  await expect(page.getByTestId('risk-body')).toHaveAttribute('data-sales', '0');
  await expect(page.getByTestId('risk-unverified')).toContainText(formatRupiah(qris));
  await page.getByTestId('risk-confirm-go').click();
  await expect(page.getByTestId('banner-not-enrolled')).toBeVisible();
});
