/**
 * At the counter, through the real system: the customer display follows a QRIS sale from cart to paid; a cash
 * sale prints on a virtual ESC/POS printer (TCP, raw 9100 protocol, on a free port) and the parsed receipt
 * matches the sale to the rupiah at 58 and 80 mm; printer off → queued, printed after it comes back; a shift
 * closes with a cash difference shown and reported to the server.
 */
import type { Page } from '@playwright/test';
import { formatRupiah } from '../../shared/money.ts';
import { describeQris } from '../../shared/qris/index.ts';
import { type PrintedReceipt, VirtualPrinter } from '../support/virtual-printer.ts';
import { cartTotal, expect, productsByPrice, ready, rupiahFromText, test } from './fixtures.ts';
import { decodeQrPng } from './qr-decode.ts';

async function setUpPrinter(page: Page, port: number, paper: 58 | 80): Promise<void> {
  await page.getByTestId('nav-counter').click();
  await page.getByTestId('printer-transport').selectOption('tcp');
  await page.getByTestId('printer-host').fill('127.0.0.1');
  await page.getByTestId('printer-port').fill(String(port));
  await page.getByTestId('printer-paper').selectOption(String(paper));
  await page.getByTestId('printer-save').click();
  await expect(page.getByTestId('printer-saved')).toBeVisible();
  await page.getByTestId('nav-sale').click();
}

/** Rings up the two cheapest products (one twice) and pays cash with the +Rp 50.000 note. */
async function cashSale(page: Page): Promise<{ total: number; tendered: number; lines: string[] }> {
  const skus = (await productsByPrice(page)).map((p) => p.sku);
  await page.getByTestId(`product-${skus[0]}`).click();
  await page.getByTestId(`product-${skus[0]}`).click();
  await page.getByTestId(`product-${skus[1]}`).click();
  const total = await cartTotal(page);
  const lines = await page.getByTestId('line-total').allInnerTexts();
  await page.keyboard.press('F9');
  await page.getByTestId('note-50000').click();
  // The tender is shown as the cashier reads money.
  await expect(page.getByTestId('cash-tendered')).toHaveValue('Rp 50.000');
  await page.getByTestId('cash-confirm').click();
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
  return { total, tendered: 50_000, lines };
}

const amountOn = (r: PrintedReceipt, label: string): number => {
  const line = r.lines.find((l) => l.startsWith(label));
  if (!line) throw new Error(`no "${label}" line on the receipt:\n${r.text}`);
  return rupiahFromText(line.slice(label.length).trim());
};

test('the customer display follows a QRIS sale from the cart to paid', async ({ page, till, context }) => {
  await ready(page);
  const display = await context.newPage();
  await display.goto(till.displayUrl);
  const screen = display.getByTestId('display');
  await expect(screen).toHaveAttribute('data-phase', 'idle');
  await expect(display.getByTestId('display-store')).toHaveText('Toko Maju Jaya');
  // Nothing on the customer's screen can be pressed.
  await expect(display.locator('button, input, select, a')).toHaveCount(0);

  const skus = (await productsByPrice(page)).map((p) => p.sku);
  await page.getByTestId(`product-${skus[2]}`).click();
  await page.getByTestId(`product-${skus[2]}`).click();
  const total = await cartTotal(page);
  await expect(screen).toHaveAttribute('data-phase', 'cart');
  await expect(display.getByTestId('display-line')).toHaveCount(1);
  await expect(display.getByTestId('display-total')).toHaveText(formatRupiah(total));

  await page.getByTestId('charge-qris').click();
  await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'pending');
  // The QR sheet names the store, not the demo acquirer inside the payload.
  await expect(page.getByTestId('qris-merchant')).toHaveText('Toko Maju Jaya');
  await expect(screen).toHaveAttribute('data-phase', 'qris');
  await expect(display.getByTestId('qris-countdown')).toBeVisible();
  await expect(display.getByTestId('display-total')).toHaveText(formatRupiah(total));
  // The customer scans the QR on their own screen: it is the real, payable code for the total.
  const png = await display.getByTestId('qris-qr').screenshot();
  await test.info().attach('display-qris.png', { body: await display.screenshot(), contentType: 'image/png' });
  const decoded = decodeQrPng(png);
  expect(decoded).not.toBeNull();
  expect(describeQris(decoded!).amount).toBe(total);
  const paid = await till.system.pay(decoded!);
  expect(paid.ok, JSON.stringify(paid.body)).toBe(true);

  await expect(screen).toHaveAttribute('data-phase', 'paid', { timeout: 60_000 });
  await expect(display.getByTestId('display-paid')).toBeVisible();
  await expect(display.getByTestId('display-total')).toHaveText(formatRupiah(total));
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
  await expect(page.getByTestId('receipt-provider')).toHaveText('xendit');
  await test.info().attach('display-paid.png', { body: await display.screenshot(), contentType: 'image/png' });

  // The next sale clears the customer's screen.
  await page.getByTestId('new-sale').click();
  await expect(screen).toHaveAttribute('data-phase', 'idle');
});

