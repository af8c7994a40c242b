/**
 * Sales, lines, cash payments and local cancels pushed by tills, and each device's place in its mutation
 * stream. Every insert is keyed by the till's client id and ignores a conflict, so the caller learns whether
 * this call created the row without a failed statement aborting its (PostgreSQL) transaction.
 */
import { type Insertable, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import '../db/schema-sync.ts';
import type { NewCashPayment, NewSale, NewSaleLine, NewSyncMutation } from '../db/schema-sync.ts';
import type { Executor } from './executor.ts';

/** Makes sure the device has a row, then reads it; on PostgreSQL the row stays locked until commit. */
export async function lockDeviceSync(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  deviceId: string,
): Promise<{ last_mutation_id: number }> {
  await db
    .insertInto('device_sync')
    .values({ device_id: deviceId, last_mutation_id: 0, last_push_at: null, clock_skew_ms: null })
    .onConflict((oc) => oc.column('device_id').doNothing())
    .execute();
  const q = db.selectFrom('device_sync').select('last_mutation_id').where('device_id', '=', deviceId);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirstOrThrow();
}

export async function advanceDeviceSync(
  db: Executor,
  deviceId: string,
  s: { lastMutationId: number; pushAt: number; clockSkewMs: number },
): Promise<void> {
  await db
    .updateTable('device_sync')
    .set({ last_mutation_id: s.lastMutationId, last_push_at: s.pushAt, clock_skew_ms: s.clockSkewMs })
    .where('device_id', '=', deviceId)
    .execute();
}

export async function getDeviceSync(
  db: Executor,
  deviceId: string,
): Promise<{ last_mutation_id: number; last_push_at: number | null; clock_skew_ms: number | null } | undefined> {
  return db
    .selectFrom('device_sync')
    .select(['last_mutation_id', 'last_push_at', 'clock_skew_ms'])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
}

export async function insertSyncMutations(db: Executor, rows: NewSyncMutation[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('sync_mutations').values(rows).execute();
}

/** Mutations in [from, to] that were consumed but refused, with the reason stored for them. */
export async function listRejectedMutations(
  db: Executor,
  deviceId: string,
  from: number,
  to: number,
): Promise<{ mutation_id: number; detail: string | null }[]> {
  return db
    .selectFrom('sync_mutations')
    .select(['mutation_id', 'detail'])
    .where('device_id', '=', deviceId)
    .where('mutation_id', '>=', from)
    .where('mutation_id', '<=', to)
    .where('outcome', '=', 'rejected')
    .orderBy('mutation_id')
    .execute();
}

export async function insertLocalCancelIfAbsent(
  db: Executor,
  c: { payment_id: string; device_id: string; client_cancelled_at: number; received_at: number },
): Promise<boolean> {
  const r = await db
    .insertInto('local_cancels')
    .values(c)
    .onConflict((oc) => oc.column('payment_id').doNothing())
    .returning('payment_id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Per store: how many sales and how much money the server holds (reports, tests, the chaos check). */
export async function storeSalesTotals(
  db: Executor,
  storeId: string,
): Promise<{ sales: number; total: number; cash: number; lines: number }> {
  const s = await db
    .selectFrom('sales')
    .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(total), 0)`.as('total')])
    .where('store_id', '=', storeId)
    .executeTakeFirstOrThrow();
  const c = await db
    .selectFrom('cash_payments')
    .select(sql<number>`coalesce(sum(amount), 0)`.as('cash'))
    .where('store_id', '=', storeId)
    .executeTakeFirstOrThrow();
  const l = await db
    .selectFrom('sale_lines')
    .innerJoin('sales', 'sales.id', 'sale_lines.sale_id')
    .select(sql<number>`count(*)`.as('n'))
    .where('sales.store_id', '=', storeId)
    .executeTakeFirstOrThrow();
  return { sales: Number(s.n), total: Number(s.total), cash: Number(c.cash), lines: Number(l.n) };
}

/** Rows per multi-row insert: keeps every statement under SQLite's bound-parameter limit (32,766). */
const CHUNK = 500;
const chunks = <T>(xs: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
};

/**
 * Inserts the rows whose `id` does not exist yet, in a few multi-row statements; returns the ids this call
 * created (a replayed or overlapping push creates nothing twice).
 */
async function insertNewById<T extends 'sales' | 'sale_lines' | 'cash_payments'>(
  db: Executor,
  table: T,
  rows: Insertable<DB[T]>[],
): Promise<Set<string>> {
  const created = new Set<string>();
  for (const part of chunks(rows)) {
    // Kysely cannot narrow a union of tables; all three are keyed by a text `id`.
    const r = (await db
      .insertInto(table)
      .values(part as never)
      .onConflict((oc) => oc.column('id' as never).doNothing())
      .returning('id' as never)
      .execute()) as unknown as { id: string }[];
    for (const x of r) created.add(x.id);
  }
  return created;
}

/** Inserts the sales that do not exist yet; returns the ids this call created. */
export const insertSalesIfAbsent = (db: Executor, rows: NewSale[]) => insertNewById(db, 'sales', rows);

export async function getSaleSummaries(
  db: Executor,
  ids: string[],
): Promise<Map<string, { store_id: string; total: number; subtotal: number }>> {
  const out = new Map<string, { store_id: string; total: number; subtotal: number }>();
  for (const part of chunks(ids)) {
    const r = await db
      .selectFrom('sales')
      .select(['id', 'store_id', 'total', 'subtotal'])
      .where('id', 'in', part)
      .execute();
    for (const x of r) out.set(x.id, { store_id: x.store_id, total: Number(x.total), subtotal: Number(x.subtotal) });
  }
  return out;
}

export async function insertSaleLinesBulk(db: Executor, lines: NewSaleLine[]): Promise<void> {
  await insertNewById(db, 'sale_lines', lines);
}

export const insertCashPaymentsIfAbsent = (db: Executor, rows: NewCashPayment[]) =>
  insertNewById(db, 'cash_payments', rows);

export async function getCashPaymentSummaries(
  db: Executor,
  ids: string[],
): Promise<Map<string, { store_id: string; sale_id: string; amount: number }>> {
  const out = new Map<string, { store_id: string; sale_id: string; amount: number }>();
  for (const part of chunks(ids)) {
    const r = await db
      .selectFrom('cash_payments')
      .select(['id', 'store_id', 'sale_id', 'amount'])
      .where('id', 'in', part)
      .execute();
    for (const x of r) out.set(x.id, { store_id: x.store_id, sale_id: x.sale_id, amount: Number(x.amount) });
  }
  return out;
}
