import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * Offline QRIS per store: the static QRIS the till derives offline payments from, which provider (if any) notifies
 * payments to it and under which reference, and the store's risk limits for money the till cannot verify.
 */
export const m0007OfflineQris = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    const add = (name: string, type: 'text' | 'bigint') =>
      db.schema.alterTable('stores').addColumn(name, type).execute();
    await add('static_qris', 'text');
    /** The provider that sends a notification when the static QR is paid (Xendit); null: none does. */
    await add('static_provider', 'text');
    /** The provider's id of the static QR (Xendit qr_…). */
    await add('static_ref', 'text');
    await db.schema
      .alterTable('stores')
      .addColumn('offline_max_amount', 'bigint', (c) => c.notNull().defaultTo(500_000))
      .execute();
    await db.schema
      .alterTable('stores')
      .addColumn('offline_max_unverified', 'bigint', (c) => c.notNull().defaultTo(2_000_000))
      .execute();
    await db.schema.createIndex('stores_static_ref').on('stores').columns(['static_provider', 'static_ref']).execute();
    await db.schema
      .createIndex('payments_offline_match')
      .on('payments')
      .columns(['store_id', 'status', 'amount'])
      .execute();
  },
});
