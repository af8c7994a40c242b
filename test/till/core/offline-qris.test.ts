/**
 * QRIS while offline on the till core: the store's setup fetched and cached, the dynamic QR derived with the
 * shared codec, the limits, the one-transaction write with its `payment.offline_qris` outbox row, and the
 * server's later verdict followed forward-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeOfflineSetup } from '../../../electron/core/db/repos/offline-setup-repo.ts';
import { listOutbox } from '../../../electron/core/db/repos/outbox-repo.ts';
import { createHandlers } from '../../../electron/core/handlers.ts';
import { toMutation } from '../../../electron/core/sync/mutations.ts';
import type { TillCore } from '../../../electron/core/till-core.ts';
import { type System, startSystem } from '../../../scripts/system.ts';
import type { SyncEvent } from '../../../shared/events.ts';
import { newId } from '../../../shared/ids.ts';
import { deriveOfflineQr } from '../../../shared/offline-qris.ts';
import { crc16CcittFalse, findNode, formatCrc, parseQris } from '../../../shared/qris/index.ts';
import { OfflineQrisPaymentPayloadSchema, type OfflineSetup } from '../../../shared/schemas/sync-api.ts';
import { VALID } from '../../shared/qris/vectors.ts';
import { makeCore, tempDir } from './helpers.ts';

const DEAD_SERVER = 'http://127.0.0.1:9';
const STATIC = VALID.V01;

const SETUP: OfflineSetup = {
  static_qris: STATIC,
  merchant_name: 'Warung Sayur Bu Sugeng',
  verified_by_provider: true,
  max_amount: 100_000,
  max_unverified_total: 150_000,
  unverified_total: 0,
};

/** A till configured for a server that is not there (so: offline), with a cached offline setup. */
async function offlineTill(setup: OfflineSetup | null = SETUP) {
  const core = makeCore({ pollIntervalMs: 60_000 });
  const h = createHandlers(core);
  const saved = await h['settings:set']({ serverUrl: DEAD_SERVER, deviceToken: 'tok', deviceName: 'Kasir Depan' });
  expect(saved.ok).toBe(true);
  if (setup) writeOfflineSetup(core.db, DEAD_SERVER, setup, Date.now());
  core.seedDemoCatalog();
  return { core, h };
}

/** A sale of exactly `total` rupiah (a product at that price, bought once). */
function saleOf(core: TillCore, total: number) {
  const id = newId();
  core.db
    .prepare(
      'INSERT INTO products (id, sku, barcode, name, price, active, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, 1, 0, 0)',
    )
    .run(id, `T${id.slice(-8)}`, `Item ${total}`, total);
  return core.createSale({ lines: [{ productId: id, qty: 1 }] });
}

function event(core: TillCore, paymentId: string, status: 'paid' | 'needs_review', seq: number): SyncEvent {
  const p = core.getPayment({ paymentId });
  return {
    seq,
    type: 'payment.updated',
    store_id: 's',
    at: Date.now(),
    payment: {
      payment_id: p.id,
      sale_id: p.saleId,
      store_id: 's',
      device_id: 'd',
      amount: p.amount,
      status,
      late: false,
      provider: 'xendit',
      provider_ref: 'qr_static_1',
      qr_string: p.qrString,
      expires_at: null,
      paid_at: status === 'paid' ? Date.now() : null,
      refunded_amount: 0,
      created_at: p.createdAt,
      updated_at: Date.now(),
    },
  };
}

