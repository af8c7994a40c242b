import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/** Closed-shift reports sent by tills (issue 9). One row per shift id; the body is kept as received. */
export const m0004Shifts = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('shifts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('closed_at', 'bigint', (c) => c.notNull())
      .addColumn('opening_float', 'bigint', (c) => c.notNull())
      .addColumn('cash_sales', 'bigint', (c) => c.notNull())
      .addColumn('expected_cash', 'bigint', (c) => c.notNull())
      .addColumn('counted_cash', 'bigint', (c) => c.notNull())
      .addColumn('difference', 'bigint', (c) => c.notNull())
      .addColumn('qris_by_provider', 'text', (c) => c.notNull())
      .addColumn('unverified', 'bigint', (c) => c.notNull())
      .addColumn('refunded', 'bigint', (c) => c.notNull())
      .addColumn('sales_count', 'bigint', (c) => c.notNull())
      /** Fingerprint of the report, so a replay with a different body is a 409, not an overwrite. */
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('shifts_store').on('shifts').columns(['store_id', 'closed_at']).execute();
  },
});
