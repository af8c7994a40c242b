import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/** The wallet or bank app that paid, when the provider says (Xendit payment_detail.source, Midtrans issuer). */
export const m0008PayerWallet = (_dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('payments').addColumn('payer_wallet', 'text').execute();
  },
});
