import type { RefundRow, RefundUpdate } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/** Inserts unless the store already has a refund under this id; returns whether this call inserted it. */
export async function insertRefundIfAbsent(db: Executor, r: RefundRow): Promise<boolean> {
  const done = await db
    .insertInto('refunds')
    .values(r)
    .onConflict((oc) => oc.columns(['store_id', 'id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return done !== undefined;
}

export async function getRefund(db: Executor, storeId: string, id: string): Promise<RefundRow | undefined> {
  return db.selectFrom('refunds').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
}

export async function listRefundsOfPayment(db: Executor, paymentId: string): Promise<RefundRow[]> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Money already refunded or on its way back (succeeded and requested refunds), rupiah. */
export async function committedRefundTotal(db: Executor, paymentId: string): Promise<number> {
  const r = await db
    .selectFrom('refunds')
    .select((eb) => eb.fn.sum<string | number | null>('amount').as('total'))
    .where('payment_id', '=', paymentId)
    .where('status', 'in', ['requested', 'succeeded'])
    .executeTakeFirst();
  return Number(r?.total ?? 0);
}

/** Money the provider confirmed as refunded through us, rupiah. */
export async function succeededRefundTotal(db: Executor, paymentId: string): Promise<number> {
  const r = await db
    .selectFrom('refunds')
    .select((eb) => eb.fn.sum<string | number | null>('amount').as('total'))
    .where('payment_id', '=', paymentId)
    .where('status', '=', 'succeeded')
    .executeTakeFirst();
  return Number(r?.total ?? 0);
}

export async function updateRefund(db: Executor, storeId: string, id: string, u: RefundUpdate): Promise<void> {
  await db.updateTable('refunds').set(u).where('store_id', '=', storeId).where('id', '=', id).execute();
}

/** Refunds still waiting for the provider's final word, untouched since `before`, oldest first. */
export async function listRequestedRefunds(db: Executor, before: number, limit: number): Promise<RefundRow[]> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('status', '=', 'requested')
    .where('updated_at', '<=', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}
