/**
 * The payment lifecycle on the server: create at a provider (idempotent on the till's payment id), read,
 * cancel, and apply status changes through the forward-only lattice. Every applied change appends a
 * `payment.updated` event for the store's tills in the same transaction.
 */
import { createHash } from 'node:crypto';
import { type Rupiah, rupiah } from '../../../shared/money.ts';
import { type PaymentStatus, transition } from '../../../shared/payment-status.ts';
import type { PaymentView, ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { DeviceRow, PaymentRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import { ProviderError, ProviderRejectedError } from '../providers/errors.ts';
import type { Executor } from '../repos/executor.ts';
import { getPayment, getPaymentForUpdate, insertPaymentIfAbsent, updatePayment } from '../repos/payments-repo.ts';
import { getStore } from '../repos/stores-repo.ts';
import { appendSyncEvent } from '../repos/sync-events-repo.ts';
import type { ServerContext } from './context.ts';
import { applyParked } from './webhook-intake.ts';

export function toView(p: PaymentRow): PaymentView {
  return {
    payment_id: p.id,
    sale_id: p.sale_id,
    store_id: p.store_id,
    device_id: p.device_id,
    amount: p.amount,
    status: p.status as PaymentStatus,
    late: p.late === 1,
    provider: p.provider as ProviderId,
    provider_ref: p.provider_ref,
    qr_string: p.qr_string,
    expires_at: p.expires_at,
    paid_at: p.paid_at,
    refunded_amount: p.refunded_amount,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

export type Incoming = {
  status: PaymentStatus;
  amount?: Rupiah | null;
  paidAt?: number | null;
  paymentRef?: string | null;
  /** Total refunded so far, for refund statuses. */
  refundedAmount?: Rupiah | null;
  source: 'webhook' | 'sweeper' | 'till' | 'provider';
};

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored' | 'early' | 'unknown_payment';

/**
 * Applies one status assertion inside the caller's transaction. Returns the store id to publish to when a
 * change was applied. A `paid` whose amount differs from the payment's is still applied — the money is in —
 * but flagged for review together with late payments.
 */
export async function applyStatus(
  ctx: ServerContext,
  trx: Executor,
  payment: string | PaymentRow,
  inc: Incoming,
): Promise<{ outcome: ApplyOutcome; storeId: string | null; row: PaymentRow | null }> {
  // A row passed in must have been read with getPaymentForUpdate/getPaymentForEvent in this transaction.
  const row = typeof payment === 'string' ? await getPaymentForUpdate(trx, payment, ctx.database.kind) : payment;
  if (!row) return { outcome: 'unknown_payment', storeId: null, row: null };
  const t = transition(row.status as PaymentStatus, inc.status);
  if (t.kind === 'duplicate') {
    // A second partial refund keeps the status but raises the refunded total: that is a change to publish.
    if (row.status === 'partially_refunded' && inc.refundedAmount != null && inc.refundedAmount > row.refunded_amount) {
      const next = { ...row, refunded_amount: inc.refundedAmount, updated_at: ctx.now() };
      await updatePayment(trx, row.id, { refunded_amount: next.refunded_amount, updated_at: next.updated_at });
      await appendPaymentEvent(ctx, trx, next);
      return { outcome: 'applied', storeId: row.store_id, row: next };
    }
    // A duplicate paid may still tell us the provider's payment id (needed for refunds) if we lacked it.
    if (inc.paymentRef && !row.payment_ref) await updatePayment(trx, row.id, { payment_ref: inc.paymentRef });
    return { outcome: 'duplicate', storeId: null, row };
  }
  if (t.kind === 'ignored') return { outcome: 'ignored', storeId: null, row };
  if (t.kind === 'early') return { outcome: 'early', storeId: null, row };

  const now = ctx.now();
  const amountMismatch = t.next === 'paid' && inc.amount != null && inc.amount !== row.amount;
  const next: PaymentRow = {
    ...row,
    status: t.next,
    late: t.late || amountMismatch || row.late === 1 ? 1 : 0,
    paid_at: t.next === 'paid' ? (inc.paidAt ?? now) : row.paid_at,
    payment_ref: inc.paymentRef ?? row.payment_ref,
    refunded_amount:
      t.next === 'refunded'
        ? row.amount
        : t.next === 'partially_refunded'
          ? (inc.refundedAmount ?? row.refunded_amount)
          : row.refunded_amount,
    updated_at: now,
  };
  await updatePayment(trx, row.id, {
    status: next.status,
    late: next.late,
    paid_at: next.paid_at,
    payment_ref: next.payment_ref,
    refunded_amount: next.refunded_amount,
    updated_at: now,
  });
  await appendPaymentEvent(ctx, trx, next);
  ctx.metrics.statusChanges.inc({ status: t.next, source: inc.source });
  return { outcome: 'applied', storeId: row.store_id, row: next };
}

async function appendPaymentEvent(ctx: ServerContext, trx: Executor, row: PaymentRow): Promise<void> {
  const at = ctx.now();
  await appendSyncEvent(trx, ctx.database.kind, {
    store_id: row.store_id,
    type: 'payment.updated',
    payload: JSON.stringify(toView(row)),
    created_at: at,
  });
  ctx.metrics.eventsPublished.inc({ type: 'payment.updated' });
}

const requestHash = (r: { sale_id: string; amount: number; provider?: string | undefined }) =>
  createHash('sha256')
    .update(JSON.stringify([r.sale_id, r.amount, r.provider ?? null]))
    .digest('hex');

/** Creations in flight in this process, so a till's immediate retry waits for the first call. */
const inFlight = new Map<string, Promise<PaymentRow>>();

export async function createPayment(
  ctx: ServerContext,
  device: DeviceRow,
  req: { payment_id: string; sale_id: string; amount: Rupiah; provider?: ProviderId | undefined },
): Promise<{ payment: PaymentView; created: boolean }> {
  const { db } = ctx.database;
  const store = await getStore(db, device.store_id);
  if (!store) throw new HttpError('FORBIDDEN', 'this device has no store');
  if (req.provider && !ctx.router.has(req.provider)) {
    throw new HttpError('NOT_SUPPORTED', `payment provider ${req.provider} is not configured`);
  }
  const hash = requestHash(req);
  const now = ctx.now();
  const created = await insertPaymentIfAbsent(db, {
    id: req.payment_id,
    sale_id: req.sale_id,
    store_id: device.store_id,
    device_id: device.id,
    amount: req.amount,
    provider: req.provider ?? (store.provider as ProviderId),
    provider_ref: null,
    payment_ref: null,
    qr_string: null,
    status: 'pending',
    late: 0,
    expires_at: null,
    paid_at: null,
    refunded_amount: 0,
    request_hash: hash,
    created_at: now,
    updated_at: now,
  });
  const existing = await getPayment(db, req.payment_id);
  if (!existing) throw new Error('payment vanished after insert');
  if (!created) {
    if (existing.store_id !== device.store_id) throw new HttpError('CONFLICT', 'this payment id is already in use');
    if (existing.request_hash !== hash) {
      throw new HttpError('CONFLICT', 'this payment id was already used with a different sale, amount or provider');
    }
    if (existing.qr_string !== null || existing.status !== 'pending')
      return { payment: toView(existing), created: false };
  }
  // Either new, or an earlier attempt could not reach a provider: (re)try the provider once per process.
  let pending = inFlight.get(existing.id);
  if (!pending) {
    pending = createAtProvider(ctx, existing).finally(() => inFlight.delete(existing.id));
    inFlight.set(existing.id, pending);
  }
  const row = await pending;
  return { payment: toView(row), created };
}

async function createAtProvider(ctx: ServerContext, p: PaymentRow): Promise<PaymentRow> {
  const { db } = ctx.database;
  const expiresAt = ctx.now() + ctx.config.paymentTtlSeconds * 1000;
  let result: Awaited<ReturnType<ServerContext['router']['createQr']>>;
  try {
    result = await ctx.router.createQr(p.provider as ProviderId, {
      paymentId: p.id,
      amount: rupiah(p.amount),
      expiresAt,
    });
  } catch (err) {
    if (err instanceof ProviderRejectedError) {
      // The provider will refuse this request again: fail the payment so the till starts a new one.
      const failed = await db
        .transaction()
        .execute(async (trx) => applyStatus(ctx, trx, p.id, { status: 'failed', source: 'provider' }));
      if (failed.storeId) ctx.published(failed.storeId);
    }
    if (err instanceof ProviderError) throw new HttpError(err.code as 'PROVIDER_REJECTED', err.message);
    throw err;
  }
  const { created, provider } = result;
  const storeIds = new Set<string>();
  const row = await db.transaction().execute(async (trx) => {
    const now = ctx.now();
    await updatePayment(trx, p.id, {
      provider,
      provider_ref: created.providerRef,
      qr_string: created.qrString,
      expires_at: created.expiresAt,
      updated_at: now,
    });
    const fresh = (await getPaymentForUpdate(trx, p.id, ctx.database.kind))!;
    await appendPaymentEvent(ctx, trx, fresh);
    storeIds.add(fresh.store_id);
    return fresh;
  });
  for (const s of storeIds) ctx.published(s);
  // Webhooks that arrived before we knew this payment were parked; apply them now, in arrival order.
  await applyParked(ctx, row);
  return (await getPayment(db, p.id)) ?? row;
}

export async function getPaymentForDevice(ctx: ServerContext, device: DeviceRow, id: string): Promise<PaymentView> {
  const p = await getPayment(ctx.database.db, id);
  // Another store's payment is indistinguishable from an unknown one.
  if (!p || p.store_id !== device.store_id) throw new HttpError('NOT_FOUND', 'no such payment');
  return toView(p);
}

export async function cancelPayment(ctx: ServerContext, device: DeviceRow, id: string): Promise<PaymentView> {
  const { db } = ctx.database;
  const p = await getPayment(db, id);
  if (!p || p.store_id !== device.store_id) throw new HttpError('NOT_FOUND', 'no such payment');
  if (p.status === 'paid' || p.status === 'refunded' || p.status === 'partially_refunded') {
    throw new HttpError('ALREADY_PAID', 'this payment is already paid; refund it instead');
  }
  if (p.status !== 'pending') return toView(p);

  if (p.provider_ref) {
    const ref = { paymentId: p.id, providerRef: p.provider_ref };
    try {
      await ctx.router.call(p.provider as ProviderId, 'cancel', (prov) => prov.cancelPayment(ref));
    } catch (err) {
      if (!(err instanceof ProviderRejectedError)) {
        if (err instanceof ProviderError) throw new HttpError(err.code as 'PROVIDER_UNAVAILABLE', err.message);
        throw err;
      }
      // The provider refused to cancel: most likely it was paid a moment ago. Ask it, and apply what it says.
      const state = await ctx.router.call(p.provider as ProviderId, 'status', (prov) => prov.getPayment(ref));
      if (state.status) {
        const r = await db.transaction().execute((trx) =>
          applyStatus(ctx, trx, p.id, {
            status: state.status!,
            amount: state.amount,
            paidAt: state.paidAt,
            paymentRef: state.paymentRef,
            source: 'provider',
          }),
        );
        if (r.storeId) ctx.published(r.storeId);
      }
      const now = (await getPayment(db, id))!;
      if (now.status === 'paid')
        throw new HttpError('ALREADY_PAID', 'this payment was paid before it could be cancelled');
      if (now.status !== 'pending') return toView(now);
      throw new HttpError('PROVIDER_REJECTED', err.message);
    }
  }
  const r = await db
    .transaction()
    .execute((trx) => applyStatus(ctx, trx, p.id, { status: 'cancelled', source: 'till' }));
  if (r.storeId) ctx.published(r.storeId);
  const final = (await getPayment(db, id))!;
  if (final.status === 'paid')
    throw new HttpError('ALREADY_PAID', 'this payment was paid before it could be cancelled');
  return toView(final);
}