describe('the derived offline QR', () => {
  it('is the static QRIS made dynamic: valid CRC, tag 54 = amount, 62/05 = reference, 62/07 = till label', async () => {
    const { core } = await offlineTill();
    const s = saleOf(core, 27_500);
    const offer = core.startOfflineQris({ saleId: s.id });
    const body = offer.qrString.slice(0, -4);
    expect(offer.qrString.slice(-4)).toBe(formatCrc(crc16CcittFalse(body)));
    const { nodes } = parseQris(offer.qrString);
    expect(findNode(nodes, '01')?.value).toBe('12');
    expect(findNode(nodes, '54')?.value).toBe('27500');
    const add = findNode(nodes, '62')?.children ?? [];
    expect(findNode(add, '05')?.value).toBe(offer.reference);
    expect(findNode(add, '07')?.value).toBe('Kasir Depan');
    expect(offer.reference).toMatch(/^OFF[0-9A-F]{12}$/);
    expect(offer.reference).toBe(`OFF${offer.paymentId.replaceAll('-', '').slice(-12).toUpperCase()}`);
    expect(offer).toMatchObject({ saleId: s.id, amount: 27_500, merchantName: 'Warung Sayur Bu Sugeng' });
    // Nothing is written before the cashier confirms.
    expect(core.getReceipt({ saleId: s.id }).sale.payments).toEqual([]);
    // Another charge of the same sale is another payment with another reference.
    expect(core.startOfflineQris({ saleId: s.id }).reference).not.toBe(offer.reference);
  });
});

describe('the QR the screen draws before asking', () => {
  it('is exactly the one the core derives for the same payment id, from the status snapshot alone', async () => {
    const { core } = await offlineTill();
    const product = core.listCatalog(undefined)[0]!;
    const paymentId = newId();
    const o = core.status().offlineQris;
    const screen = deriveOfflineQr(o.staticQris!, product.price * 2, paymentId, o.terminal);
    const offer = core.startOfflineQris({ lines: [{ productId: product.id, qty: 2 }], paymentId });
    expect(offer.qrString).toBe(screen);
    // An id already used for a recorded payment cannot be offered again.
    core.confirmOfflineQris({ paymentId });
    expect(() => core.startOfflineQris({ lines: [{ productId: product.id, qty: 1 }], paymentId })).toThrow(
      'already recorded',
    );
  });
});

