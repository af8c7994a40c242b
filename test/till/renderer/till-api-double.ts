/**
 * A TillApi double for the store's unit tests, typed by the real contract (shared/ipc.ts): an in-memory
 * catalogue and sales book that answers like the core does, records every call, and lets a test fail the next
 * call of a method or push an event. End-to-end tests use the real core; this exists only for the store.
 */
import type {
  IpcResponses,
  OfflineQrisOffer,
  PaymentInfo,
  Product,
  Receipt,
  SaleView,
  SettingsView,
  TillApi,
  TillError,
  TillEventName,
  TillEventPayloads,
  TillStatus,
} from '../../../shared/ipc.ts';
import { tillError } from '../../../shared/ipc.ts';
import { applyBasisPoints, rupiah } from '../../../shared/money.ts';
import {
  deriveOfflineQr,
  type OfflineQrisSetupView,
  offlineQrisRefusal,
  offlineReference,
} from '../../../shared/offline-qris.ts';
import type { Result } from '../../../shared/result.ts';
import { VALID } from '../../shared/qris/vectors.ts';
import { counterDouble } from './counter-double.ts';

let seq = 0;
/** Ids shaped like the core's UUIDs. */
export function fakeId(): string {
  seq += 1;
  return `0190f0a0-0000-7000-8000-${String(seq).padStart(12, '0')}`;
}

export const PRODUCTS: Product[] = [
  {
    id: fakeId(),
    sku: 'KOPI-01',
    barcode: '8991002101234',
    name: 'Kopi Susu Gula Aren',
    price: rupiah(18_000),
    active: true,
    category: 'Minuman',
    imageUrl: 'data:image/png;base64,iVBORw0KGgo=',
  },
  {
    id: fakeId(),
    sku: 'TEH-01',
    barcode: null,
    name: 'Es Teh Manis',
    price: rupiah(5_000),
    active: true,
    category: 'Minuman',
    imageUrl: null,
  },
  {
    id: fakeId(),
    sku: 'ROTI-02',
    barcode: null,
    name: 'Roti Bakar Cokelat',
    price: rupiah(15_000),
    active: true,
    category: 'Makanan',
    imageUrl: null,
  },
  {
    id: fakeId(),
    sku: 'OLD-01',
    barcode: null,
    name: 'Discontinued',
    price: rupiah(1_000),
    active: false,
    category: null,
    imageUrl: null,
  },
];

type Call = { method: string; input: unknown };

export type TillApiDouble = TillApi & {
  calls: Call[];
  callsTo(method: string): unknown[];
  /** The next call of `method` answers with this error instead of doing its work. */
  failNext(method: string, code: TillError['code'], message?: string): void;
  emit<E extends TillEventName>(name: E, payload: TillEventPayloads[E]): void;
  sales: Map<string, SaleView>;
  settings: SettingsView;
  /** What `offlineQris` in the status says and what `startOfflineQris` enforces (a test may change it). */
  offline: OfflineQrisSetupView;
  /** Marks a QRIS payment paid, as the server's push would, and returns the pushed payment. */
  payQris(paymentId: string): PaymentInfo;
  listenerCount(): number;
};

