/**
 * The till's copy of the store catalog (electron/core/catalog/catalog-sync.ts): events applied in any order
 * end in the same catalog, an older version never overwrites a newer one, a SKU moving between products is
 * held by the newer claim, the demo catalog gives way to the store's, and a price change never alters a sale
 * already made.
 */
import { describe, expect, it } from 'vitest';
import type { TillCore } from '../../../electron/core/till-core.ts';
import type { CatalogUpdatedEvent } from '../../../shared/events.ts';
import { newId } from '../../../shared/ids.ts';
import type { CatalogProduct } from '../../../shared/schemas/catalog-api.ts';
import { makeCore } from './helpers.ts';

let seq = 0;
const ids = { teh: newId(), kopi: newId(), roti: newId() };

function p(over: Partial<CatalogProduct> & { id: string; version: number }): CatalogProduct {
  return {
    sku: 'SKU',
    barcode: null,
    name: 'Produk',
    price: 1_000,
    category: 'Lain',
    image_url: null,
    active: true,
    updated_at: 0,
    ...over,
  };
}

const ev = (...products: CatalogProduct[]): CatalogUpdatedEvent => ({
  seq: ++seq,
  type: 'catalog.updated',
  store_id: 'toko',
  at: 0,
  products,
});

/** A store's history: created, repriced, SKU moved from teh to kopi, roti deactivated. */
const HISTORY: CatalogUpdatedEvent[] = [
  ev(p({ id: ids.teh, version: 1, sku: 'TEH', name: 'Teh', price: 5_000, barcode: '111' })),
  ev(p({ id: ids.kopi, version: 2, sku: 'KOPI', name: 'Kopi', price: 2_000 })),
  ev(p({ id: ids.roti, version: 3, sku: 'ROTI', name: 'Roti', price: 8_500, category: 'Makanan' })),
  ev(p({ id: ids.teh, version: 4, sku: 'TEH', name: 'Teh Botol', price: 6_000, barcode: '111' })),
  ev(p({ id: ids.teh, version: 5, sku: 'TEH-OLD', name: 'Teh Botol', price: 6_000, barcode: null })),
  ev(p({ id: ids.kopi, version: 6, sku: 'TEH', name: 'Kopi', price: 2_500, barcode: '111' })),
  ev(p({ id: ids.roti, version: 7, sku: 'ROTI', name: 'Roti', price: 8_500, category: 'Makanan', active: false })),
];

function view(core: TillCore) {
  return core
    .listCatalog({ includeInactive: true })
    .filter((x) => !x.sku.startsWith('~'))
    .map(({ id, sku, barcode, name, price, active, category }) => ({ id, sku, barcode, name, price, active, category }))
    .sort((x, y) => x.id.localeCompare(y.id));
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('catalog events', () => {
  it('in any order, replayed or not, end in the same catalog as in order', () => {
    const inOrder = makeCore();
    for (const e of HISTORY) inOrder.applyEvent(e);
    const expected = view(inOrder);
    expect(expected).toEqual(
      [
        { id: ids.teh, sku: 'TEH-OLD', barcode: null, name: 'Teh Botol', price: 6_000, active: true, category: 'Lain' },
        { id: ids.kopi, sku: 'TEH', barcode: '111', name: 'Kopi', price: 2_500, active: true, category: 'Lain' },
        { id: ids.roti, sku: 'ROTI', barcode: null, name: 'Roti', price: 8_500, active: false, category: 'Makanan' },
      ].sort((x, y) => x.id.localeCompare(y.id)),
    );
    for (let seed = 1; seed <= 25; seed++) {
      const core = makeCore();
      for (const e of shuffled([...HISTORY, ...HISTORY.slice(0, 3)], seed)) core.applyEvent(e);
      expect(view(core), `order ${seed}`).toEqual(expected);
    }
  });

  it('an older version of a product is ignored', () => {
    const core = makeCore();
    core.applyEvent(HISTORY[3]!); // teh v4: Rp 6.000
    core.applyEvent(HISTORY[0]!); // teh v1: Rp 5.000, late
    expect(core.findProduct({ code: 'TEH' })).toMatchObject({ price: 6_000, name: 'Teh Botol' });
    expect(core.findProduct({ code: '111' })).toMatchObject({ id: ids.teh });
  });

  it('moves the cursor with the catalog, in one transaction', () => {
    const core = makeCore();
    const e = ev(p({ id: newId(), version: 1, sku: 'X1' }));
    core.applyEvent(e);
    const row = core.db.prepare('SELECT cursor FROM sync_state WHERE id = 1').get() as { cursor: number };
    expect(row.cursor).toBe(e.seq);
  });

  it('tells the screen when the catalog changed, and not for a replay', () => {
    const core = makeCore();
    const seen: number[] = [];
    core.events.subscribe((name, payload) => {
      if (name === 'catalog:changed') seen.push((payload as { changed: number }).changed);
    });
    core.applyEvent(HISTORY[0]!);
    core.applyEvent(HISTORY[0]!);
    expect(seen).toEqual([1]);
  });
});

describe('demo catalog and past sales', () => {
  it("gives way to the store's catalog; sold demo products keep their rows, off the counter", async () => {
    const core = makeCore();
    core.seedDemoCatalog();
    const demo = core.listCatalog(undefined);
    const sold = demo[0]!;
    const sale = core.createSale({ lines: [{ productId: sold.id, qty: 2 }] });
    await core.payCash({ saleId: sale.id, tendered: sale.total });
    // A server with an empty catalog leaves the demo alone.
    core.applyEvent(ev());
    expect(core.listCatalog(undefined)).toHaveLength(demo.length);
    core.applyEvent(ev(p({ id: ids.teh, version: 1, sku: sold.sku, name: 'Teh dari toko', price: 7_000 })));
    expect(core.listCatalog(undefined).map((x) => x.name)).toEqual(['Teh dari toko']);
    // The sale made from the demo product keeps its line as it was.
    const receipt = core.getReceipt({ saleId: sale.id });
    expect(receipt.sale.lines[0]).toMatchObject({ sku: sold.sku, name: sold.name, unitPrice: sold.price, qty: 2 });
    expect(receipt.sale.total).toBe(sold.price * 2);
  });

  it('a sale made before a price change keeps its price; the next sale takes the new one', async () => {
    const core = makeCore();
    core.applyEvent(ev(p({ id: ids.kopi, version: 1, sku: 'KOPI', name: 'Kopi', price: 2_000 })));
    const before = core.createSale({ lines: [{ productId: ids.kopi, qty: 3 }] });
    await core.payCash({ saleId: before.id, tendered: 10_000 });
    core.applyEvent(ev(p({ id: ids.kopi, version: 2, sku: 'KOPI', name: 'Kopi Susu', price: 2_500 })));
    const after = core.createSale({ lines: [{ productId: ids.kopi, qty: 3 }] });
    expect(after.total).toBe(7_500);
    const old = core.getReceipt({ saleId: before.id }).sale;
    expect(old.lines[0]).toMatchObject({ name: 'Kopi', unitPrice: 2_000, lineTotal: 6_000 });
    expect(old.total).toBe(6_000);
    expect(core.recentSales(undefined).find((s) => s.id === before.id)?.total).toBe(6_000);
  });

  it('a deactivated product can no longer be sold', () => {
    const core = makeCore();
    core.applyEvent(HISTORY[2]!);
    core.applyEvent(HISTORY[6]!);
    expect(() => core.createSale({ lines: [{ productId: ids.roti, qty: 1 }] })).toThrow(/no longer sold/);
    expect(core.findProduct({ code: 'ROTI' })).toBeNull();
  });
});
