/**
 * Offline QRIS on the server: the store's static QR (created at the Xendit sandbox), offline payments pushed by
 * a till, verified by the sandbox payer's static-QR notifications (by the echoed reference, else by amount and
 * time), equal amounts and unmatched sales to review, limits, and the day's reconciliation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { describeQris, toDynamic } from '../../shared/qris/index.ts';
import { OfflineSetupSchema, ReconciliationReportSchema } from '../../shared/schemas/sync-api.ts';
import { sweepOnce } from '../../sync-server/src/services/sweeper.ts';
import { eventually, startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

const db = () => sys.server.ctx.database.db;

/** A till that syncs offline sales: each sale is two mutations, numbered per device. */
function offlineTill(till: Till) {
  let next = 1;
  return {
    till,
    async setup() {
      const r = await till.request('GET', '/v1/store/offline');
      expect(r.status).toBe(200);
      return OfflineSetupSchema.parse(r.body);
    },
    /** What the till does offline: derive the QR from the static one, and queue sale + payment. */
    sale(staticQris: string, amount: number, at = Date.now()) {
      const saleId = newId();
      const paymentId = newId();
      const ref = `OFF${paymentId.replaceAll('-', '').slice(-12).toUpperCase()}`;
      const qr = toDynamic(staticQris, { amount, reference: ref, terminal: 'TILL01' });
      const mutations = [
        {
          mutation_id: next++,
          type: 'sale.created',
          client_time: at,
          payload: {
            sale_id: saleId,
            subtotal: amount,
            discount_kind: null,
            discount_value: null,
            discount_amount: 0,
            total: amount,
            cashier: null,
            created_at: at,
            lines: [
              {
                line_id: newId(),
                product_id: 'p',
                sku: 'KOPI',
                name: 'Kopi',
                qty: 1,
                unit_price: amount,
                line_total: amount,
              },
            ],
          },
        },
        {
          mutation_id: next++,
          type: 'payment.offline_qris',
          client_time: at,
          payload: { payment_id: paymentId, sale_id: saleId, amount, offline_ref: ref, qr_string: qr, created_at: at },
        },
      ];
      return { saleId, paymentId, ref, qr, mutations };
    },
    async push(mutations: unknown[]) {
      const r = await till.request('POST', '/v1/sync/push', { client_time: Date.now(), mutations });
      expect(r.status).toBe(200);
      expect(r.body.rejected).toEqual([]);
      return r.body;
    },
  };
}

const statusOf = async (id: string) =>
  (await db().selectFrom('payments').select('status').where('id', '=', id).executeTakeFirst())?.status;

describe('the store static QR', () => {
  it('is created at Xendit for a Xendit store on first ask, and is the same QR afterwards', async () => {
    const t = offlineTill(await sys.till({ provider: 'xendit' }));
    const a = await t.setup();
    expect(a.static_qris).not.toBeNull();
    expect(describeQris(a.static_qris!)).toMatchObject({ valid: true, pointOfInitiation: 'static' });
    expect(a).toMatchObject({ verified_by_provider: true, max_amount: 500_000, max_unverified_total: 2_000_000 });
    expect((await t.setup()).static_qris).toBe(a.static_qris);
  });

  it('is absent for a Midtrans store, which then sells offline by cash only', async () => {
    const t = offlineTill(await sys.till({ provider: 'midtrans' }));
    expect(await t.setup()).toMatchObject({ static_qris: null, verified_by_provider: false });
  });
});

