/**
 * Numbered, forward-only migrations. Kysely's Migrator refuses to run when the applied migrations are not a
 * prefix of this list (a missing or re-ordered one is an error), which is the check we want.
 * Each is a function of the dialect because the two databases spell auto-increment keys differently.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { m0001Initial } from './0001-initial.ts';
import { m0002EventOrder } from './0002-event-order.ts';
import { m0003RawBytes } from './0003-raw-bytes.ts';
import { m0004Shifts } from './0004-shifts.ts';
import { m0005SalesSync } from './0005-sales-sync.ts';
import { m0006PaymentChecks } from './0006-payment-checks.ts';
import { m0007OfflineQris } from './0007-offline-qris.ts';
import { m0008PayerWallet } from './0008-payer-wallet.ts';
import { m0009Managers } from './0009-managers.ts';
import { m0010Refunds } from './0010-refunds.ts';
import { m0011Catalog } from './0011-catalog.ts';

export type Dialect = 'sqlite' | 'postgres';
export type MigrationFactory = (dialect: Dialect) => Migration;

export const migrationFactories: Record<string, MigrationFactory> = {
  '0001-initial': m0001Initial,
  '0002-event-order': m0002EventOrder,
  '0003-raw-bytes': m0003RawBytes,
  '0004-shifts': m0004Shifts,
  '0005-sales-sync': m0005SalesSync,
  '0006-payment-checks': m0006PaymentChecks,
  '0007-offline-qris': m0007OfflineQris,
  '0008-payer-wallet': m0008PayerWallet,
  '0009-managers': m0009Managers,
  '0010-refunds': m0010Refunds,
  '0011-catalog': m0011Catalog,
};

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(Object.entries(migrationFactories).map(([name, f]) => [name, f(dialect)]));
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database as it was, not as typed now
export type AnyDb = Kysely<any>;
