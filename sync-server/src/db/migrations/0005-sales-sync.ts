import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * Sales synced from tills (POST /v1/sync/push). A sale, its lines, its cash payments and every applied
 * mutation are keyed by the till's client ids, so a replay can never make a second row. `client_*` times are
 * the till's clock; `received_at` is the server's.
 */
export const m0005SalesSync = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    // The last mutation applied per device; the push transaction locks and advances this row.
    await db.schema
      .createTable('device_sync')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id'))
      .addColumn('last_mutation_id', 'bigint', (c) => c.notNull())
      .addColumn('last_push_at', 'bigint')
      .addColumn('clock_skew_ms', 'bigint')
      .execute();

    await db.schema
      .createTable('sync_mutations')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('mutation_id', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text')
      .addColumn('client_time', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      /** applied | noop | rejected */
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addPrimaryKeyConstraint('sync_mutations_pk', ['device_id', 'mutation_id'])
      .execute();

    await db.schema
      .createTable('sales')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('subtotal', 'bigint', (c) => c.notNull())
      .addColumn('discount_kind', 'text')
      .addColumn('discount_value', 'bigint')
      .addColumn('discount_amount', 'bigint', (c) => c.notNull())
      .addColumn('total', 'bigint', (c) => c.notNull())
      .addColumn('cashier', 'text')
      .addColumn('client_created_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sales_store').on('sales').columns(['store_id', 'client_created_at']).execute();

    await db.schema
      .createTable('sale_lines')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sale_id', 'text', (c) => c.notNull().references('sales.id'))
      .addColumn('line_no', 'integer', (c) => c.notNull())
      .addColumn('product_id', 'text', (c) => c.notNull())
      .addColumn('sku', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('qty', 'integer', (c) => c.notNull())
      .addColumn('unit_price', 'bigint', (c) => c.notNull())
      .addColumn('line_total', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('sale_lines_sale_line_no', ['sale_id', 'line_no'])
      .execute();

    // Cash never touches a provider, so it lives apart from `payments` (the provider/QRIS lifecycle).
    await db.schema
      .createTable('cash_payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sale_id', 'text', (c) => c.notNull())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('tendered', 'bigint', (c) => c.notNull())
      .addColumn('change_due', 'bigint', (c) => c.notNull())
      .addColumn('client_paid_at', 'bigint', (c) => c.notNull())
      .addColumn('client_created_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cash_payments_sale').on('cash_payments').column('sale_id').execute();

    // Cancels the cashier made while offline, kept as asked even when the provider had been paid meanwhile.
    await db.schema
      .createTable('local_cancels')
      .addColumn('payment_id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('client_cancelled_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();

    // Room for offline QRIS (issue 7 part 3): an `unverified` payment carries the reference label the till put
    // in its static-derived QR; unique per store so a notification can be matched to exactly one payment.
    await db.schema.alterTable('payments').addColumn('offline_ref', 'text').execute();
    await db.schema
      .createIndex('payments_offline_ref')
      .unique()
      .on('payments')
      .columns(['store_id', 'offline_ref'])
      .execute();
  },
});
