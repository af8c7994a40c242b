/** The sync-server is gone when the cashier presses Charge QRIS: a plain message, and the sale is not lost. */
import { expect, productSkus, ready, test } from './fixtures.ts';

test('says the server is unreachable and keeps the sale in the cart and in recent sales', async ({ page, till }) => {
  await ready(page);
  const skus = await productSkus(page);
  await page.getByTestId(`product-${skus[0]}`).click();
  await page.getByTestId(`product-${skus[1]}`).click();
  const totalText = await page.getByTestId('cart-total').innerText();

  await till.stopSystem();
  await page.getByTestId('charge-qris').click();

  const error = page.getByTestId('error');
  await expect(error).toHaveAttribute('data-code', 'SERVER_UNREACHABLE', { timeout: 60_000 });
  await expect(error).toContainText('Server tidak dapat dihubungi');
  await expect(error).toContainText('tersimpan');
  await expect(page.getByTestId('qris-qr')).toHaveCount(0);
  await test.info().attach('server-down.png', { body: await page.screenshot(), contentType: 'image/png' });

  // Back to the cart: the lines are still there, and the indicator has noticed the server is gone.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('qris-sheet')).toBeHidden();
  await expect(page.getByTestId(`line-${skus[0]}`)).toBeVisible();
  await expect(page.getByTestId(`line-${skus[1]}`)).toBeVisible();
  await expect(page.getByTestId('cart-total')).toHaveText(totalText);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'offline', { timeout: 60_000 });

  // The core recorded the sale before it tried the server: it is listed, unpaid, with the same total.
  await page.getByTestId('nav-recent').click();
  const row = page.getByTestId('recent-sale').first();
  await expect(row).toHaveAttribute('data-state', 'unpaid');
  await expect(row.getByTestId('recent-total')).toHaveText(totalText);
});
