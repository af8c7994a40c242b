/**
 * The store catalog reaches the till (issue 8, point 3): the manager imports the store's products and later
 * changes a price; the till replaces its demo catalog with the store's, shows the new price on its tile, keeps
 * filtering by category, and a sale made before the change keeps the price it was made at.
 *
 * The manager login (and so the guarded HTTP routes) is another branch's work: this test makes the manager's
 * changes through the catalog service on the running server (`till.system.server.ctx`), the same code the
 * `/admin/api/catalog` routes call. The till learns of them only through its live socket, as in production.
 */
import { formatRupiah } from '../../shared/money.ts';
import { importCatalogCsv, updateCatalogProduct } from '../../sync-server/src/services/catalog.ts';
import { cartTotal, expect, ready, rupiahFromText, test } from './fixtures.ts';

test('a price changed by the manager shows on the till; a sale made before keeps its price', async ({ page, till }) => {
  await ready(page);
  const grid = page.getByTestId('product-grid');
  // The demo catalog until the store has one.
  await expect(page.getByTestId('product-AIR-600')).toBeVisible();

  const ctx = till.system.server.ctx;
  await importCatalogCsv(
    ctx,
    till.storeId,
    'sku,name,price,category,barcode\n' +
      'KOPI-TB,Kopi Tubruk,4000,Minuman,8991000000101\n' +
      'ES-TEH,Es Teh Manis,3000,Minuman,\n' +
      '"NASI-UDK","Nasi Uduk, Telur",12000,Makanan,\n',
  );
  // The store's catalog replaces the demo on the till, through the live socket.
  await expect(grid.getByTestId(/^product-/)).toHaveCount(3, { timeout: 30_000 });
  await expect(page.getByTestId('product-AIR-600')).toHaveCount(0);
  const kopi = page.getByTestId('product-KOPI-TB');
  await expect(kopi.locator('.price')).toHaveText(formatRupiah(4_000));

  // Categories still filter the tiles.
  await page.getByTestId('category-Makanan').click();
  await expect(grid.getByTestId(/^product-/)).toHaveCount(1);
  await expect(page.getByTestId('product-NASI-UDK')).toContainText('Nasi Uduk, Telur');
  await page.getByTestId('category-all').click();

  // A cash sale at today's price: two coffees.
  await kopi.click();
  await kopi.click();
  expect(await cartTotal(page)).toBe(8_000);
  await page.keyboard.press('F9');
  await page.getByTestId('note-50000').click();
  await page.getByTestId('cash-tendered').press('Enter');
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
  await page.getByTestId('new-sale').click();

  // The manager raises the price.
  const snapshot = await ctx.database.db.selectFrom('products').selectAll().where('sku', '=', 'KOPI-TB').execute();
  const id = snapshot.find((r) => r.store_id === till.storeId)!.id;
  await updateCatalogProduct(ctx, till.storeId, id, { price: 5_500 });
  await expect(kopi.locator('.price')).toHaveText(formatRupiah(5_500), { timeout: 30_000 });
  await test.info().attach('catalog-new-price.png', { body: await page.screenshot(), contentType: 'image/png' });

  // The next sale takes the new price (and the scanner finds the product by its barcode).
  await page.getByTestId('sku-input').fill('8991000000101');
  await page.getByTestId('sku-input').press('Enter');
  expect(await cartTotal(page)).toBe(5_500);

  // The sale made before keeps its price, on the till and on the server.
  await page.getByTestId('nav-recent').click();
  const totals = await page.getByTestId('recent-total').allInnerTexts();
  expect(totals.map(rupiahFromText)).toContain(8_000);
  await expect
    .poll(async () => {
      const lines = await ctx.database.db
        .selectFrom('sale_lines')
        .innerJoin('sales', 'sales.id', 'sale_lines.sale_id')
        .select(['sale_lines.unit_price', 'sale_lines.name', 'sale_lines.qty'])
        .where('sales.store_id', '=', till.storeId)
        .execute();
      return lines.map((l) => ({ unit_price: Number(l.unit_price), name: l.name, qty: Number(l.qty) }));
    })
    .toEqual([{ unit_price: 4_000, name: 'Kopi Tubruk', qty: 2 }]);
});