describe('confirming an offline QRIS payment', () => {
  it('writes the payment unverified, closes the sale and queues payment.offline_qris in one transaction', async () => {
    const { core } = await offlineTill();
    const s = saleOf(core, 33_000);
    const offer = core.startOfflineQris({ saleId: s.id });
    const p = core.confirmOfflineQris({ paymentId: offer.paymentId });
    expect(p).toMatchObject({ id: offer.paymentId, status: 'unverified', offlineRef: offer.reference, amount: 33_000 });
    expect(core.getReceipt({ saleId: s.id }).sale).toMatchObject({ status: 'paid' });
    const entry = listOutbox(core.db).find((e) => e.entityId === offer.paymentId)!;
    expect(entry.kind).toBe('payment.offline_qris');
    const m = toMutation(entry);
    expect(m.type).toBe('payment.offline_qris');
    expect(OfflineQrisPaymentPayloadSchema.parse(m.payload)).toEqual({
      payment_id: offer.paymentId,
      sale_id: s.id,
      amount: 33_000,
      offline_ref: offer.reference,
      qr_string: offer.qrString,
      created_at: p.createdAt,
    });
    expect(core.status()).toMatchObject({ unverifiedTotal: 33_000 });
    // Confirming twice (a double Enter) records nothing more.
    expect(core.confirmOfflineQris({ paymentId: offer.paymentId }).id).toBe(p.id);
    expect(listOutbox(core.db).filter((e) => e.kind === 'payment.offline_qris')).toHaveLength(1);
  });

  it('from the cart as a draft: records nothing until confirmed, then the sale and its payment together', async () => {
    const { core } = await offlineTill();
    const product = core.listCatalog(undefined)[0]!;
    const offer = core.startOfflineQris({ lines: [{ productId: product.id, qty: 3 }] });
    expect(offer.amount).toBe(product.price * 3);
    expect(core.recentSales(undefined)).toEqual([]);
    expect(listOutbox(core.db)).toEqual([]);
    const p = core.confirmOfflineQris({ paymentId: offer.paymentId });
    expect(core.getReceipt({ saleId: offer.saleId }).sale).toMatchObject({ status: 'paid', total: offer.amount });
    expect(p).toMatchObject({ saleId: offer.saleId, status: 'unverified' });
    expect(listOutbox(core.db).map((e) => [e.kind, e.entityId])).toEqual([
      ['sale.created', offer.saleId],
      ['payment.offline_qris', offer.paymentId],
    ]);
  });

  it('leaves neither sale nor payment behind when the payment write fails', async () => {
    const { core } = await offlineTill();
    const product = core.listCatalog(undefined)[0]!;
    const offer = core.startOfflineQris({ lines: [{ productId: product.id, qty: 1 }] });
    core.db.exec(`CREATE TRIGGER no_offline BEFORE INSERT ON outbox WHEN NEW.kind = 'payment.offline_qris'
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => core.confirmOfflineQris({ paymentId: offer.paymentId })).toThrow('disk full');
    expect(core.recentSales(undefined)).toEqual([]);
    expect(listOutbox(core.db)).toEqual([]);
    core.db.exec('DROP TRIGGER no_offline');
    expect(core.confirmOfflineQris({ paymentId: offer.paymentId }).status).toBe('unverified');
    expect(core.recentSales(undefined)).toHaveLength(1);
  });

  it('leaves nothing behind when the outbox write fails', async () => {
    const { core } = await offlineTill();
    const s = saleOf(core, 12_000);
    const offer = core.startOfflineQris({ saleId: s.id });
    core.db.exec(`CREATE TRIGGER no_offline BEFORE INSERT ON outbox WHEN NEW.kind = 'payment.offline_qris'
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => core.confirmOfflineQris({ paymentId: offer.paymentId })).toThrow('disk full');
    expect(core.getReceipt({ saleId: s.id }).sale).toMatchObject({ status: 'open', payments: [] });
    expect(core.status().unverifiedTotal).toBe(0);
    core.db.exec('DROP TRIGGER no_offline');
    expect(core.confirmOfflineQris({ paymentId: offer.paymentId }).status).toBe('unverified');
  });

  it('follows the server forward only: unverified → paid, and a late needs_review does not undo it', async () => {
    const { core } = await offlineTill();
    const a = saleOf(core, 20_000);
    const b = saleOf(core, 21_000);
    const pa = core.confirmOfflineQris({ paymentId: core.startOfflineQris({ saleId: a.id }).paymentId });
    const pb = core.confirmOfflineQris({ paymentId: core.startOfflineQris({ saleId: b.id }).paymentId });
    expect(core.status().unverifiedTotal).toBe(41_000);
    core.applyEvent(event(core, pa.id, 'paid', 1));
    expect(core.getPayment({ paymentId: pa.id }).status).toBe('paid');
    core.applyEvent(event(core, pa.id, 'needs_review', 2));
    expect(core.getPayment({ paymentId: pa.id }).status).toBe('paid');
    core.applyEvent(event(core, pb.id, 'needs_review', 3));
    expect(core.getPayment({ paymentId: pb.id }).status).toBe('needs_review');
    core.applyEvent(event(core, pb.id, 'paid', 4));
    expect(core.getPayment({ paymentId: pb.id }).status).toBe('paid');
    expect(core.status().unverifiedTotal).toBe(0);
  });
});

