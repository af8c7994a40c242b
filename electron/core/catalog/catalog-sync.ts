/**
 * The store's catalog on the till, copied from the server (issue 8): the whole catalog when the till connects
 * (`GET /v1/catalog`) and each change as a `catalog.updated` event (pull/live). The till sells from this copy
 * while offline.
 *
 * - Idempotent and order-free: a product is replaced only by a higher version of itself (versions are the
 *   store's catalog revisions, shared/schemas/catalog-api.ts), so a replayed or late event changes nothing.
 * - SKUs and barcodes are unique on the till too. When two products claim one, the higher version holds it and
 *   the other is kept off the counter (parked SKU) until its own newer version arrives — which it must, since
 *   the server only lets one product hold a code at a time.
 * - The demo catalog is only for a till that never received its store's catalog: the first non-empty catalog
 *   from the server replaces it (demo products that were sold keep their row, inactive, for their sale lines).
 * - Sale lines copy SKU, name and unit price when the sale is made, so nothing here changes a past sale.
 */
import type { Database } from 'better-sqlite3';
import { rupiah } from '../../../shared/money.ts';
import type { CatalogProduct } from '../../../shared/schemas/catalog-api.ts';
import {
  deleteUnsoldProduct,
  demoProductIds,
  holdersOfCodes,
  productSourceAndVersion,
  retireProduct,
  type ServerProduct,
  serverProductIdsNotIn,
  upsertServerProduct,
} from '../db/repos/products-repo.ts';

const toServerProduct = (p: CatalogProduct): ServerProduct => ({
  id: p.id,
  sku: p.sku,
  barcode: p.barcode,
  name: p.name,
  price: rupiah(p.price),
  category: p.category,
  imageUrl: p.image_url,
  active: p.active,
  version: p.version,
});

/**
 * Applies products from the server; `snapshot`: they are the store's whole catalog (server products missing
 * from it are taken off the counter). Must run inside the caller's transaction when the caller also moves the
 * event cursor; opens its own otherwise. Returns how many products changed on the till.
 */
export function applyServerCatalog(
  db: Database,
  products: CatalogProduct[],
  now: number,
  o: { snapshot: boolean },
): number {
  const run = () => {
    let changed = 0;
    if (products.length > 0) {
      for (const id of demoProductIds(db)) {
        if (!deleteUnsoldProduct(db, id)) retireProduct(db, id, now);
        changed++;
      }
    }
    if (o.snapshot) {
      for (const id of serverProductIdsNotIn(db, new Set(products.map((p) => p.id)))) {
        retireProduct(db, id, now);
        changed++;
      }
    }
    for (const p of [...products].sort((a, b) => a.version - b.version)) {
      const cur = productSourceAndVersion(db, p.id);
      if (cur && cur.source === 'server' && cur.version >= p.version) continue;
      const holders = holdersOfCodes(db, p.id, p.sku, p.barcode);
      const product = toServerProduct(p);
      if (holders.some((h) => h.source === 'server' && h.version > p.version)) {
        // A newer claim holds this code: keep this version, off the counter, until its own newer one comes.
        upsertServerProduct(db, { ...product, sku: `~${p.id}`, barcode: null, active: false }, now);
        changed++;
        continue;
      }
      for (const h of holders) retireProduct(db, h.id, now);
      upsertServerProduct(db, product, now);
      changed++;
    }
    return changed;
  };
  return db.inTransaction ? run() : db.transaction(run)();
}
