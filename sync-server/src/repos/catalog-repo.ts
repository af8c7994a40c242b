/** SQL of the store catalog (migration 0011). Callers run these inside one transaction per change. */
import type { Insertable, Updateable } from 'kysely';
import type { ProductRow, ProductsTable } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/**
 * Serialises catalog changes of one store (PostgreSQL: `FOR NO KEY UPDATE` on the store's row, held to commit;
 * SQLite has one writer anyway), so "next version = highest + 1" cannot hand one version out twice. That lock
 * mode does not conflict with the KEY SHARE lock a foreign-key check takes, so payments, sales and devices of
 * the store are never held up by an import; only another catalog change of the same store waits.
 * Returns whether the store exists.
 */
export async function lockStoreCatalog(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  storeId: string,
): Promise<boolean> {
  const q = db.selectFrom('stores').select('id').where('id', '=', storeId);
  return (await (dialect === 'postgres' ? q.forNoKeyUpdate() : q).executeTakeFirst()) !== undefined;
}

export async function catalogVersion(db: Executor, storeId: string): Promise<number> {
  const r = await db
    .selectFrom('products')
    .select((eb) => eb.fn.max<number | null>('version').as('v'))
    .where('store_id', '=', storeId)
    .executeTakeFirst();
  return Number(r?.v ?? 0);
}

export async function listCatalogProducts(db: Executor, storeId: string): Promise<ProductRow[]> {
  return db.selectFrom('products').selectAll().where('store_id', '=', storeId).orderBy('name').orderBy('sku').execute();
}

/** By id in any store: a product id is a UUID, unique across stores. */
export async function getProductById(db: Executor, id: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Products of the store holding any of these SKUs or barcodes (to refuse a duplicate with a clear reason). */
export async function productsHoldingCodes(
  db: Executor,
  storeId: string,
  skus: string[],
  barcodes: string[],
): Promise<ProductRow[]> {
  if (skus.length === 0 && barcodes.length === 0) return [];
  const out = new Map<string, ProductRow>();
  // Chunked: PostgreSQL and SQLite both cap bind parameters per statement.
  for (const [column, values] of [
    ['sku', skus],
    ['barcode', barcodes],
  ] as const) {
    for (let i = 0; i < values.length; i += 500) {
      const rows = await db
        .selectFrom('products')
        .selectAll()
        .where('store_id', '=', storeId)
        .where(column, 'in', values.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.id, r);
    }
  }
  return [...out.values()];
}

export async function insertProduct(db: Executor, row: Insertable<ProductsTable>): Promise<void> {
  await db.insertInto('products').values(row).execute();
}

/** Many products in multi-row statements (12 columns × 400 rows stays under both databases' bind limits). */
export async function insertProducts(db: Executor, rows: Insertable<ProductsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 400) {
    await db
      .insertInto('products')
      .values(rows.slice(i, i + 400))
      .execute();
  }
}

export async function updateProduct(
  db: Executor,
  storeId: string,
  id: string,
  patch: Updateable<ProductsTable>,
): Promise<void> {
  await db.updateTable('products').set(patch).where('store_id', '=', storeId).where('id', '=', id).execute();
}
