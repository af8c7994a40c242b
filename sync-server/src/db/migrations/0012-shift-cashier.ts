import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/** Who worked the shift, as the cashier named themself when opening it on the till (null from older tills). */
export const m0012ShiftCashier = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('shifts').addColumn('cashier', 'text').execute();
  },
});
