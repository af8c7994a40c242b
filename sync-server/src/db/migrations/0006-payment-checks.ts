import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * When the sweeper should next ask the provider about a payment, how often asking has failed in a row, and the
 * database claim on creating a payment at its provider (so a till's retry landing on another instance waits for
 * the first create instead of charging the same order twice).
 */
export const m0006PaymentChecks = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('payments').addColumn('next_check_at', 'bigint').execute();
    await db.schema
      .alterTable('payments')
      .addColumn('check_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('payments').addColumn('create_claimed_until', 'bigint').execute();
    await sql`update payments set next_check_at = created_at where status = 'pending'`.execute(db);
    await db.schema.createIndex('payments_next_check').on('payments').column('next_check_at').execute();
  },
});
