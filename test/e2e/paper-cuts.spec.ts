/** The cashier's paper cuts (issue 9, point 4), seen in the real till. */
import { formatRupiah } from '../../shared/money.ts';
import { cartTotal, expect, productsByPrice, ready, test } from './fixtures.ts';

test('quick cash follows the amount due and notes add up; tender reads as rupiah; no Kembali beside Kembalian', async ({
  page,
}) => {
  await ready(page);
  const [cheapest] = await productsByPrice(page);
  await page.getByTestId(`product-${cheapest!.sku}`).click();
  const total = await cartTotal(page);
  await page.keyboard.press('F9');
  const next5k = Math.ceil(total / 5_000) * 5_000 === total ? total + 5_000 : Math.ceil(total / 5_000) * 5_000;
  await expect(page.getByTestId(`amount-${next5k}`)).toHaveText(formatRupiah(next5k));
  await page.getByTestId('note-20000').click();
  await page.getByTestId('note-10000').click();
  await expect(page.getByTestId('cash-tendered')).toHaveValue('Rp 30.000');
  await page.getByTestId('cash-tendered').fill('120000');
  await expect(page.getByTestId('cash-tendered')).toHaveValue('Rp 120.000');
  await expect(page.getByTestId('cash-change')).toHaveText(formatRupiah(120_000 - total));
  const sheet = await page.getByTestId('cash-sheet').innerText();
  expect(sheet).toContain('Kembalian');
  expect(sheet).not.toMatch(/\bKembali\b/);
  await page.getByTestId('cash-confirm').click();
  await expect(page.getByTestId('receipt-change')).toHaveText(formatRupiah(120_000 - total));
});

test('product tiles carry a picture and filter by category; history filters by date and shows the method', async ({
  page,
}) => {
  await ready(page);
  const tiles = page.getByTestId('product-grid').locator('button.tile');
  const all = await tiles.count();
  await expect(tiles.first().getByTestId('tile-img')).toBeVisible();
  await page.getByTestId('category-Minuman').click();
  const drinks = await tiles.count();
  expect(drinks).toBeGreaterThan(0);
  expect(drinks).toBeLessThan(all);
  await tiles.first().click();
  await page.getByTestId('category-all').click();
  await expect(tiles).toHaveCount(all);

  await page.keyboard.press('F9');
  await page.getByTestId('note-exact').click();
  await page.getByTestId('cash-confirm').click();
  await page.getByTestId('new-sale').click();
  await page.getByTestId('nav-recent').click();
  await expect(page.getByTestId('recent-sale')).toHaveCount(1);
  await expect(page.getByTestId('recent-method')).toHaveAttribute('data-method', 'cash');
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  await page.getByTestId('recent-date').fill(today);
  await expect(page.getByTestId('recent-sale')).toHaveCount(1);
  await page.getByTestId('recent-date').fill('2020-01-01');
  await expect(page.getByTestId('recent-sale')).toHaveCount(0);
  await page.getByTestId('recent-all-dates').click();
  await expect(page.getByTestId('recent-sale')).toHaveCount(1);
});
