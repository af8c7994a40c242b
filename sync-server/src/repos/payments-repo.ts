import type { NewPayment, PaymentRow, PaymentUpdate } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/** Inserts unless the id exists; returns whether this call created it (the id is the idempotency key). */
export async function insertPaymentIfAbsent(db: Executor, p: NewPayment): Promise<boolean> {
  const r = await db
    .insertInto('payments')
    .values(p)
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function getPayment(db: Executor, id: string): Promise<PaymentRow | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Reads a payment for a status change. On PostgreSQL the row is locked until the transaction ends, so two
 * webhooks for one payment on two instances apply one after the other; SQLite transactions are serialised.
 */
export async function getPaymentForUpdate(
  db: Executor,
  id: string,
  dialect: 'sqlite' | 'postgres',
): Promise<PaymentRow | undefined> {
  const q = db.selectFrom('payments').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

/**
 * The payment a provider event is about, found by the provider's reference when it gives one, else by our id
 * (a reference match wins if both match), locked like getPaymentForUpdate. One query on the webhook hot path.
 */
export async function getPaymentForEvent(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  provider: string,
  providerRef: string | null,
  paymentId: string | null,
): Promise<PaymentRow | undefined> {
  if (providerRef === null && paymentId === null) return undefined;
  // Only this provider's payments: a genuine notification from one provider never changes another's payment.
  let q = db.selectFrom('payments').selectAll().where('provider', '=', provider);
  if (providerRef !== null && paymentId !== null) {
    q = q.where((eb) => eb.or([eb('provider_ref', '=', providerRef), eb('id', '=', paymentId)]));
  } else if (providerRef !== null) {
    q = q.where('provider_ref', '=', providerRef);
  } else {
    q = q.where('id', '=', paymentId!);
  }
  // At most two rows can match; a reference match wins (chosen here rather than by an ORDER BY, which would
  // make SQLite build a sorter for every webhook).
  const rows = await (dialect === 'postgres' ? q.forUpdate() : q).limit(2).execute();
  return rows.find((r) => r.provider_ref === providerRef) ?? rows[0];
}

export async function findPaymentIdByProviderRef(
  db: Executor,
  provider: string,
  providerRef: string,
): Promise<string | undefined> {
  const r = await db
    .selectFrom('payments')
    .select('id')
    .where('provider', '=', provider)
    .where('provider_ref', '=', providerRef)
    .executeTakeFirst();
  return r?.id;
}

export async function updatePayment(db: Executor, id: string, patch: PaymentUpdate): Promise<void> {
  await db.updateTable('payments').set(patch).where('id', '=', id).execute();
}

/** Pending payments the provider should be asked about: created before `createdBefore`, oldest first. */
export async function listStalePending(db: Executor, createdBefore: number, limit: number): Promise<PaymentRow[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('status', '=', 'pending')
    .where('provider_ref', 'is not', null)
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/**
 * Pending payments that never got a QR (no provider could be reached) and are older than `createdBefore`:
 * nobody can pay them, so they are closed rather than left pending for ever.
 */
export async function listQrlessPending(db: Executor, createdBefore: number, limit: number): Promise<PaymentRow[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('status', '=', 'pending')
    .where('provider_ref', 'is', null)
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}
