/**
 * Counter benchmark (issue 9): a QRIS sale turns PAID (the server's event applied by the till core) → its
 * receipt is ready to print (rendered to ESC/POS and committed to the durable print queue), p50; and → the
 * receipt's bytes have reached a (virtual, TCP) printer. Baseline measured in the same run: the same PAID
 * applied by a till with no printer, i.e. what the receipt adds on top of recording the payment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordQrisPayment } from '../../electron/core/payments/payments.ts';
import { TillCore } from '../../electron/core/till-core.ts';
import type { PaymentView } from '../../shared/schemas/sync-api.ts';
import { VirtualPrinter } from '../support/virtual-printer.ts';
import { type Figure, percentile } from './stats.ts';

const silent = { info() {}, warn() {}, error() {} };

function paidView(paymentId: string, saleId: string, amount: number, now: number): PaymentView {
  return {
    payment_id: paymentId,
    sale_id: saleId,
    store_id: 'bench',
    device_id: 'bench',
    amount,
    status: 'paid',
    late: false,
    provider: 'xendit',
    provider_ref: `qr_${paymentId.replace(/-/g, '')}`,
    qr_string: null,
    expires_at: null,
    paid_at: now,
    refunded_amount: 0,
    created_at: now,
    updated_at: now,
  };
}

/** PAID applied → [ready in the queue, printed] per sample, in ms. */
async function run(core: TillCore, samples: number, printer: VirtualPrinter | null) {
  core.seedDemoCatalog();
  const products = core.listCatalog(undefined);
  const ready: number[] = [];
  const printed: number[] = [];
  let seq = 0;
  for (let i = 0; i < samples + 20; i++) {
    const sale = core.createSale({
      lines: [
        { productId: products[i % products.length]!.id, qty: 1 + (i % 3) },
        { productId: products[(i + 5) % products.length]!.id, qty: 1 },
      ],
    });
    const p = recordQrisPayment(core.db, sale.id, sale.total, Date.now());
    const before = printer?.receipts.length ?? 0;
    let tReady = Number.NaN;
    const off = core.events.subscribe((name, payload) => {
      if (
        name === 'print:changed' &&
        (payload as { queued: { refId: string }[] }).queued.some((j) => j.refId === sale.id)
      )
        tReady = performance.now();
    });
    const t0 = performance.now();
    core.applyEvent({
      seq: ++seq,
      type: 'payment.updated',
      store_id: 'bench',
      at: Date.now(),
      payment: paidView(p.id, sale.id, sale.total, Date.now()),
    });
    const tApplied = performance.now();
    off();
    if (printer) {
      await printer.waitFor(before + 1);
      const tPrinted = performance.now();
      if (i >= 20) {
        ready.push(tReady - t0);
        printed.push(tPrinted - t0);
      }
    } else if (i >= 20) {
      ready.push(tApplied - t0);
    }
  }
  return { ready, printed };
}

export async function benchCounter(opts: { samples: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kasir-bench-counter-'));
  const printer = new VirtualPrinter();
  await printer.up(0);
  const withPrinter = new TillCore({ dataDir: join(dir, 'printer'), log: silent });
  const bare = new TillCore({ dataDir: join(dir, 'bare'), log: silent });
  try {
    withPrinter.counter.savePrinter({ transport: 'tcp', host: '127.0.0.1', port: printer.port, paperMm: 58 });
    const base = await run(bare, opts.samples, null);
    const r = await run(withPrinter, opts.samples, printer);
    const floor = { name: 'PAID applied, no printer, p50', value: percentile(base.ready, 50) };
    return [
      {
        name: 'receipt ready-to-print after PAID, p50',
        value: percentile(r.ready, 50),
        unit: 'ms',
        baseline: floor,
        compare: 'share',
        target: '≤ 50 ms',
      },
      {
        name: 'receipt on the virtual TCP printer after PAID, p50',
        value: percentile(r.printed, 50),
        unit: 'ms',
        baseline: floor,
        compare: 'share',
      },
    ];
  } finally {
    withPrinter.close();
    bare.close();
    await printer.down();
    rmSync(dir, { recursive: true, force: true });
  }
}
