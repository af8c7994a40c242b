/**
 * Numbered, forward-only migrations. Kysely's Migrator refuses to run when the applied migrations are not a
 * prefix of this list (a missing or re-ordered one is an error), which is the check we want.
 * Each is a function of the dialect because the two databases spell auto-increment keys differently.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { m0001Initial } from './0001-initial.ts';
import { m0002EventOrder } from './0002-event-order.ts';

export type Dialect = 'sqlite' | 'postgres';
export type MigrationFactory = (dialect: Dialect) => Migration;

export const migrationFactories: Record<string, MigrationFactory> = {
  '0001-initial': m0001Initial,
  '0002-event-order': m0002EventOrder,
};

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(Object.entries(migrationFactories).map(([name, f]) => [name, f(dialect)]));
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database as it was, not as typed now
export type AnyDb = Kysely<any>;
