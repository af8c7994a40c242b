import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * The store catalog (issue 8): products with their price, SKU, barcode and category, per store, edited by the
 * store's manager and copied to its tills. `id` is a client UUID; SKU and barcode are unique within a store
 * (NULL barcodes do not collide on either database). A product is never deleted — deactivating keeps its SKU
 * and history — and `version` is the store's catalog revision at its last change (shared/schemas/catalog-api.ts),
 * unique per store so two changes can always be ordered.
 */
export const m0011Catalog = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('products')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('sku', 'text', (c) => c.notNull())
      .addColumn('barcode', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('price', 'bigint', (c) => c.notNull())
      .addColumn('category', 'text')
      .addColumn('image_url', 'text')
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addCheckConstraint('products_price_range', sql`price >= 1 and price <= 100000000`)
      .addCheckConstraint('products_active_bool', sql`active in (0, 1)`)
      .execute();
    await db.schema.createIndex('products_store_sku').on('products').columns(['store_id', 'sku']).unique().execute();
    await db.schema
      .createIndex('products_store_barcode')
      .on('products')
      .columns(['store_id', 'barcode'])
      .unique()
      .execute();
    await db.schema
      .createIndex('products_store_version')
      .on('products')
      .columns(['store_id', 'version'])
      .unique()
      .execute();
  },
});