describe('offline limits', () => {
  it('refuses above the per-payment maximum, with the reason', async () => {
    const { h, core } = await offlineTill();
    const r = await h['payment:offlineQris']({ saleId: saleOf(core, 100_001).id });
    expect(r).toMatchObject({ ok: false, error: { code: 'OFFLINE_QRIS_REFUSED', message: 'over_max_amount' } });
    expect((await h['payment:offlineQris']({ saleId: saleOf(core, 100_000).id })).ok).toBe(true);
  });

  it('refuses when this till would hold more unverified money than allowed, counting its own payments', async () => {
    const { h, core } = await offlineTill();
    for (const amount of [90_000, 50_000]) {
      const o = core.startOfflineQris({ saleId: saleOf(core, amount).id });
      core.confirmOfflineQris({ paymentId: o.paymentId });
    }
    expect(core.status().offlineQris).toMatchObject({
      ready: true,
      maxAmount: 100_000,
      maxUnverifiedTotal: 150_000,
      unverifiedTotal: 140_000,
    });
    const over = await h['payment:offlineQris']({ saleId: saleOf(core, 10_001).id });
    expect(over).toMatchObject({
      ok: false,
      error: { code: 'OFFLINE_QRIS_REFUSED', message: 'over_unverified_total' },
    });
    expect((await h['payment:offlineQris']({ saleId: saleOf(core, 10_000).id })).ok).toBe(true);
  });

  it('judges the limit again at confirm time: two offers shown side by side cannot both exceed it', async () => {
    const { core } = await offlineTill();
    const a = core.startOfflineQris({ saleId: saleOf(core, 80_000).id });
    const b = core.startOfflineQris({ saleId: saleOf(core, 80_000).id });
    core.confirmOfflineQris({ paymentId: a.paymentId });
    expect(() => core.confirmOfflineQris({ paymentId: b.paymentId })).toThrow('over_unverified_total');
    expect(core.status().unverifiedTotal).toBe(80_000);
  });

  it('counts the server figure when it is higher than the till’s own', async () => {
    const { h, core } = await offlineTill({ ...SETUP, unverified_total: 145_000 });
    const r = await h['payment:offlineQris']({ saleId: saleOf(core, 6_000).id });
    expect(r).toMatchObject({ ok: false, error: { message: 'over_unverified_total' } });
  });

  it('offers nothing without a cached static QRIS (a Midtrans store, or never reached the server)', async () => {
    for (const setup of [{ ...SETUP, static_qris: null }, null]) {
      const { h, core } = await offlineTill(setup);
      const r = await h['payment:offlineQris']({ saleId: saleOf(core, 5_000).id });
      expect(r).toMatchObject({ ok: false, error: { code: 'OFFLINE_QRIS_REFUSED', message: 'no_static_qris' } });
      expect(core.status().offlineQris.ready).toBe(false);
    }
  });

  it('does not use a setup cached from another server', async () => {
    const { core } = await offlineTill();
    writeOfflineSetup(core.db, 'http://elsewhere.example', SETUP, Date.now());
    expect(core.status().offlineQris.ready).toBe(false);
  });
});

describe('the offline setup from the server', () => {
  const systems: System[] = [];
  afterEach(async () => {
    for (const s of systems.splice(0)) await s.stop().catch(() => undefined);
  });

  it('is fetched when online, kept in SQLite and used once the server is gone', async () => {
    const sys = await startSystem({ dataDir: tempDir('system-'), port: 0 });
    systems.push(sys);
    const { token } = await sys.enrolDevice({ storeId: `store-${newId().slice(-12)}`, deviceName: 'Kasir 1' });
    const dataDir = tempDir();
    const core = makeCore({ dataDir, pollIntervalMs: 60_000, live: { minBackoffMs: 50, maxBackoffMs: 200 } });
    expect((await createHandlers(core)['settings:set']({ serverUrl: sys.serverUrl, deviceToken: token })).ok).toBe(
      true,
    );
    core.seedDemoCatalog();
    core.start();
    await core.refreshOfflineSetup();
    expect(core.status().offlineQris).toMatchObject({ ready: true, maxAmount: 500_000, maxUnverifiedTotal: 2_000_000 });
    const sale = saleOf(core, 15_000);
    await sys.stop();
    systems.length = 0;
    const until = Date.now() + 15_000;
    while (core.status().connection === 'online' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const offer = core.startOfflineQris({ saleId: sale.id });
    expect(parseQris(offer.qrString).nodes.find((n) => n.id === '54')?.value).toBe('15000');
    core.close();
    // After a restart with no server at all, the cache is still there.
    const again = makeCore({ dataDir, pollIntervalMs: 60_000 });
    expect(again.status().offlineQris.ready).toBe(true);
  });
});
