/** Indonesian by default; English on request; the choice survives a reload. */
import { expect, ready, test } from './fixtures.ts';

test('switches between Indonesian and English and keeps the choice across a reload', async ({ page }) => {
  await ready(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'id');
  await expect(page.getByTestId('charge-qris')).toContainText('Bayar QRIS');
  await expect(page.getByTestId('connection')).toHaveText('Terhubung');

  await page.getByTestId('lang-en').click();
  await expect(page.getByTestId('charge-qris')).toContainText('Charge QRIS');
  await expect(page.getByTestId('charge-cash')).toContainText('Cash');
  await expect(page.getByTestId('connection')).toHaveText('Online');

  await page.reload();
  await ready(page);
  await expect(page.getByTestId('charge-qris')).toContainText('Charge QRIS');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-language')).toHaveValue('en');
  await page.getByTestId('settings-language').selectOption('id');
  await expect(page.getByTestId('settings-page')).toContainText('Pengaturan');

  await page.reload();
  await ready(page);
  await expect(page.getByTestId('charge-qris')).toContainText('Bayar QRIS');
});
