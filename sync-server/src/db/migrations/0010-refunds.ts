import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * Refunds a manager asked the provider for (issue 8). The id is the client's idempotency key, scoped per store:
 * the row is written before the provider is called and its id is the provider's refund key, so a repeated
 * request, or a retry after a crash between the provider's answer and our commit, is the same refund.
 */
export const m0010Refunds = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('refunds')
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      /** requested | succeeded | failed */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('provider_refund_ref', 'text')
      .addColumn('error', 'text')
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('refunds_pk', ['store_id', 'id'])
      .execute();
    await db.schema.createIndex('refunds_payment').on('refunds').columns(['payment_id', 'created_at']).execute();
  },
});
