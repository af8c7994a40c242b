/** A cash sale driven from the keyboard: F9, a quick note, the change, Enter, the receipt. */
import { formatRupiah } from '../../shared/money.ts';
import { cartTotal, expect, productsByPrice, ready, test } from './fixtures.ts';

test('takes cash with the quick-note button and shows the change on screen and on the receipt', async ({ page }) => {
  await ready(page);
  const skus = (await productsByPrice(page)).map((p) => p.sku);
  await page.getByTestId(`product-${skus[0]}`).click();
  await page.getByTestId(`product-${skus[1]}`).click();
  // + raises the selected (last added) line by one.
  await page.getByTestId('sku-input').focus();
  await page.keyboard.press('+');
  await expect(page.getByTestId(`line-${skus[1]}`).getByTestId('line-qty')).toHaveText('2');
  const total = await cartTotal(page);
  expect(total).toBeLessThanOrEqual(50_000);

  await page.keyboard.press('F9');
  await expect(page.getByTestId('cash-due')).toHaveText(formatRupiah(total));
  await expect(page.getByTestId('cash-confirm')).toBeDisabled();
  await page.getByTestId('note-50000').click();
  await expect(page.getByTestId('cash-change')).toHaveText(formatRupiah(50_000 - total));

  await page.getByTestId('cash-tendered').press('Enter');
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
  await expect(page.getByTestId('receipt-method')).toHaveAttribute('data-method', 'cash');
  await expect(page.getByTestId('receipt-total')).toHaveText(formatRupiah(total));
  await expect(page.getByTestId('receipt-change')).toHaveText(formatRupiah(50_000 - total));

  await page.getByTestId('new-sale').click();
  await page.getByTestId('nav-recent').click();
  const row = page.getByTestId('recent-sale').first();
  await expect(row).toHaveAttribute('data-state', 'paid');
  await expect(row.getByTestId('recent-total')).toHaveText(formatRupiah(total));
});
