import { beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en.ts';
import { id } from '../../../renderer/src/i18n/id.ts';
import { followingAmounts, formatTyped } from '../../../renderer/src/lib/rupiah-input.ts';
import { createTillStore, startStore, type TillStore } from '../../../renderer/src/store/create-store.ts';
import { dayRange } from '../../../renderer/src/store/recent-slice.ts';
import { selectCash, selectCategories, selectVisibleProducts } from '../../../renderer/src/store/selectors.ts';
import type { PrintQueueView } from '../../../shared/counter.ts';
import { createTillApiDouble, PRODUCTS, type TillApiDouble } from './till-api-double.ts';

const kopi = PRODUCTS[0]!; // Rp 18.000
const teh = PRODUCTS[1]!; // Rp 5.000

let api: TillApiDouble;
let store: TillStore;
const s = () => store.getState();

beforeEach(async () => {
  api = createTillApiDouble();
  store = createTillStore(api);
  await startStore(store, api);
});

describe('tender typed as rupiah, quick cash', () => {
  it('shows what is typed as Rp 120.000 and reads it back as the same amount', () => {
    expect(formatTyped('120000')).toBe('Rp 120.000');
    expect(formatTyped('Rp 120.0005')).toBe('Rp 1.200.005');
    expect(formatTyped('abc')).toBe('');
    expect(formatTyped('000')).toBe('Rp 0');
    expect(formatTyped('9'.repeat(20))).toBe('Rp 999.999.999.999');
    s().setTenderedInput(formatTyped('120000'));
    expect(selectCash(s()).tendered).toBe(120_000);
  });

  it('offers the next 5k/10k/50k/100k above the amount due', () => {
    expect(followingAmounts(37_500)).toEqual([40_000, 50_000, 100_000]);
    expect(followingAmounts(41_000)).toEqual([45_000, 50_000, 100_000]);
    // A round amount due: the exact button covers it, the next notes up are offered.
    expect(followingAmounts(50_000)).toEqual([55_000, 60_000, 100_000]);
    expect(followingAmounts(120_000)).toEqual([125_000, 130_000, 150_000, 200_000]);
  });

  it('adds each quick note to what was tendered', async () => {
    s().addProduct(kopi.id);
    s().addProduct(teh.id);
    await s().openCash();
    s().addTendered(20_000);
    s().addTendered(10_000);
    expect(s().tenderedInput).toBe('Rp 30.000');
    expect(selectCash(s()).change).toBe(30_000 - 23_000);
    s().setTenderedInput('Rp 5.000');
    s().addTendered(50_000);
    expect(selectCash(s()).tendered).toBe(55_000);
    await s().completeCash();
    expect(api.callsTo('payCash')).toEqual([{ saleId: s().openSale?.id ?? expect.any(String), tendered: 55_000 }]);
  });
});

describe('wording on the cash sheet', () => {
  it('never puts "Kembali" (back) beside "Kembalian" (change)', () => {
    for (const m of [id, en]) {
      const back = m.cash.back.toLowerCase();
      const change = m.cash.change.toLowerCase();
      // No word of the back button may be the stem of the change label ("kembali" / "kembalian").
      expect(back.split(' ').some((w) => w.length > 3 && change.startsWith(w))).toBe(false);
    }
    expect(id.cash.back).not.toMatch(/kembali/i);
  });
});

describe('shift', () => {
  it('opens with the typed float and closes with the counted cash, showing the difference', async () => {
    s().setFloatInput('Rp 200.000');
    s().setCashierInput('  Sari ');
    await s().openShift();
    expect(api.callsTo('openShift')).toEqual([{ openingFloat: 200_000, cashier: 'Sari' }]);
    expect(s().shift?.cashier).toBe('Sari');
    expect(s().shift?.status).toBe('open');
    s().setCountedInput('Rp 193.000');
    await s().closeShift();
    expect(api.callsTo('closeShift')).toEqual([{ countedCash: 193_000 }]);
    expect(s().shift?.report.difference).toBe(-7_000);
    expect(s().countedInput).toBe('');
  });

  it('keeps a report shown as on the server when an older view of the closed shift arrives after it', async () => {
    s().setFloatInput('Rp 100.000');
    s().setCashierInput('Sari');
    await s().openShift();
    s().setCountedInput('Rp 100.000');
    await s().closeShift();
    const closed = s().shift!;
    expect(closed.synced).toBe(false);
    // The push event (report on the server) overtakes the answer to the close: the answer must not undo it.
    api.emit('shift:changed', { ...closed, synced: true });
    api.emit('shift:changed', { ...closed, synced: false });
    expect(s().shift?.synced).toBe(true);
  });

  it('does not call the core with an unreadable amount, and shows a refusal', async () => {
    s().setCashierInput('Sari');
    s().setFloatInput('dua ratus');
    await s().openShift();
    expect(api.callsTo('openShift')).toEqual([]);
    // Nobody named: no shift (every sale of the shift carries the cashier's name).
    s().setCashierInput('   ');
    s().setFloatInput('Rp 100.000');
    await s().openShift();
    expect(api.callsTo('openShift')).toEqual([]);
    s().setCashierInput('Sari');
    s().setFloatInput('Rp 0');
    await s().openShift();
    api.failNext('openShift', 'CONFLICT', 'a shift is already open');
    s().setFloatInput('Rp 1');
    await s().openShift();
    expect(s().counterError?.code).toBe('CONFLICT');
  });
});

describe('printing and the customer display', () => {
  it('follows the print queue pushed by the core', () => {
    const q: PrintQueueView = {
      queued: [
        {
          id: 'j1',
          kind: 'receipt',
          refId: 's1',
          paperMm: 58,
          status: 'queued',
          attempts: 1,
          lastError: 'ECONNREFUSED',
          createdAt: 1,
          printedAt: null,
        },
      ],
      lastPrinted: null,
    };
    api.emit('print:changed', q);
    expect(s().printQueue).toEqual(q);
  });

  it('retries the queue through the core', async () => {
    await s().retryPrints();
    expect(api.callsTo('retryPrints')).toHaveLength(1);
  });

  it('sends the cart (ids and quantities only) to the display whenever it changes', () => {
    s().addProduct(kopi.id);
    s().addProduct(kopi.id);
    s().setDiscountInput('10%');
    s().clearCart();
    expect(api.callsTo('showCart')).toEqual([
      { lines: [{ productId: kopi.id, qty: 1 }] },
      { lines: [{ productId: kopi.id, qty: 2 }] },
      { lines: [{ productId: kopi.id, qty: 2 }], discount: { kind: 'percent_bp', value: 1000 } },
      { lines: [] },
    ]);
  });

  it('does not show a half-typed discount to the customer', () => {
    s().addProduct(kopi.id);
    s().setDiscountInput('10%%');
    expect(api.callsTo('showCart')).toHaveLength(1);
  });
});

describe('history date filter and product categories', () => {
  it('asks the core for one local day when a date is chosen, and for all again when cleared', async () => {
    s().setRecentDay('2025-06-15');
    await new Promise((r) => setTimeout(r, 0));
    const range = dayRange('2025-06-15')!;
    expect(new Date(range.from).getHours()).toBe(0);
    expect(range.to - range.from).toBe(24 * 3_600_000 - 1);
    expect(api.callsTo('recentSales').at(-1)).toEqual({ limit: 50, from: range.from, to: range.to });
    s().setRecentDay('');
    await new Promise((r) => setTimeout(r, 0));
    expect(api.callsTo('recentSales').at(-1)).toEqual({ limit: 50 });
    expect(dayRange('15/06/2025')).toBeNull();
  });

  it('filters the tiles by category, combined with the search', () => {
    expect(selectCategories(s())).toEqual(['Makanan', 'Minuman']);
    s().setCategory('Minuman');
    expect(selectVisibleProducts(s()).map((p) => p.sku)).toEqual(['KOPI-01', 'TEH-01']);
    s().setQuery('teh');
    expect(selectVisibleProducts(s()).map((p) => p.sku)).toEqual(['TEH-01']);
    s().setCategory(null);
    s().setQuery('');
    expect(selectVisibleProducts(s())).toHaveLength(3);
  });
});
