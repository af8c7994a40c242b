/** The store's offline QRIS: which Charge is used, the limits explained, confirm → receipt, cancel → cart. */
import { beforeEach, describe, expect, it } from 'vitest';
import { saleState } from '../../../renderer/src/components/recent-page.tsx';
import { en } from '../../../renderer/src/i18n/en.ts';
import { id } from '../../../renderer/src/i18n/id.ts';
import { createTillStore, startStore, type TillStore } from '../../../renderer/src/store/create-store.ts';
import type { TillStatus } from '../../../shared/ipc.ts';
import { rupiah } from '../../../shared/money.ts';
import { describeQris } from '../../../shared/qris/index.ts';
import { createTillApiDouble, PRODUCTS, type TillApiDouble } from './till-api-double.ts';

const kopi = PRODUCTS[0]!; // Rp 18.000

let api: TillApiDouble;
let store: TillStore;
const s = () => store.getState();

function goOffline(): void {
  const status: TillStatus = {
    connection: 'offline',
    configured: true,
    lastError: 'fetch failed',
    clockSkewMs: 0,
    clockWarning: false,
    pendingOutbox: 0,
    parkedOutbox: 0,
    lastSyncedAt: null,
    pending: 0,
    pendingTotal: rupiah(0),
    parked: 0,
    unverifiedTotal: rupiah(api.offline.unverifiedTotal),
    syncProgress: null,
    drain: null,
    offlineQris: { ...api.offline },
  };
  api.emit('connection:changed', status);
}

beforeEach(async () => {
  api = createTillApiDouble();
  store = createTillStore(api);
  await startStore(store, api);
});