for (const paper of [58, 80] as const) {
  test(`a cash sale prints on ${paper} mm and the printed receipt matches the sale to the rupiah`, async ({ page }) => {
    const printer = new VirtualPrinter();
    await printer.up(0);
    try {
      await ready(page);
      await setUpPrinter(page, printer.port, paper);
      const sale = await cashSale(page);
      const [r] = await printer.waitFor(1);
      await test.info().attach(`receipt-${paper}mm.txt`, { body: r!.text, contentType: 'text/plain' });
      const cols = paper === 58 ? 32 : 48;
      for (const l of r!.lines) expect(l.length).toBeLessThanOrEqual(cols);
      expect(r!.cut).toBe(true);
      expect(amountOn(r!, 'TOTAL')).toBe(sale.total);
      expect(amountOn(r!, 'Dibayar')).toBe(sale.tendered);
      expect(amountOn(r!, 'Kembalian')).toBe(sale.tendered - sale.total);
      // Every line total on screen is on paper, and they add up to the printed total.
      const printedLineTotals = r!.lines
        .filter((l) => /^\s+\d+ x Rp/.test(l))
        .map((l) =>
          rupiahFromText(
            l
              .trim()
              .split(/\s{2,}/)
              .at(-1)!,
          ),
        );
      expect(printedLineTotals.sort()).toEqual(sale.lines.map(rupiahFromText).sort());
      expect(printedLineTotals.reduce((a, b) => a + b, 0)).toBe(sale.total);
      expect(r!.text).toContain('Tunai');
      // The QR on paper is the receipt's id: its tail is the sale number on screen.
      expect(r!.qr).toHaveLength(1);
      const saleNo = (await page.getByTestId('receipt').innerText()).match(/\b([0-9A-F]{8})\b/)?.[1];
      expect(r!.qr[0]!.replace(/-/g, '').slice(-8).toUpperCase()).toBe(saleNo);
      await expect(page.getByTestId('receipt-print-state')).toHaveAttribute('data-state', 'printed');
    } finally {
      await printer.down();
    }
  });
}

test('printer off: the sale completes, the receipt waits in the queue, and prints after retry', async ({ page }) => {
  const printer = new VirtualPrinter();
  const port = await printer.up(0);
  await printer.down();
  try {
    await ready(page);
    await setUpPrinter(page, port, 58);
    const sale = await cashSale(page);
    await expect(page.getByTestId('receipt-print-state')).toHaveAttribute('data-state', 'queued');
    await page.getByTestId('new-sale').click();
    await expect(page.getByTestId('print-queue')).toHaveAttribute('data-count', '1');
    await page.getByTestId('print-retry').click();
    await expect(page.getByTestId('print-queue')).toHaveAttribute('data-count', '1');
    expect(printer.receipts).toHaveLength(0);

    await printer.up(port);
    await page.getByTestId('print-retry').click();
    const [r] = await printer.waitFor(1);
    expect(amountOn(r!, 'TOTAL')).toBe(sale.total);
    await expect(page.getByTestId('print-queue')).toBeHidden();
  } finally {
    await printer.down();
  }
});

test('a shift closes with the cash difference shown and the report stored on the server', async ({ page, till }) => {
  await ready(page);
  await page.getByTestId('nav-counter').click();
  await page.getByTestId('shift-float').fill('200000');
  await expect(page.getByTestId('shift-float')).toHaveValue('Rp 200.000');
  await expect(page.getByTestId('shift-open')).toBeDisabled(); // nobody named yet
  await page.getByTestId('shift-cashier').fill('Sari Dewi');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-cashier-name')).toContainText('Sari Dewi');
  await expect(page.getByTestId('shift-card')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('nav-sale').click();
  const sale = await cashSale(page);
  await page.getByTestId('new-sale').click();

  await page.getByTestId('nav-counter').click();
  const expected = 200_000 + sale.total;
  await expect(page.getByTestId('shift-expected')).toHaveAttribute('data-value', String(expected));
  await page.getByTestId('shift-counted').fill(String(expected - 7_000));
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-card')).toHaveAttribute('data-status', 'closed');
  const diff = page.getByTestId('shift-difference');
  await expect(diff).toHaveAttribute('data-value', '-7000');
  await expect(diff).toContainText('−Rp 7.000');
  await expect(page.getByTestId('shift-counted')).toHaveAttribute('data-value', String(expected - 7_000));
  await expect(page.getByTestId('shift-synced')).toHaveAttribute('data-synced', 'true');
  await test.info().attach('shift-close.png', { body: await page.screenshot(), contentType: 'image/png' });

  const shiftId = await page.getByTestId('shift-card').getAttribute('data-shift-id');
  const res = await fetch(`${till.system.serverUrl}/v1/shifts/${shiftId}`, {
    headers: { authorization: `Bearer ${till.deviceToken}` },
  });
  expect(res.status).toBe(200);
  const stored = (await res.json()) as Record<string, number>;
  expect(stored).toMatchObject({
    opening_float: 200_000,
    cash_sales: sale.total,
    expected_cash: expected,
    counted_cash: expected - 7_000,
    difference: -7_000,
    sales_count: 1,
    cashier: 'Sari Dewi',
  });
});