describe('an offline QRIS payment', () => {
  it('turns paid when the static QR payment arrives after the till synced it, and the till hears of it', async () => {
    const t = offlineTill(await sys.till({ provider: 'xendit' }));
    const { static_qris } = await t.setup();
    const live = await t.till.live();
    const s = t.sale(static_qris!, 27_500);
    await t.push(s.mutations);
    expect(await statusOf(s.paymentId)).toBe('unverified');
    expect((await sys.pay(s.qr)).ok).toBe(true);
    await live.waitFor(
      (f) => f.kind === 'event' && f.event.payment.payment_id === s.paymentId && f.event.payment.status === 'paid',
    );
    expect(await statusOf(s.paymentId)).toBe('paid');
    live.close();
  });

  it('turns paid once when the static QR payment reaches the server before the till syncs', async () => {
    const t = offlineTill(await sys.till({ provider: 'xendit' }));
    const { static_qris } = await t.setup();
    const s = t.sale(static_qris!, 31_000);
    expect((await sys.pay(s.qr)).ok).toBe(true);
    await sys.sandboxes.xendit.dispatcher.idle();
    const parked = await db().selectFrom('webhook_events').select('outcome').where('outcome', '=', 'parked').execute();
    expect(parked.length).toBeGreaterThan(0);
    await t.push(s.mutations);
    expect(await statusOf(s.paymentId)).toBe('paid');
    // Replayed push and redelivered notification change nothing.
    await t.push(s.mutations);
    const events = await db()
      .selectFrom('sync_events')
      .select('payload')
      .where('store_id', '=', t.till.storeId)
      .execute();
    const paid = events
      .map((e) => JSON.parse(e.payload))
      .filter((v) => v.payment_id === s.paymentId && v.status === 'paid');
    expect(paid.length).toBe(1);
  });

  it('sends two sales of the same amount to review when the provider does not echo the reference', async () => {
    sys.sandboxes.xendit.setEchoScannedQr(false);
    try {
      const t = offlineTill(await sys.till({ provider: 'xendit' }));
      const { static_qris } = await t.setup();
      const a = t.sale(static_qris!, 44_000);
      const b = t.sale(static_qris!, 44_000);
      const c = t.sale(static_qris!, 45_000);
      await t.push([...a.mutations, ...b.mutations, ...c.mutations]);
      expect((await sys.pay(a.qr)).ok).toBe(true);
      expect((await sys.pay(c.qr)).ok).toBe(true);
      await sys.sandboxes.xendit.dispatcher.idle();
      await eventually(async () => (await statusOf(c.paymentId)) === 'paid'); // unique amount: matched
      expect(await statusOf(a.paymentId)).toBe('needs_review');
      expect(await statusOf(b.paymentId)).toBe('needs_review');
    } finally {
      sys.sandboxes.xendit.setEchoScannedQr(true);
    }
  });

  it('tells equal amounts apart by the reference label when the provider echoes the scanned QR', async () => {
    const t = offlineTill(await sys.till({ provider: 'xendit' }));
    const { static_qris } = await t.setup();
    const a = t.sale(static_qris!, 46_000);
    const b = t.sale(static_qris!, 46_000);
    await t.push([...a.mutations, ...b.mutations]);
    expect((await sys.pay(b.qr)).ok).toBe(true);
    await eventually(async () => (await statusOf(b.paymentId)) === 'paid');
    expect(await statusOf(a.paymentId)).toBe('unverified');
  });

  it('goes to review when no payment verifies it in time, and to paid if one still comes', async () => {
    sys.sandboxes.xendit.setEchoScannedQr(false);
    try {
      const t = offlineTill(await sys.till({ provider: 'xendit' }));
      const { static_qris } = await t.setup();
      const s = t.sale(static_qris!, 47_000);
      await t.push(s.mutations);
      await db().updateTable('payments').set({ next_check_at: 0 }).where('id', '=', s.paymentId).execute();
      await sweepOnce(sys.server.ctx);
      expect(await statusOf(s.paymentId)).toBe('needs_review');
      expect((await sys.pay(s.qr)).ok).toBe(true);
      await eventually(async () => (await statusOf(s.paymentId)) === 'paid');
    } finally {
      sys.sandboxes.xendit.setEchoScannedQr(true);
    }
  });

  it('goes straight to review above the store limit or when not derived from the store static QR', async () => {
    const t = offlineTill(await sys.till({ provider: 'xendit' }));
    const { static_qris } = await t.setup();
    const big = t.sale(static_qris!, 600_000);
    const other = await offlineTill(await sys.till({ provider: 'xendit' })).setup();
    const foreign = t.sale(other.static_qris!, 12_000);
    await t.push([...big.mutations, ...foreign.mutations]);
    expect(await statusOf(big.paymentId)).toBe('needs_review');
    expect(await statusOf(foreign.paymentId)).toBe('needs_review');
  });

  it('is refused (parked by the till) when its payload is malformed, and the rest of the batch still applies', async () => {
    const t = offlineTill(await sys.till({ provider: 'xendit' }));
    const { static_qris } = await t.setup();
    const s = t.sale(static_qris!, 13_000);
    const bad = structuredClone(s.mutations);
    (bad[1]!.payload as { offline_ref: string }).offline_ref = 'x'.repeat(40);
    const r = await t.till.request('POST', '/v1/sync/push', { client_time: Date.now(), mutations: bad });
    expect(r.status).toBe(200);
    expect(r.body.rejected).toMatchObject([{ mutation_id: 2, code: 'INVALID_INPUT' }]);
    expect(await statusOf(s.paymentId)).toBeUndefined();
  });
});

describe('GET /v1/reconciliation', () => {
  it('lists the day as verified, pending and review items with totals, as JSON and CSV, for the own store only', async () => {
    sys.sandboxes.xendit.setEchoScannedQr(false);
    try {
      const t = offlineTill(await sys.till({ provider: 'xendit' }));
      const { static_qris } = await t.setup();
      const paid = t.sale(static_qris!, 10_000);
      const pending = t.sale(static_qris!, 20_000);
      const twinA = t.sale(static_qris!, 30_000);
      const twinB = t.sale(static_qris!, 30_000);
      await t.push([...paid.mutations, ...pending.mutations, ...twinA.mutations, ...twinB.mutations]);
      expect((await sys.pay(paid.qr)).ok).toBe(true);
      expect((await sys.pay(twinA.qr)).ok).toBe(true);
      await eventually(async () => (await statusOf(paid.paymentId)) === 'paid');
      await eventually(async () => (await statusOf(twinB.paymentId)) === 'needs_review');

      const day = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
      const r = await t.till.request('GET', `/v1/reconciliation?store=${t.till.storeId}&date=${day}`);
      expect(r.status).toBe(200);
      const report = ReconciliationReportSchema.parse(r.body);
      expect(report.totals).toEqual({
        verified: { count: 1, amount: 10_000 },
        pending: { count: 1, amount: 20_000 },
        review: { count: 2, amount: 60_000 },
      });
      const csv = await fetch(`${sys.serverUrl}/v1/reconciliation?store=${t.till.storeId}&date=${day}&format=csv`, {
        headers: { authorization: `Bearer ${t.till.token}` },
      });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe(
        'category,kind,payment_id,sale_id,device_id,status,late,amount,refunded_amount,provider,created_at,paid_at',
      );
      expect(lines.length).toBe(5);
      expect(lines.filter((l) => l.startsWith('review,offline_qris,')).length).toBe(2);

      const stranger = await sys.till({ provider: 'xendit' });
      expect((await stranger.request('GET', `/v1/reconciliation?store=${t.till.storeId}&date=${day}`)).status).toBe(
        404,
      );
      expect((await t.till.request('GET', `/v1/reconciliation?store=${t.till.storeId}&date=2026-02-30`)).status).toBe(
        400,
      );
    } finally {
      sys.sandboxes.xendit.setEchoScannedQr(true);
    }
  });
});
