import { beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en.ts';
import { id } from '../../../renderer/src/i18n/id.ts';
import { createTillStore, startStore, type TillStore } from '../../../renderer/src/store/create-store.ts';
import { toUiError } from '../../../renderer/src/store/errors.ts';
import { selectCash, selectDiscountOk, selectTotals } from '../../../renderer/src/store/selectors.ts';
import { rupiah } from '../../../shared/money.ts';
import { createTillApiDouble, PRODUCTS, type TillApiDouble } from './till-api-double.ts';

const kopi = PRODUCTS[0]!; // Rp 18.000, barcode 8991002101234
const teh = PRODUCTS[1]!; // Rp 5.000

let api: TillApiDouble;
let store: TillStore;
const s = () => store.getState();

// A fresh store and a fresh double for every test: nothing leaks between tests.
beforeEach(async () => {
  api = createTillApiDouble();
  store = createTillStore(api);
  await startStore(store, api);
});

describe('catalogue and cart', () => {
  it('loads only active products and the settings at start', () => {
    expect(s().products.map((p) => p.sku)).toEqual(['KOPI-01', 'TEH-01', 'ROTI-02']);
    expect(s().storeName).toBe('Toko Maju Jaya');
    expect(s().connection).toBe('online');
    expect(s().enrolled).toBe(true);
  });

  it('adds a clicked product, and the same product again raises its quantity', () => {
    s().addProduct(kopi.id);
    s().addProduct(teh.id);
    s().addProduct(kopi.id);
    expect(s().lines.map((l) => [l.sku, l.qty])).toEqual([
      ['KOPI-01', 2],
      ['TEH-01', 1],
    ]);
    expect(selectTotals(s()).total).toBe(41_000);
    expect(s().selectedProductId).toBe(kopi.id);
  });

  it('adds by SKU (any case) and by barcode without asking the core', async () => {
    await s().addByCode(' kopi-01 ');
    await s().addByCode('8991002101234');
    expect(s().lines).toHaveLength(1);
    expect(s().lines[0]?.qty).toBe(2);
    expect(api.callsTo('findProduct')).toEqual([]);
  });

  it('asks the core for an unknown code and says when nothing matches', async () => {
    await s().addByCode('NOPE-404');
    expect(api.callsTo('findProduct')).toEqual([{ code: 'NOPE-404' }]);
    expect(s().lines).toEqual([]);
    expect(s().flash).toEqual({ kind: 'error', key: 'catalog.notFound', params: { code: 'NOPE-404' } });
  });

  it('changes quantities, removes a line at zero and keeps a sensible selection', () => {
    s().addProduct(kopi.id);
    s().addProduct(teh.id);
    s().changeQty(teh.id, 2);
    expect(s().lines.find((l) => l.productId === teh.id)?.qty).toBe(3);
    s().changeQty(teh.id, -3);
    expect(s().lines.map((l) => l.sku)).toEqual(['KOPI-01']);
    expect(s().selectedProductId).toBe(kopi.id);
    s().changeQty(kopi.id, 5000);
    expect(s().lines[0]?.qty).toBe(999);
  });

  it('moves the selection with the arrow keys within the cart', () => {
    s().addProduct(kopi.id);
    s().addProduct(teh.id);
    s().moveSelection(-1);
    expect(s().selectedProductId).toBe(kopi.id);
    s().moveSelection(-1);
    expect(s().selectedProductId).toBe(kopi.id);
    s().moveSelection(1);
    expect(s().selectedProductId).toBe(teh.id);
  });

  it('applies a rupiah or percentage discount and refuses one it cannot read or that exceeds the subtotal', () => {
    s().addProduct(kopi.id);
    s().addProduct(teh.id); // subtotal 23.000
    s().setDiscountInput('10%');
    expect(selectTotals(s())).toEqual({ subtotal: 23_000, discount: 2_300, total: 20_700 });
    s().setDiscountInput('3.000');
    expect(selectTotals(s()).total).toBe(20_000);
    s().setDiscountInput('3,5');
    expect(selectDiscountOk(s())).toBe(false);
    s().setDiscountInput('50.000');
    expect(selectDiscountOk(s())).toBe(false);
    s().setDiscountInput('');
    expect(selectDiscountOk(s())).toBe(true);
    expect(selectTotals(s()).total).toBe(23_000);
  });
});

describe('QRIS', () => {
  it('records the sale with its lines and discount, then shows the server’s QR', async () => {
    s().addProduct(kopi.id);
    s().addProduct(kopi.id);
    s().setDiscountInput('1000');
    await s().chargeQris();
    expect(api.callsTo('createSale')).toEqual([
      { lines: [{ productId: kopi.id, qty: 2 }], discount: { kind: 'amount', value: 1000 } },
    ]);
    expect(s().checkout).toBe('qris');
    expect(s().qris).toMatchObject({ status: 'pending', amount: 35_000, merchantName: 'Toko Maju Jaya' });
    expect(s().qris?.qrString).toMatch(/^000201/);
  });

  it('shows the receipt when the paid push arrives', async () => {
    s().addProduct(teh.id);
    await s().chargeQris();
    const paid = api.payQris(s().qris!.paymentId!);
    api.emit('payment:updated', paid);
    await expect.poll(() => s().checkout).toBe('receipt');
    expect(s().qris?.status).toBe('paid');
    expect(s().receipt?.sale.status).toBe('paid');
    expect(s().receipt?.sale.total).toBe(5_000);
  });

  it('ignores a push about another payment', async () => {
    s().addProduct(teh.id);
    await s().chargeQris();
    api.emit('payment:updated', { ...s().qris!, id: 'other', saleId: 'other-sale' } as never);
    expect(s().qris?.status).toBe('pending');
    expect(s().checkout).toBe('qris');
  });

  it('keeps the sale and the cart when the server is unreachable, and a retry charges the same sale', async () => {
    s().addProduct(kopi.id);
    api.failNext('startQris', 'SERVER_UNREACHABLE', 'connect ECONNREFUSED');
    await s().chargeQris();
    expect(s().error).toMatchObject({ code: 'SERVER_UNREACHABLE', key: 'errors.serverUnreachable' });
    expect(s().qris?.status).toBe('error');
    expect(s().lines).toHaveLength(1);
    const saleId = s().openSale?.id;
    expect(saleId).toBeTruthy();
    expect(api.sales.get(saleId!)?.status).toBe('open');

    await s().chargeQris();
    expect(api.callsTo('createSale')).toHaveLength(1);
    expect(api.callsTo('startQris')).toEqual([{ saleId }, { saleId }]);
    expect(s().qris?.status).toBe('pending');
    expect(s().error).toBeNull();
  });

  it('records a new sale when the cart changes after a failed charge', async () => {
    s().addProduct(kopi.id);
    api.failNext('startQris', 'SERVER_UNREACHABLE');
    await s().chargeQris();
    s().closeCheckout();
    expect(s().checkout).toBe('none');
    s().addProduct(teh.id);
    expect(s().openSale).toBeNull();
    await s().chargeQris();
    expect(api.callsTo('createSale')).toHaveLength(2);
    expect(s().qris?.amount).toBe(23_000);
  });

  it('cancels a pending QR and then lets the cashier go back to the cart', async () => {
    s().addProduct(teh.id);
    await s().chargeQris();
    s().closeCheckout(); // refused while the QR is still payable
    expect(s().checkout).toBe('qris');
    await s().cancelQris();
    expect(s().qris?.status).toBe('cancelled');
    s().closeCheckout();
    expect(s().checkout).toBe('none');
    expect(s().lines).toHaveLength(1);
  });

  it('shows the receipt when the customer paid just before the cancel', async () => {
    s().addProduct(teh.id);
    await s().chargeQris();
    api.payQris(s().qris!.paymentId!);
    await s().cancelQris();
    expect(s().checkout).toBe('receipt');
    expect(s().receipt?.sale.status).toBe('paid');
  });

  it('shows an expired QR as expired and offers a new one on the same sale', async () => {
    s().addProduct(teh.id);
    await s().chargeQris();
    const q = s().qris!;
    const pushed = { ...api.sales.get(q.saleId)!.payments[0]!, status: 'expired' as const };
    api.emit('payment:updated', pushed);
    expect(s().qris?.status).toBe('expired');
    await s().chargeQris();
    expect(s().qris?.status).toBe('pending');
    expect(s().qris?.paymentId).not.toBe(q.paymentId);
    expect(api.callsTo('createSale')).toHaveLength(1);
  });

  it('does not charge an empty cart', async () => {
    await s().chargeQris();
    expect(api.calls.filter((c) => c.method === 'createSale' || c.method === 'startQris')).toEqual([]);
    expect(s().checkout).toBe('none');
  });
});

describe('cash', () => {
  it('computes change and completes with the tendered amount', async () => {
    s().addProduct(kopi.id);
    s().addProduct(teh.id); // 23.000
    await s().openCash();
    expect(s().checkout).toBe('cash');
    s().setTenderedInput('20.000');
    expect(selectCash(s())).toEqual({ due: 23_000, tendered: 20_000, change: -3_000 });
    await s().completeCash();
    expect(api.callsTo('payCash')).toEqual([]); // not enough: nothing is sent

    s().setTenderedInput('50.000');
    expect(selectCash(s()).change).toBe(27_000);
    await s().completeCash();
    expect(api.callsTo('payCash')).toEqual([{ saleId: s().receipt?.sale.id, tendered: 50_000 }]);
    expect(s().checkout).toBe('receipt');
    expect(s().receipt?.sale.payments[0]).toMatchObject({ method: 'cash', tendered: 50_000, change: 27_000 });
  });

  it('starts a clean sale after the receipt', async () => {
    s().addProduct(teh.id);
    await s().openCash();
    s().setTenderedInput('5000');
    await s().completeCash();
    s().newSale();
    expect(s()).toMatchObject({ checkout: 'none', lines: [], openSale: null, receipt: null, qris: null });
    await expect.poll(() => s().recent.length).toBe(1);
  });
});

describe('session', () => {
  it('follows the pushed connection snapshot', () => {
    api.emit('connection:changed', {
      connection: 'offline',
      configured: true,
      lastError: 'ECONNREFUSED',
      clockSkewMs: 180_000,
      clockWarning: true,
      pendingOutbox: 1,
      parkedOutbox: 0,
      lastSyncedAt: null,
      pending: 1,
      pendingTotal: rupiah(33_000),
      parked: 0,
      unverifiedTotal: rupiah(0),
      syncProgress: { done: 0, total: 2 },
      drain: null,
      offlineQris: {
        ready: true,
        maxAmount: 500_000,
        maxUnverifiedTotal: 2_000_000,
        unverifiedTotal: 0,
        staticQris: null,
        merchantName: null,
        terminal: 'Kasir 1',
      },
    });
    expect(s().connection).toBe('offline');
    expect(s().clockSkewMs).toBe(180_000);
    expect(s().sync).toEqual({
      pending: 1,
      pendingTotal: 33_000,
      parked: 0,
      unverifiedTotal: 0,
      progress: { done: 0, total: 2 },
    });
  });

  it('re-sends parked entries through the core and takes the status it answers', async () => {
    await s().retryParked();
    expect(api.callsTo('retryParked')).toHaveLength(1);
    expect(s().sync.parked).toBe(0);
  });

  it('persists the language through the core', async () => {
    await s().setLanguage('en');
    expect(s().language).toBe('en');
    expect(api.callsTo('saveSettings')).toEqual([{ language: 'en' }]);
    expect(api.settings.language).toBe('en');
  });

  it('saves a new server URL only with its device token, and an unchanged one without re-sending it', async () => {
    expect(await s().saveSettings({ serverUrl: 'https://kasir.example.id/', deviceToken: ' tok_abc ' })).toBe(true);
    // Same address, empty token field: nothing to send (the stored token stays with its address).
    expect(await s().saveSettings({ serverUrl: 'https://kasir.example.id', deviceToken: null })).toBe(true);
    // Same address, a new token: the token alone, bound by the core to the stored address.
    expect(await s().saveSettings({ serverUrl: 'https://kasir.example.id', deviceToken: 'tok_new' })).toBe(true);
    expect(api.callsTo('saveSettings')).toEqual([
      { serverUrl: 'https://kasir.example.id', deviceToken: 'tok_abc' },
      { deviceToken: 'tok_new' },
    ]);
    expect(s().serverUrl).toBe('https://kasir.example.id');
    expect(s().settingsSaved).toBe(true);
  });

  it('refuses a new server URL without the device token, sending nothing to the core', async () => {
    expect(await s().saveSettings({ serverUrl: 'https://elsewhere.example.com', deviceToken: null })).toBe(false);
    expect(await s().saveSettings({ serverUrl: 'https://elsewhere.example.com', deviceToken: '   ' })).toBe(false);
    expect(api.callsTo('saveSettings')).toEqual([]);
    expect(s().error).toMatchObject({ code: 'INVALID_INPUT', key: 'settings.tokenRequired' });
    expect(s().serverUrl).toBe('http://127.0.0.1:8787');
    expect(s().settingsSaved).toBe(false);
  });

  it('asks for confirmation before plain http outside the shop network, then sends allowInsecure', async () => {
    const url = 'http://kasir.example.com:8787';
    expect(await s().saveSettings({ serverUrl: url, deviceToken: 'tok' })).toBe(false);
    expect(s().error).toMatchObject({ key: 'settings.insecureNeedsConfirm' });
    expect(api.callsTo('saveSettings')).toEqual([]);
    expect(await s().saveSettings({ serverUrl: url, deviceToken: 'tok', allowInsecure: true })).toBe(true);
    // Inside the shop's network no confirmation is needed, and none is sent.
    expect(await s().saveSettings({ serverUrl: 'http://192.168.1.20:8787', deviceToken: 'tok' })).toBe(true);
    expect(api.callsTo('saveSettings')).toEqual([
      { serverUrl: url, deviceToken: 'tok', allowInsecure: true },
      { serverUrl: 'http://192.168.1.20:8787', deviceToken: 'tok' },
    ]);
  });

  it('shows a core refusal of the settings on the settings screen', async () => {
    api.failNext('saveSettings', 'INVALID_INPUT', 'deviceToken: a new server URL needs the device token again');
    expect(await s().saveSettings({ serverUrl: 'https://x.example.id', deviceToken: 'tok' })).toBe(false);
    expect(s().error).toMatchObject({ code: 'INVALID_INPUT', key: 'errors.invalidInput' });
    expect(s().busy).toBe('none');
  });

  it('words a provider failure as the provider, not the server', () => {
    expect(toUiError({ code: 'PROVIDER_UNAVAILABLE', message: 'x', retryable: true })).toMatchObject({
      key: 'errors.providerUnavailable',
    });
    expect(en.errors.providerUnavailable).toMatch(/provider is unavailable.*try again or take cash/);
    expect(id.errors.providerUnavailable).toMatch(/coba lagi atau terima tunai/);
    for (const key of ['tokenRequired', 'insecureWarning', 'allowInsecure', 'insecureNeedsConfirm'] as const) {
      expect(en.settings[key].length).toBeGreaterThan(10);
      expect(id.settings[key]).not.toBe(en.settings[key]);
    }
  });

  it('reports an unenrolled till from the status snapshot', () => {
    api.emit('connection:changed', {
      connection: 'offline',
      configured: false,
      lastError: null,
      clockSkewMs: null,
      clockWarning: false,
      pendingOutbox: 0,
      parkedOutbox: 0,
      lastSyncedAt: null,
      pending: 0,
      pendingTotal: rupiah(0),
      parked: 0,
      unverifiedTotal: rupiah(0),
      syncProgress: null,
      drain: null,
      offlineQris: {
        ready: false,
        maxAmount: 0,
        maxUnverifiedTotal: 0,
        unverifiedTotal: 0,
        staticQris: null,
        merchantName: null,
        terminal: 'Kasir 1',
      },
    });
    expect(s().enrolled).toBe(false);
  });
});

describe('recent sales', () => {
  it('puts an unpaid sale back into the cart to be charged again', async () => {
    s().addProduct(kopi.id);
    s().addProduct(kopi.id);
    s().setDiscountInput('10%');
    api.failNext('startQris', 'SERVER_UNREACHABLE');
    await s().chargeQris();
    s().closeCheckout();
    s().newSale();
    await expect.poll(() => s().recent.length).toBe(1);
    const saleId = s().recent[0]!.id;

    await s().openRecent(saleId);
    expect(s().lines.map((l) => [l.sku, l.qty])).toEqual([['KOPI-01', 2]]);
    expect(s().discountInput).toBe('10%');
    expect(s().openSale?.id).toBe(saleId);
    await s().chargeQris();
    expect(api.callsTo('startQris').at(-1)).toEqual({ saleId });
    expect(api.callsTo('createSale')).toHaveLength(1);
  });
});