describe('Charge QRIS while offline', () => {
  it('asks the core for an offline QR (never the server) and shows it for confirmation', async () => {
    goOffline();
    s().addProduct(kopi.id);
    await s().chargeQris();
    expect(api.callsTo('startQris')).toEqual([]);
    expect(api.callsTo('startOfflineQris')).toHaveLength(1);
    expect(s().checkout).toBe('qris');
    expect(s().qris).toMatchObject({ status: 'confirm', offline: true, amount: 18_000 });
    expect(s().qris?.reference).toMatch(/^OFF[0-9A-F]{12}$/);
  });

  it('confirm records the payment and shows the receipt with the unverified payment', async () => {
    goOffline();
    s().addProduct(kopi.id);
    await s().chargeQris();
    await s().confirmOfflineQris();
    expect(api.callsTo('confirmOfflineQris')).toEqual([{ paymentId: s().receipt?.sale.payments[0]?.id }]);
    expect(s().checkout).toBe('receipt');
    expect(s().receipt?.sale.payments[0]).toMatchObject({ status: 'unverified', method: 'qris' });
  });

  it('sends the cart as a draft: no sale is recorded before the cashier confirms', async () => {
    goOffline();
    s().addProduct(kopi.id);
    s().addProduct(kopi.id);
    await s().chargeQris();
    expect(api.callsTo('createSale')).toEqual([]);
    expect(api.callsTo('startOfflineQris')).toEqual([
      { lines: [{ productId: kopi.id, qty: 2 }], paymentId: s().qris?.paymentId },
    ]);
    expect(api.sales.size).toBe(0);
    await s().confirmOfflineQris();
    expect(api.sales.size).toBe(1);
  });

  it('charges a sale already recorded (an earlier failed attempt) by its id', async () => {
    s().addProduct(kopi.id);
    api.failNext('startQris', 'SERVER_UNREACHABLE');
    await s().chargeQris();
    const saleId = s().openSale?.id;
    s().closeCheckout();
    goOffline();
    await s().chargeQris();
    expect(api.callsTo('startOfflineQris')).toEqual([{ saleId, paymentId: s().qris?.paymentId }]);
  });

  it('draws the QR at once from the snapshot, the same QR the core then answers with; confirm waits for it', async () => {
    goOffline();
    s().addProduct(kopi.id);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const real = api.startOfflineQris;
    api.startOfflineQris = async (input) => {
      await gate;
      return real(input);
    };
    const charging = s().chargeQris();
    // Before the core has answered, the sheet already shows the derived QR.
    const shown = s().qris!;
    expect(shown).toMatchObject({ status: 'confirm', offline: true, amount: 18_000, saleId: '' });
    expect(describeQris(shown.qrString!)).toMatchObject({ valid: true, amount: 18_000 });
    const confirming = s().confirmOfflineQris();
    expect(api.callsTo('confirmOfflineQris')).toEqual([]);
    release();
    await charging;
    expect(s().qris?.qrString ?? s().receipt?.sale.payments[0]?.qrString).toBe(shown.qrString);
    await confirming;
    expect(api.callsTo('confirmOfflineQris')).toEqual([{ paymentId: shown.paymentId }]);
    expect(s().receipt?.sale.payments[0]).toMatchObject({ status: 'unverified', qrString: shown.qrString });
  });

  it('a charge primed while idle shows exactly the primed QR, and a primed payment id is used once', async () => {
    goOffline();
    s().addProduct(kopi.id);
    const primed = s().primeOfflineCharge();
    expect(describeQris(primed!)).toMatchObject({ valid: true, amount: 18_000 });
    // The cart changes after priming: the id stays, the QR follows the new total.
    s().addProduct(kopi.id);
    const again = s().primeOfflineCharge();
    expect(again).not.toBe(primed);
    expect(describeQris(again!)).toMatchObject({ valid: true, amount: 36_000 });
    await s().chargeQris();
    expect(s().qris?.qrString).toBe(again);
    const first = s().qris!.paymentId;
    expect(api.callsTo('startOfflineQris')).toEqual([{ lines: [{ productId: kopi.id, qty: 2 }], paymentId: first }]);
    // Nothing is primed while the QR is on screen; after cancelling, the next charge gets a new payment id.
    expect(s().primeOfflineCharge()).toBeNull();
    await s().cancelQris();
    expect(s().primeOfflineCharge()).not.toBeNull();
    await s().chargeQris();
    expect(s().qris!.paymentId).not.toBe(first);
  });

  it('cancel records nothing and goes back to the cart, where cash still works', async () => {
    goOffline();
    s().addProduct(kopi.id);
    await s().chargeQris();
    await s().cancelQris();
    expect(s()).toMatchObject({ checkout: 'none', qris: null });
    expect(s().lines).toHaveLength(1);
    expect(api.callsTo('confirmOfflineQris')).toEqual([]);
    expect(api.sales.size).toBe(0);
    await s().openCash();
    s().setTenderedInput('20000');
    await s().completeCash();
    expect(s().receipt?.sale.payments[0]).toMatchObject({ method: 'cash', status: 'paid' });
  });

  it('beyond the limits charges nothing and says why (id + en)', async () => {
    api.offline.maxAmount = 10_000;
    goOffline();
    s().addProduct(kopi.id);
    await s().chargeQris();
    expect(api.callsTo('startOfflineQris')).toEqual([]);
    expect(api.callsTo('createSale')).toEqual([]);
    expect(s().error).toEqual({ code: 'OFFLINE_QRIS_REFUSED', key: 'offline.reason.over_max_amount' });
    api.offline.maxAmount = 500_000;
    api.offline.maxUnverifiedTotal = 20_000;
    api.offline.unverifiedTotal = 5_000;
    goOffline();
    await s().chargeQris();
    expect(s().error?.key).toBe('offline.reason.over_unverified_total');
    api.offline.ready = false;
    goOffline();
    await s().chargeQris();
    expect(s().error?.key).toBe('offline.reason.no_static_qris');
    for (const k of ['no_static_qris', 'over_max_amount', 'over_unverified_total', 'invalid_amount'] as const) {
      expect(id.offline.reason[k]).not.toBe(en.offline.reason[k]);
    }
    expect(en.offline.confirmHint).toBe('Offline — confirm the payment on the customer’s phone');
  });

  it('maps the core’s refusal (the limit judged by the core) to the same explanation', async () => {
    goOffline();
    s().addProduct(kopi.id);
    api.failNext('startOfflineQris', 'OFFLINE_QRIS_REFUSED', 'over_unverified_total');
    await s().chargeQris();
    expect(s().error).toEqual({ code: 'OFFLINE_QRIS_REFUSED', key: 'offline.reason.over_unverified_total' });
    expect(s().checkout).toBe('none');
  });

  it('online, Charge uses the server as before', async () => {
    s().addProduct(kopi.id);
    await s().chargeQris();
    expect(api.callsTo('startOfflineQris')).toEqual([]);
    expect(s().qris).toMatchObject({ status: 'pending', offline: false });
  });

  it('recent sales say unverified until the server’s verdict arrives, then paid', async () => {
    goOffline();
    s().addProduct(kopi.id);
    await s().chargeQris();
    await s().confirmOfflineQris();
    const p = s().receipt!.sale.payments[0]!;
    const state = () => {
      const sale = s().recent.find((x) => x.id === p.saleId);
      return sale ? saleState(sale) : null;
    };
    await expect.poll(state).toBe('unverified');
    api.emit('payment:updated', api.payQris(p.id));
    api.emit('sale:updated', api.sales.get(p.saleId)!);
    expect(state()).toBe('paid');
  });
});
