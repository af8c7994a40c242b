/**
 * The counter in the till core: receipts printed on a virtual ESC/POS printer over TCP and parsed back,
 * the durable print queue when the printer is off, shifts and their report in the outbox, the display state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../electron/core/db/repos/outbox-repo.ts';
import { createHandlers } from '../../../electron/core/handlers.ts';
import { recordQrisPayment } from '../../../electron/core/payments/payments.ts';
import type { DisplayState } from '../../../shared/counter.ts';
import { formatRupiah, rupiah } from '../../../shared/money.ts';
import type { PaymentView } from '../../../shared/schemas/sync-api.ts';
import { parseEscPos, VirtualPrinter } from '../../support/virtual-printer.ts';
import { makeCore, tempDir } from './helpers.ts';

const printers: VirtualPrinter[] = [];
afterEach(async () => {
  for (const p of printers.splice(0)) await p.down();
});

async function printer(): Promise<VirtualPrinter> {
  const p = new VirtualPrinter();
  await p.up(0);
  printers.push(p);
  return p;
}

function setup(o: { dataDir?: string; now?: () => number; fetch?: typeof fetch } = {}) {
  const core = makeCore({ ...o });
  core.seedDemoCatalog();
  const products = core.listCatalog(undefined);
  const sku = (s: string) => products.find((x) => x.sku === s)!;
  return { core, sku, products };
}

async function cashSale(
  core: ReturnType<typeof setup>['core'],
  lines: { productId: string; qty: number }[],
  tendered: number,
) {
  const sale = core.createSale({ lines });
  await core.payCash({ saleId: sale.id, tendered });
  return sale;
}

describe('receipt printing', () => {
  it.each([
    [58, 32],
    [80, 48],
  ] as const)('prints a paid cash sale on %i mm paper that matches the sale to the rupiah', async (paperMm, cols) => {
    const vp = await printer();
    const { core, sku } = setup();
    core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: vp.port, paperMm, autoPrint: true });
    const lines = [
      { productId: sku('KOPI-SCH').id, qty: 2 },
      { productId: sku('KERIPIK').id, qty: 1 },
    ];
    const sale = await cashSale(core, lines, 100_000);
    const [r] = await vp.waitFor(1);
    expect(r!.cut).toBe(true);
    expect(r!.qr).toEqual([sale.id]);
    for (const l of r!.lines) expect(l.length).toBeLessThanOrEqual(cols);
    const amountAfter = (label: string) => {
      const line = r!.lines.find((l) => l.startsWith(label));
      expect(line, label).toBeDefined();
      return Number(line!.slice(label.length).trim().replace(/^Rp /, '').replace(/\./g, ''));
    };
    expect(amountAfter('TOTAL')).toBe(sale.total);
    expect(amountAfter('Subtotal')).toBe(sale.subtotal);
    expect(amountAfter('Dibayar')).toBe(100_000);
    expect(amountAfter('Kembalian')).toBe(100_000 - sale.total);
    for (const l of sale.lines) {
      expect(r!.text).toContain(l.name.slice(0, cols));
      expect(r!.text).toContain(`${l.qty} x ${formatRupiah(l.unitPrice)}`);
      expect(r!.text).toContain(formatRupiah(l.lineTotal));
    }
    const total = sale.lines.reduce((a, l) => a + l.lineTotal, 0);
    expect(total).toBe(sale.total);
    expect(r!.text).toContain('Tunai');
    expect(core.counter.printQueue().queued).toEqual([]);
  });

  it('completes the sale with the printer off, keeps the job queued, and prints it after a retry', async () => {
    const vp = await printer();
    const port = vp.port;
    await vp.down();
    const dataDir = tempDir();
    const first = setup({ dataDir });
    first.core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port, paperMm: 58 });
    const sale = await cashSale(first.core, [{ productId: first.sku('AIR-600').id, qty: 1 }], 50_000);
    await first.core.counter.flushPrints();
    expect(first.core.getReceipt({ saleId: sale.id }).sale.status).toBe('paid');
    const q = first.core.counter.printQueue();
    expect(q.queued).toHaveLength(1);
    expect(q.queued[0]).toMatchObject({ refId: sale.id, status: 'queued' });
    expect(q.queued[0]!.attempts).toBeGreaterThanOrEqual(1);
    expect(q.queued[0]!.lastError).toMatch(/ECONNREFUSED/);
    // The queue survives a restart of the till.
    first.core.close();
    const again = makeCore({ dataDir });
    expect(again.counter.printQueue().queued).toHaveLength(1);
    await vp.up(port);
    const h = createHandlers(again);
    const r = await h['print:retry'](undefined);
    expect(r.ok && r.data.queued).toEqual([]);
    const [printed] = await vp.waitFor(1);
    expect(printed!.qr).toEqual([sale.id]);
    expect(again.counter.printQueue().lastPrinted).toMatchObject({ refId: sale.id, status: 'printed' });
    // A paid sale prints by itself once; a second retry prints nothing more.
    await again.counter.retryPrints();
    expect(vp.receipts).toHaveLength(1);
  });

  it('tries a waiting queue again by itself now and then, not on every tick', async () => {
    let t = 1_750_000_000_000;
    let sends = 0;
    let up = false;
    const core = makeCore({
      now: () => t,
      printerTransport: () => ({
        async send() {
          sends++;
          if (!up) throw new Error('offline');
        },
      }),
    });
    core.seedDemoCatalog();
    core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: 9 });
    const p = core.listCatalog(undefined)[0]!;
    await cashSale(core, [{ productId: p.id, qty: 1 }], 1_000_000);
    await core.counter.flushPrints();
    const afterSale = sends;
    t += 40_000;
    core.counter.autoRetryPrints(30_000);
    core.counter.autoRetryPrints(30_000);
    await core.counter.flushPrints();
    expect(sends).toBe(afterSale + 2); // one automatic try, plus the explicit flush; the second auto call waited
    up = true;
    t += 40_000;
    core.counter.autoRetryPrints(30_000);
    await core.counter.flushPrints();
    expect(core.counter.printQueue().queued).toEqual([]);
  });

  it('prints jobs in order and stops at the first failure', async () => {
    const sent: string[] = [];
    let fail = true;
    const core = makeCore({
      printerTransport: () => ({
        async send(bytes) {
          if (fail) throw new Error('paper out');
          sent.push(parseEscPos(bytes)[0]!.qr[0]!);
        },
      }),
    });
    core.seedDemoCatalog();
    core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: 9, paperMm: 80 });
    const p = core.listCatalog(undefined).find((x) => x.sku === 'AIR-600')!;
    const a = await cashSale(core, [{ productId: p.id, qty: 1 }], 100_000);
    const b = await cashSale(core, [{ productId: p.id, qty: 2 }], 100_000);
    await core.counter.flushPrints();
    const q = core.counter.printQueue().queued;
    expect(q.map((j) => j.refId)).toEqual([a.id, b.id]);
    // Only the first was tried: the second would have failed the same way.
    expect(q[0]!.attempts).toBeGreaterThanOrEqual(1);
    expect(q[1]!.attempts).toBe(0);
    fail = false;
    await core.counter.retryPrints();
    expect(sent).toEqual([a.id, b.id]);
  });

  it('puts provider, provider reference and the unverified mark on a QRIS receipt', () => {
    const { core, sku } = setup();
    // Port 9 (discard) on loopback refuses: jobs stay queued, their bytes are what this test reads.
    core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: 9, paperMm: 58, autoPrint: false });
    const sale = core.createSale({ lines: [{ productId: sku('AIR-600').id, qty: 3 }] });
    const p = recordQrisPayment(core.db, sale.id, sale.total, Date.now());
    const view = (status: PaymentView['status']): PaymentView => ({
      payment_id: p.id,
      sale_id: sale.id,
      store_id: 's',
      device_id: 'd',
      amount: sale.total,
      status,
      late: false,
      provider: 'midtrans',
      provider_ref: 'c1f5a0d2-9b1e-4f4e-9a3a-0123456789ab',
      qr_string: null,
      expires_at: null,
      paid_at: status === 'paid' ? Date.now() : null,
      refunded_amount: 0,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    core.applyEvent({ seq: 1, type: 'payment.updated', store_id: 's', at: 1, payment: view('paid') });
    const doc = core.counter.receiptDoc(sale.id);
    expect(doc.payment).toMatchObject({ method: 'qris', provider: 'midtrans', unverified: false });
    const [r] = parseEscPos(
      // 58 mm: the long reference wraps, it is never cut off.
      require58(core, sale.id),
    );
    expect(r!.text.replace(/\n/g, '')).toContain('c1f5a0d2-9b1e-4f4e-9a3a-0123456789ab');
    expect(r!.text).toContain('midtrans');
    expect(r!.text).not.toContain('BELUM TERVERIFIKASI');
    expect(r!.text).not.toContain('Dompet');
    // The wallet that paid, once the server learns it from the provider.
    core.applyEvent({
      seq: 2,
      type: 'payment.updated',
      store_id: 's',
      at: 2,
      payment: { ...view('paid'), payer_wallet: 'DANA' },
    });
    expect(core.getPayment({ paymentId: p.id }).payerWallet).toBe('DANA');
    const [w] = parseEscPos(require58(core, sale.id));
    expect(w!.lines.find((l) => l.startsWith('Dompet'))).toMatch(/DANA$/);
    // An unverified payment (offline QRIS) says so on paper.
    core.db.prepare(`UPDATE payments SET status = 'unverified' WHERE id = ?`).run(p.id);
    const [u] = parseEscPos(require58(core, sale.id));
    expect(u!.bold).toContain('** BELUM TERVERIFIKASI **');
  });

  it('refuses print:receipt without a printer, and with an unknown sale, as typed errors', async () => {
    const { core } = setup();
    const h = createHandlers(core);
    const none = await h['print:receipt']({ saleId: '0190f0a0-0000-7000-8000-000000000001' });
    expect(!none.ok && none.error.code).toBe('NOT_CONFIGURED');
    core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: 9 });
    const unknown = await h['print:receipt']({ saleId: '0190f0a0-0000-7000-8000-000000000001' });
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
    for (const bad of [
      { transport: 'tcp' },
      { transport: 'tcp', host: 'x', port: 70_000 },
      { transport: 'device', host: '/etc/passwd' },
      { transport: 'lpt' },
      { transport: 'none', paperMm: 57 },
    ]) {
      const r = await h['printer:set'](bad);
      expect(!r.ok && r.error.code, JSON.stringify(bad)).toBe('INVALID_INPUT');
    }
  });
});

function require58(core: ReturnType<typeof makeCore>, saleId: string): Uint8Array {
  const job = core.counter.printReceipt({ saleId });
  const bytes = core.db.prepare('SELECT bytes FROM print_jobs WHERE id = ?').get(job.id) as { bytes: Buffer };
  return bytes.bytes;
}

describe('shifts', () => {
  it('closes with expected vs counted, QRIS by provider, and writes the report to the outbox in the same transaction', async () => {
    let t = 1_750_000_000_000;
    const { core, sku } = setup({ now: () => t });
    const products = [sku('AIR-600'), sku('TEH-BTL'), sku('ROTI-CKL')];
    const h = createHandlers(core);
    const opened = await h['shift:open']({ openingFloat: 200_000 });
    expect(opened.ok && opened.data.status).toBe('open');
    const second = await h['shift:open']({ openingFloat: 1 });
    expect(!second.ok && second.error.code).toBe('CONFLICT');
    t += 1_000;
    const a = await cashSale(core, [{ productId: products[0]!.id, qty: 1 }], 100_000);
    const b = await cashSale(core, [{ productId: products[1]!.id, qty: 2 }], 50_000);
    // A QRIS paid through the server, by provider.
    const q = core.createSale({ lines: [{ productId: products[2]!.id, qty: 1 }] });
    const qp = recordQrisPayment(core.db, q.id, q.total, t);
    core.applyEvent({
      seq: 1,
      type: 'payment.updated',
      store_id: 's',
      at: t,
      payment: {
        payment_id: qp.id,
        sale_id: q.id,
        store_id: 's',
        device_id: 'd',
        amount: q.total,
        status: 'paid',
        late: false,
        provider: 'xendit',
        provider_ref: 'qr_1',
        qr_string: null,
        expires_at: null,
        paid_at: t,
        refunded_amount: 0,
        created_at: t,
        updated_at: t,
      },
    });
    const running = core.counter.currentShift()!;
    expect(running.report.cashSales).toBe(a.total + b.total);
    t += 60_000;
    const counted = 200_000 + a.total + b.total - 7_000;
    const closed = await h['shift:close']({ countedCash: counted });
    if (!closed.ok) throw new Error(closed.error.message);
    const r = closed.data.report;
    expect(r.expectedCash).toBe(200_000 + a.total + b.total);
    expect(r.countedCash).toBe(counted);
    expect(r.difference).toBe(-7_000);
    expect(r.qrisByProvider).toEqual({ xendit: q.total });
    expect(r.salesCount).toBe(3);
    expect(closed.data.synced).toBe(false);
    const out = listOutbox(core.db).filter((e) => e.kind === 'shift.closed');
    expect(out).toHaveLength(1);
    expect(out[0]!.payload).toMatchObject({
      shift_id: closed.data.id,
      expected_cash: r.expectedCash,
      counted_cash: counted,
      difference: -7_000,
      qris_by_provider: { xendit: q.total },
    });
    // A sale after the close does not change the frozen report.
    await cashSale(core, [{ productId: products[0]!.id, qty: 1 }], 100_000);
    expect(core.counter.currentShift()!.report).toEqual(r);
    const again = await h['shift:close']({ countedCash: 1 });
    expect(!again.ok && again.error.code).toBe('CONFLICT');
  });

  it('prints the close report with the difference and the QRIS totals when a printer is set up', async () => {
    const vp = await printer();
    const { core, sku } = setup();
    core.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: vp.port, paperMm: 80, autoPrint: false });
    core.counter.openShift({ openingFloat: 100_000 });
    const sale = await cashSale(core, [{ productId: sku('BERAS-5KG').id, qty: 1 }], 100_000);
    const closed = core.counter.closeShift({ countedCash: 100_000 + sale.total + 500 });
    const [r] = await vp.waitFor(1);
    expect(r!.qr).toEqual([closed.id]);
    expect(r!.text).toContain('LAPORAN TUTUP SHIFT');
    const amount = (label: string) =>
      Number(
        r!.lines
          .find((l) => l.startsWith(label))!
          .slice(label.length)
          .trim()
          .replace(/^[+-]?Rp /, '')
          .replace(/\./g, ''),
      );
    expect(amount('Kas seharusnya')).toBe(100_000 + sale.total);
    expect(amount('Kas dihitung')).toBe(100_000 + sale.total + 500);
    expect(r!.lines.find((l) => l.startsWith('Selisih'))).toMatch(/\+Rp 500$/);
  });

  it('refuses bad shift and display input with typed errors', async () => {
    const { core } = setup();
    const h = createHandlers(core);
    for (const [channel, input] of [
      ['shift:open', { openingFloat: -1 }],
      ['shift:open', { openingFloat: 1.5 }],
      ['shift:open', { openingFloat: '100' }],
      ['shift:open', {}],
      ['shift:close', { countedCash: Number.NaN }],
      ['display:cart', { lines: [{ productId: 'x', qty: 1 }] }],
      ['display:cart', { lines: [], total: 1 }],
      ['print:receipt', { saleId: 'not-an-id' }],
    ] as const) {
      const r = await h[channel](input as never);
      expect(!r.ok && r.error.code, `${channel} ${JSON.stringify(input)}`).toBe('INVALID_INPUT');
    }
    const closeNone = await h['shift:close']({ countedCash: 0 });
    expect(!closeNone.ok && closeNone.error.code).toBe('CONFLICT');
  });
});

describe('customer display', () => {
  it('follows the cart priced by the core, the QR, and paid with the change', async () => {
    const { core, sku } = setup();
    const products = [sku('ROTI-CKL')];
    const states: DisplayState[] = [];
    core.events.subscribe((name, payload) => {
      if (name === 'display:changed') states.push(payload as DisplayState);
    });
    const h = createHandlers(core);
    const lines = [{ productId: products[0]!.id, qty: 2 }];
    const shown = await h['display:cart']({ lines });
    if (!shown.ok) throw new Error(shown.error.message);
    expect(shown.data).toMatchObject({ phase: 'cart', total: products[0]!.price * 2 });
    // The screen cannot tell the display a price.
    expect((await h['display:cart']({ lines: [{ ...lines[0], price: 1 }] })).ok).toBe(false);
    const sale = core.createSale({ lines });
    await core.payCash({ saleId: sale.id, tendered: 200_000 });
    expect(core.counter.display()).toEqual({
      phase: 'paid',
      storeName: core.getSettings().storeName,
      total: sale.total,
      method: 'cash',
      change: rupiah(200_000 - sale.total),
    });
    await h['display:cart']({ lines: [] });
    expect(core.counter.display().phase).toBe('idle');
    expect(states.map((s) => s.phase)).toEqual(['cart', 'paid', 'idle']);
  });
});

describe('history by date, product categories and pictures', () => {
  it('lists the sales of a time window only', async () => {
    let t = 1_750_000_000_000;
    const { core, sku } = setup({ now: () => t });
    const a = core.createSale({ lines: [{ productId: sku('AIR-600').id, qty: 1 }] });
    t += 86_400_000;
    const b = core.createSale({ lines: [{ productId: sku('AIR-600').id, qty: 2 }] });
    const h = createHandlers(core);
    const day1 = await h['sales:recent']({ from: a.createdAt - 1, to: a.createdAt + 1 });
    expect(day1.ok && day1.data.map((x) => x.id)).toEqual([a.id]);
    const all = await h['sales:recent']({});
    expect(all.ok && all.data.map((x) => x.id)).toEqual([b.id, a.id]);
    expect((await h['sales:recent']({ from: -1 })).ok).toBe(false);
  });

  it('gives every demo product a category and a data: picture, and refuses a network picture', () => {
    const { core, products } = setup();
    expect(products.every((p) => p.category !== null && p.imageUrl?.startsWith('data:image/svg+xml;base64,'))).toBe(
      true,
    );
    expect(() =>
      core.db
        .prepare(
          `INSERT INTO products (id, sku, name, price, image_url, created_at, updated_at)
           VALUES ('x', 'X', 'x', 1, 'https://evil.example/x.png', 0, 0)`,
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