export function createTillApiDouble(o: { products?: Product[]; now?: () => number } = {}): TillApiDouble {
  const products = o.products ?? PRODUCTS;
  const now = o.now ?? (() => 1_750_000_000_000);
  const calls: Call[] = [];
  const failures = new Map<string, { code: TillError['code']; message: string }>();
  const listeners = new Map<TillEventName, Set<(p: unknown) => void>>();
  const sales = new Map<string, SaleView>();
  const offers = new Map<string, { offer: OfflineQrisOffer; draft: SaleView | null }>();
  const offline: OfflineQrisSetupView = {
    staticQris: VALID.V01,
    merchantName: 'Warung Sayur Bu Sugeng',
    terminal: 'Kasir 1',
    ready: true,
    maxAmount: 500_000,
    maxUnverifiedTotal: 2_000_000,
    unverifiedTotal: 0,
  };
  const settings: SettingsView = {
    serverUrl: 'http://127.0.0.1:8787',
    hasDeviceToken: true,
    storeName: 'Toko Maju Jaya',
    deviceName: 'Kasir 1',
    language: 'id',
    staticQris: null,
  };

  async function answer<T>(method: string, input: unknown, work: () => Result<T>): Promise<Result<T>> {
    calls.push({ method, input });
    const f = failures.get(method);
    if (f) {
      failures.delete(method);
      return tillError(f.code, f.message);
    }
    return work();
  }
  const ok = <T>(data: T): Result<T> => ({ ok: true, data });

  function payment(saleId: string, patch: Partial<PaymentInfo>): PaymentInfo {
    const sale = sales.get(saleId)!;
    return {
      id: fakeId(),
      saleId,
      method: 'qris',
      status: 'pending',
      late: false,
      amount: sale.total,
      qrString: null,
      merchantName: settings.storeName,
      expiresAt: null,
      expirySuspected: false,
      provider: null,
      providerRef: null,
      payerWallet: null,
      offlineRef: null,
      tendered: null,
      change: null,
      createdAt: now(),
      updatedAt: now(),
      paidAt: null,
      ...patch,
    };
  }

  function putPayment(p: PaymentInfo): void {
    const sale = sales.get(p.saleId)!;
    const payments = [...sale.payments.filter((x) => x.id !== p.id), p];
    // An unverified offline payment closes its sale too, as the core does.
    const paid = p.status === 'paid' || p.status === 'unverified';
    sales.set(sale.id, { ...sale, payments, status: paid ? 'paid' : sale.status, paidAt: paid ? now() : sale.paidAt });
  }

  function findPayment(id: string): PaymentInfo | undefined {
    for (const s of sales.values()) {
      const p = s.payments.find((x) => x.id === id);
      if (p) return p;
    }
    return undefined;
  }

  const counter = counterDouble(answer, now, fakeId);
  /** Prices a draft like the core does (from the catalogue), without recording it. */
  function draftSale(input: {
    lines: { productId: string; qty: number }[];
    discount?: SaleView['discount'] | undefined;
  }): SaleView {
    const lines = input.lines.map((l) => {
      const p = products.find((x) => x.id === l.productId);
      if (!p) throw new Error('unknown product in the double');
      return {
        id: fakeId(),
        productId: p.id,
        sku: p.sku,
        name: p.name,
        qty: l.qty,
        unitPrice: p.price,
        lineTotal: rupiah(p.price * l.qty),
      };
    });
    const subtotal = rupiah(lines.reduce((a, l) => a + l.lineTotal, 0));
    const d = input.discount ?? null;
    const off = !d ? 0 : d.kind === 'amount' ? d.value : applyBasisPoints(subtotal, d.value);
    const discountAmount = rupiah(Math.min(off, subtotal));
    const sale: SaleView = {
      id: fakeId(),
      status: 'open',
      lines,
      subtotal,
      discount: d,
      discountAmount,
      total: rupiah(subtotal - discountAmount),
      payments: [],
      createdAt: now(),
      paidAt: null,
    };
    return sale;
  }

  const manager = {
    pin: null as string | null,
    unlocked: false,
    status: (): TillStatus => ({
      connection: 'online',
      configured: true,
      lastError: null,
      clockSkewMs: 0,
      clockWarning: false,
      pendingOutbox: 0,
      parkedOutbox: 0,
      lastSyncedAt: now(),
      pending: 0,
      pendingTotal: rupiah(0),
      parked: 0,
      unverifiedTotal: rupiah(offline.unverifiedTotal),
      syncProgress: null,
      drain: null,
      offlineQris: { ...offline },
    }),
  };
  const pinView = () => ({
    set: manager.pin !== null,
    lockedUntil: null,
    unlockedUntil: manager.unlocked ? now() + 600_000 : null,
  });

  const api: TillApi = {
    ...counter.methods,
    listCatalog: (input) => answer('listCatalog', input, () => ok(products)),
    findProduct: (input) =>
      answer('findProduct', input, () =>
        ok<IpcResponses['catalog:find']>(
          products.find((p) => p.active && (p.sku === input.code || p.barcode === input.code)) ?? null,
        ),
      ),
    seedDemoCatalog: (input) => answer('seedDemoCatalog', input, () => ok({ inserted: 0 })),
    createSale: (input) =>
      answer('createSale', input, () => {
        const sale = draftSale(input);
        sales.set(sale.id, sale);
        return ok(sale);
      }),
    getSale: (input) =>
      answer('getSale', input, () => {
        const sale = sales.get(input.saleId);
        if (!sale) return tillError('NOT_FOUND');
        const r: Receipt = { sale, storeName: settings.storeName, deviceName: settings.deviceName, printedAt: now() };
        return ok(r);
      }),
    recentSales: (input) =>
      answer('recentSales', input, () =>
        ok(
          [...sales.values()]
            .filter((x) => x.createdAt >= (input?.from ?? 0) && x.createdAt <= (input?.to ?? Number.MAX_SAFE_INTEGER))
            .reverse(),
        ),
      ),
    startQris: (input) =>
      answer('startQris', input, () => {
        if (!sales.has(input.saleId)) return tillError('NOT_FOUND');
        const p = payment(input.saleId, {
          qrString: '00020101021226...6304ABCD',
          expiresAt: now() + 15 * 60_000,
        });
        putPayment(p);
        return ok(p);
      }),
    cancelPayment: (input) =>
      answer('cancelPayment', input, () => {
        const p = findPayment(input.paymentId);
        if (!p) return tillError('NOT_FOUND');
        if (p.status === 'paid') return tillError('ALREADY_PAID');
        const next = { ...p, status: 'cancelled' as const, updatedAt: now() };
        putPayment(next);
        return ok(next);
      }),
    payCash: (input) =>
      answer('payCash', input, () => {
        const sale = sales.get(input.saleId);
        if (!sale) return tillError('NOT_FOUND');
        if (input.tendered < sale.total) return tillError('INVALID_INPUT', 'tendered is less than the total');
        const p = payment(sale.id, {
          method: 'cash',
          status: 'paid',
          merchantName: null,
          tendered: rupiah(input.tendered),
          change: rupiah(input.tendered - sale.total),
          paidAt: now(),
        });
        putPayment(p);
        return ok(p);
      }),
    getPayment: (input) =>
      answer('getPayment', input, () => {
        const p = findPayment(input.paymentId);
        return p ? ok(p) : tillError('NOT_FOUND');
      }),
    checkPayment: (input) =>
      answer('checkPayment', input, () => {
        const p = findPayment(input.paymentId);
        return p ? ok(p) : tillError('NOT_FOUND');
      }),
    startOfflineQris: (input) =>
      answer('startOfflineQris', input, () => {
        // Like the core: an existing sale, or the cart as a draft recorded only on confirmation.
        const draft = 'saleId' in input ? null : draftSale(input);
        const sale = draft ?? sales.get('saleId' in input ? input.saleId : '');
        if (!sale) return tillError('NOT_FOUND');
        const refusal = offlineQrisRefusal(sale.total, offline);
        if (refusal) return tillError('OFFLINE_QRIS_REFUSED', refusal);
        const paymentId = input.paymentId ?? fakeId();
        const offer: OfflineQrisOffer = {
          saleId: sale.id,
          paymentId,
          amount: sale.total,
          qrString: deriveOfflineQr(VALID.V01, sale.total, paymentId, 'Kasir 1'),
          merchantName: settings.storeName,
          reference: offlineReference(paymentId),
          terminal: 'Kasir 1',
        };
        offers.set(paymentId, { offer, draft });
        return ok(offer);
      }),
    confirmOfflineQris: (input) =>
      answer('confirmOfflineQris', input, () => {
        const entry = offers.get(input.paymentId);
        if (!entry) return tillError('NOT_FOUND');
        const o = entry.offer;
        if (entry.draft) sales.set(entry.draft.id, entry.draft);
        const p = payment(o.saleId, {
          id: o.paymentId,
          status: 'unverified',
          qrString: o.qrString,
          offlineRef: o.reference,
        });
        putPayment(p);
        offline.unverifiedTotal += p.amount;
        return ok(p);
      }),
    getSettings: (input) => answer('getSettings', input, () => ok({ ...settings })),
    saveSettings: (input) =>
      answer('saveSettings', input, () => {
        if (input.serverUrl !== undefined) settings.serverUrl = input.serverUrl;
        if (input.deviceToken) settings.hasDeviceToken = true;
        if (input.language) settings.language = input.language;
        return ok({ ...settings });
      }),
    getStatus: (input) =>
      answer('getStatus', input, () => {
        const s: TillStatus = {
          connection: 'online',
          configured: true,
          lastError: null,
          clockSkewMs: 0,
          clockWarning: false,
          pendingOutbox: 0,
          parkedOutbox: 0,
          lastSyncedAt: now(),
          pending: 0,
          pendingTotal: rupiah(0),
          parked: 0,
          unverifiedTotal: rupiah(offline.unverifiedTotal),
          syncProgress: null,
          drain: null,
          offlineQris: { ...offline },
        };
        return ok(s);
      }),
    retryParked: (input) =>
      answer('retryParked', input, () =>
        ok<TillStatus>({
          connection: 'online',
          configured: true,
          lastError: null,
          clockSkewMs: 0,
          clockWarning: false,
          pendingOutbox: 0,
          parkedOutbox: 0,
          lastSyncedAt: now(),
          pending: 0,
          pendingTotal: rupiah(0),
          parked: 0,
          unverifiedTotal: rupiah(offline.unverifiedTotal),
          syncProgress: null,
          drain: null,
          offlineQris: { ...offline },
        }),
      ),
    managerPin: (input) => answer('managerPin', input, () => ok(pinView())),
    setManagerPin: (input) =>
      answer('setManagerPin', input, () => {
        if (manager.pin !== null && input.currentPin !== manager.pin) return tillError('PIN_WRONG', '4');
        manager.pin = input.pin;
        manager.unlocked = true;
        return ok(pinView());
      }),
    unlockManager: (input) =>
      answer('unlockManager', input, () => {
        if (manager.pin === null) return tillError('PIN_REQUIRED');
        if (input.pin !== manager.pin) return tillError('PIN_WRONG', '4');
        manager.unlocked = true;
        return ok(pinView());
      }),
    lockManager: (input) =>
      answer('lockManager', input, () => {
        manager.unlocked = false;
        return ok(pinView());
      }),
    syncDetails: (input) =>
      answer('syncDetails', input, () => {
        if (!manager.unlocked) return tillError('PIN_REQUIRED');
        return ok({ status: manager.status(), oldestUnsyncedAt: null, parkedItems: [], unverified: [], now: now() });
      }),
    onEvent(name, cb) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const l = cb as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };

  return Object.assign(api, {
    calls,
    callsTo: (m: string) => calls.filter((c) => c.method === m).map((c) => c.input),
    failNext(method: string, code: TillError['code'], message = code) {
      failures.set(method, { code, message });
    },
    emit<E extends TillEventName>(name: E, payload: TillEventPayloads[E]) {
      for (const cb of listeners.get(name) ?? []) cb(payload);
    },
    sales,
    settings,
    offline,
    payQris(paymentId: string) {
      const p = findPayment(paymentId);
      if (!p) throw new Error('no such payment in the double');
      const paid: PaymentInfo = { ...p, status: 'paid', paidAt: now(), updatedAt: now() };
      putPayment(paid);
      return paid;
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  });
}
