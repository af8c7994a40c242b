import { sql } from 'kysely';
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
 * The payment a provider event is about, locked like getPaymentForUpdate. Chosen by our own payment id when the
 * event carries it, because that is the field the provider signs (Midtrans signs order_id, never
 * transaction_id); only an event that carries no id of ours is matched by the provider's reference. Only this
 * provider's payments: a genuine notification from one provider never changes another's payment.
 */
export async function getPaymentForEvent(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  provider: string,
  paymentId: string | null,
  providerRef: string | null,
): Promise<PaymentRow | undefined> {
  let q = db.selectFrom('payments').selectAll().where('provider', '=', provider);
  if (paymentId !== null) q = q.where('id', '=', paymentId);
  else if (providerRef !== null) q = q.where('provider_ref', '=', providerRef);
  else return undefined;
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
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

/** Payments whose next provider check is due, the longest-waiting first (so every payment gets its turn). */
export async function listDueForCheck(db: Executor, now: number, limit: number): Promise<PaymentRow[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('next_check_at', '<=', now)
    .orderBy('next_check_at')
    .limit(limit)
    .execute();
}

/**
 * Takes the right to create this payment at its provider until `until`, unless another caller holds an unexpired
 * claim or the payment already has its QR or moved on. One conditional UPDATE, so two server instances can never
 * both win.
 */
export async function claimCreate(db: Executor, id: string, now: number, until: number): Promise<boolean> {
  const r = await db
    .updateTable('payments')
    .set({ create_claimed_until: until })
    .where('id', '=', id)
    .where('qr_string', 'is', null)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('create_claimed_until', 'is', null), eb('create_claimed_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Offline QRIS payments of a store for one amount, created within [from, to], that a static-QR payment could
 * still verify (unverified, or already sent to review), locked like getPaymentForUpdate.
 */
export async function listOfflineCandidates(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  q: { storeId: string; amount: number; from: number; to: number },
): Promise<PaymentRow[]> {
  const s = db
    .selectFrom('payments')
    .selectAll()
    .where('store_id', '=', q.storeId)
    .where('status', 'in', ['unverified', 'needs_review'])
    .where('amount', '=', q.amount)
    .where('offline_ref', 'is not', null)
    .where('created_at', '>=', q.from)
    .where('created_at', '<=', q.to);
  return (dialect === 'postgres' ? s.forUpdate() : s).execute();
}

export async function getOfflinePaymentByRef(
  db: Executor,
  storeId: string,
  offlineRef: string,
): Promise<PaymentRow | undefined> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('offline_ref', '=', offlineRef)
    .executeTakeFirst();
}

/** Offline QRIS money a device holds that is not verified yet, rupiah. */
export async function unverifiedTotal(db: Executor, deviceId: string): Promise<number> {
  const r = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
    .where('device_id', '=', deviceId)
    .where('status', '=', 'unverified')
    .executeTakeFirstOrThrow();
  return Number(r.total);
}

/**
 * Several payments read for a status change, locked in id order (so two batches never wait on each other in a
 * cycle). Like getPaymentForUpdate, for a batch of webhooks.
 */
export async function getPaymentsForUpdate(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  ids: string[],
): Promise<PaymentRow[]> {
  if (ids.length === 0) return [];
  const q = db.selectFrom('payments').selectAll();
  if (dialect === 'sqlite') return q.where('id', 'in', ids).execute();
  return q.where(sql<boolean>`id = any(${ids}::text[])`).orderBy('id').forUpdate().execute();
}

/** Writes the status columns of several payments (rows read for update in the same transaction). */
export async function writePaymentStatuses(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  rows: PaymentRow[],
): Promise<void> {
  if (rows.length === 0) return;
  if (dialect === 'sqlite') {
    for (const r of rows) {
      await db
        .updateTable('payments')
        .set({
          status: r.status,
          late: r.late,
          paid_at: r.paid_at,
          payment_ref: r.payment_ref,
          payer_wallet: r.payer_wallet,
          refunded_amount: r.refunded_amount,
          next_check_at: r.next_check_at,
          create_claimed_until: r.create_claimed_until,
          updated_at: r.updated_at,
        })
        .where('id', '=', r.id)
        .execute();
    }
    return;
  }
  const col = <K extends keyof PaymentRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    update payments as p set
      status = v.status, late = v.late, paid_at = v.paid_at, payment_ref = v.payment_ref,
      payer_wallet = v.payer_wallet, refunded_amount = v.refunded_amount, next_check_at = v.next_check_at,
      create_claimed_until = v.create_claimed_until, updated_at = v.updated_at
    from unnest(${col('id')}::text[], ${col('status')}::text[], ${col('late')}::int[], ${col('paid_at')}::bigint[],
      ${col('payment_ref')}::text[], ${col('payer_wallet')}::text[], ${col('refunded_amount')}::bigint[],
      ${col('next_check_at')}::bigint[], ${col('create_claimed_until')}::bigint[], ${col('updated_at')}::bigint[])
      as v(id, status, late, paid_at, payment_ref, payer_wallet, refunded_amount, next_check_at,
        create_claimed_until, updated_at)
    where p.id = v.id`.execute(db);
}
