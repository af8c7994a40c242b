/**
 * The whole QRIS sale through the real system, once per provider: products added by click and by a typed SKU,
 * Charge QRIS, the QR read back from the screen's pixels (as a phone camera would), its CRC and amount checked,
 * the decoded string paid by the sandbox wallet, and PAID + the receipt seen on the till.
 */
import { formatRupiah } from '../../shared/money.ts';
import { describeQris, parseQris } from '../../shared/qris/index.ts';
import { cartTotal, expect, productSkus, ready, rupiahFromText, test } from './fixtures.ts';
import { decodeQrPng } from './qr-decode.ts';

for (const provider of ['xendit', 'midtrans'] as const) {
  test.describe(`QRIS with ${provider}`, () => {
    test.use({ tillOptions: { provider, paymentTtlSeconds: 900, storeName: 'Toko Maju Jaya' } });

    test('charges a cart by QRIS and shows PAID and the receipt once the wallet pays', async ({ page, till }) => {
      await ready(page);
      const skus = await productSkus(page);
      expect(skus.length).toBeGreaterThanOrEqual(2);
      const [clicked, typed] = [skus[0]!, skus[1]!];

      // By click, twice: one line with quantity 2.
      await page.getByTestId(`product-${clicked}`).click();
      await page.getByTestId(`product-${clicked}`).click();
      // By SKU, typed into the scan field and confirmed with Enter, as a scanner does.
      await page.getByTestId('sku-input').fill(typed.toLowerCase());
      await page.getByTestId('sku-input').press('Enter');

      const clickedLine = page.getByTestId(`line-${clicked}`);
      await expect(clickedLine.getByTestId('line-qty')).toHaveText('2');
      await expect(page.getByTestId(`line-${typed}`).getByTestId('line-qty')).toHaveText('1');
      const lineTotals = await page.getByTestId('line-total').allInnerTexts();
      const total = await cartTotal(page);
      expect(total).toBe(lineTotals.map(rupiahFromText).reduce((a, b) => a + b, 0));

      await page.getByTestId('charge-qris').click();
      const status = page.getByTestId('qris-status');
      await expect(status).toHaveAttribute('data-status', 'pending');
      await expect(page.getByTestId('qris-amount')).toHaveText(formatRupiah(total));
      await expect(page.getByTestId('qris-countdown')).toBeVisible();

      const qr = page.getByTestId('qris-qr');
      const box = await qr.boundingBox();
      expect(box?.width).toBeGreaterThanOrEqual(280);
      const png = await qr.screenshot();
      await test.info().attach(`qris-${provider}.png`, { body: png, contentType: 'image/png' });
      const decoded = decodeQrPng(png);
      expect(decoded, 'the QR on screen must be readable from its pixels').not.toBeNull();

      // The decoded payload is a valid QRIS: it parses (CRC included) and asks for exactly the cart total.
      expect(() => parseQris(decoded!)).not.toThrow();
      const summary = describeQris(decoded!);
      expect(summary.crc.valid).toBe(true);
      expect(summary.pointOfInitiation).toBe('dynamic');
      expect(summary.amount).toBe(total);
      await expect(page.getByTestId('qris-merchant')).toHaveText(/\S/);

      const paid = await till.system.pay(decoded!);
      expect(paid.ok, JSON.stringify(paid.body)).toBe(true);

      await expect(page.getByTestId('receipt-sheet')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
      await expect(page.getByTestId('receipt-total')).toHaveText(formatRupiah(total));
      await expect(page.getByTestId('receipt-method')).toHaveAttribute('data-method', 'qris');
      await test.info().attach(`receipt-${provider}.png`, { body: await page.screenshot(), contentType: 'image/png' });

      // Enter starts the next sale with an empty cart.
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('receipt-sheet')).toBeHidden();
      await expect(page.getByTestId('cart-empty')).toBeVisible();
    });
  });
}
