/**
 * Offline selling: the sync-server goes down, the cashier keeps making cash sales, the banner counts them and
 * their total; the server comes back, the queue drains, the banner clears, and the server holds the sales.
 */
import { formatRupiah } from '../../shared/money.ts';
import { storeSalesTotals } from '../../sync-server/src/repos/synced-sales-repo.ts';
import { cartTotal, expect, productsByPrice, ready, test } from './fixtures.ts';

test('cash sales made offline are counted on the banner and reach the server when it is back', async ({
  page,
  till,
}) => {
  await ready(page);
  const skus = (await productsByPrice(page)).map((p) => p.sku);
  await till.stopSystem();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'offline', { timeout: 60_000 });

  const banner = page.getByTestId('banner-unsynced');
  const totals: number[] = [];
  for (const [i, sku] of [skus[0]!, skus[1]!, skus[0]!].entries()) {
    await page.getByTestId(`product-${sku}`).click();
    const total = await cartTotal(page);
    totals.push(total);
    await page.keyboard.press('F9');
    await page.getByTestId('note-50000').click();
    await page.getByTestId('cash-tendered').press('Enter');
    await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
    await page.getByTestId('new-sale').click();
    // The banner counts every unsynced sale and their total, in Indonesian rupiah.
    const sum = totals.reduce((a, b) => a + b, 0);
    await expect(banner).toHaveAttribute('data-pending', String(i + 1));
    await expect(banner).toHaveAttribute('data-total', String(sum));
    await expect(page.getByTestId('unsynced-text')).toContainText(`${i + 1} penjualan (${formatRupiah(sum)})`);
  }
  await test.info().attach('offline-banner.png', { body: await page.screenshot(), contentType: 'image/png' });

  const sys = await till.restartSystem();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
  await expect(banner).toHaveCount(0, { timeout: 60_000 });
  const sum = totals.reduce((a, b) => a + b, 0);
  expect(await storeSalesTotals(sys.server.ctx.database.db, till.storeId)).toMatchObject({
    sales: 3,
    total: sum,
    cash: sum,
  });
});
