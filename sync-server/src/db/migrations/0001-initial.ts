import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

export const m0001Initial = (dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
    await db.schema
      .createTable('stores')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_seen_at', 'bigint')
      .execute();

    await db.schema
      .createTable('payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sale_id', 'text', (c) => c.notNull())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('provider_ref', 'text')
      .addColumn('payment_ref', 'text')
      .addColumn('qr_string', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'bigint')
      .addColumn('paid_at', 'bigint')
      .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('payments_provider_ref')
      .unique()
      .on('payments')
      .columns(['provider', 'provider_ref'])
      .execute();
    await db.schema.createIndex('payments_pending').on('payments').columns(['status', 'created_at']).execute();
    await db.schema.createIndex('payments_store').on('payments').columns(['store_id', 'created_at']).execute();

    await db.schema
      .createTable('webhook_events')
      .addColumn('id', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('event_key', 'text')
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('raw_body', 'text', (c) => c.notNull())
      .addColumn('verified', 'integer', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('payment_id', 'text')
      .addColumn('provider_ref', 'text')
      .addColumn('status', 'text')
      .addColumn('detail', 'text')
      .addColumn('processed_at', 'bigint')
      .execute();
    // NULL keys (rejected deliveries) never collide: both databases treat NULLs as distinct in unique indexes.
    await db.schema
      .createIndex('webhook_events_key')
      .unique()
      .on('webhook_events')
      .columns(['provider', 'event_key'])
      .execute();
    await db.schema
      .createIndex('webhook_events_parked')
      .on('webhook_events')
      .columns(['outcome', 'payment_id'])
      .execute();

    await db.schema
      .createTable('sync_events')
      .addColumn('seq', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sync_events_store_seq').on('sync_events').columns(['store_id', 'seq']).execute();
  },
});
