/** A QRIS payment that does not end in money: cancelled by the cashier, or left to expire on the server. */
import { describeQris } from '../../shared/qris/index.ts';
import { cartTotal, expect, productSkus, ready, test } from './fixtures.ts';
import { decodeQrPng } from './qr-decode.ts';

test.describe('cancel', () => {
  test('Esc cancels a waiting QR on the server and the cart is kept for another try', async ({ page, till }) => {
    await ready(page);
    const [sku] = await productSkus(page);
    await page.getByTestId(`product-${sku}`).click();
    const total = await cartTotal(page);

    await page.keyboard.press('F8');
    await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'pending');
    const decoded = decodeQrPng(await page.getByTestId('qris-qr').screenshot());
    expect(decoded).not.toBeNull();
    expect(describeQris(decoded!).amount).toBe(total);

    await page.keyboard.press('Escape');
    await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'cancelled');
    await expect(page.getByTestId('qris-cancel')).toBeHidden();

    // The server agrees: the payment behind this QR is cancelled, not merely hidden on the till.
    const paymentId = await page.getByTestId('qris-sheet').getAttribute('data-payment-id');
    const res = await fetch(`${till.system.serverUrl}/v1/payments/${paymentId}`, {
      headers: { authorization: `Bearer ${till.deviceToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ payment_id: paymentId, status: 'cancelled', amount: total });

    await page.keyboard.press('Escape');
    await expect(page.getByTestId('qris-sheet')).toBeHidden();
    await expect(page.getByTestId(`line-${sku}`)).toBeVisible();
    expect(await cartTotal(page)).toBe(total);
  });
});

test.describe('expiry', () => {
  test.use({ tillOptions: { provider: 'xendit', paymentTtlSeconds: 5, storeName: 'Toko Maju Jaya' } });

  test('a QR that nobody pays turns expired on screen and a new one can be made', async ({ page }) => {
    await ready(page);
    const [sku] = await productSkus(page);
    await page.getByTestId(`product-${sku}`).click();

    await page.getByTestId('charge-qris').click();
    await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'pending');
    await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'expired', { timeout: 60_000 });
    await expect(page.getByTestId('qris-cancel')).toBeHidden();

    // The sale is still there: a fresh QR for it.
    await page.getByTestId('qris-retry').click();
    await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'pending');
  });
});
