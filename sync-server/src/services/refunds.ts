/**
 * Refunds through the payment's provider, asked for by a store manager (issue 8).
 *
 * The refund row is written before the provider is called, under the client's idempotency key, and that key is
 * the provider's refund key (Midtrans `refund_key`, Xendit `idempotency-key`). So:
 *  - the same request again answers the same refund, and a refund already confirmed never reaches the provider
 *    a second time;
 *  - a crash, timeout or lost answer between the provider's refund and our commit leaves the row `requested`
 *    (or `failed` with the error); asking again with the same key asks the provider for the same refund, which
 *    it answers without refunding twice;
 *  - two refunds of one payment under different keys cannot together exceed what was paid: the amount is
 *    checked against what is already refunded or on its way back while the payment row is locked.
 * The payment's status changes only through payment-state.ts (`applyOrPark`), with the provider's own figures
 * where its status API reports refunds (Midtrans), else with the refunds it confirmed to us (Xendit's QR
 * payment object does not say how much was refunded).
 */
import { rupiah } from '../../../shared/money.ts';
import type { RefundStatus, RefundView } from '../../../shared/schemas/refund-api.ts';
import type { PaymentView, ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { PaymentRow, RefundRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import { NotSupportedError, ProviderError, ProviderUnavailableError } from '../providers/errors.ts';
import type { ProviderPaymentState, RefundResult } from '../providers/payment-provider.ts';
import type { Executor } from '../repos/executor.ts';
import { getPayment, getPaymentForUpdate } from '../repos/payments-repo.ts';
import {
  committedRefundTotal,
  getRefund,
  insertRefundIfAbsent,
  listRefundsOfPayment,
  listRequestedRefunds,
  succeededRefundTotal,
  updateRefund,
} from '../repos/refunds-repo.ts';
import type { ServerContext } from './context.ts';
import { applyOrPark, type Change, inTransaction, readChange, toView } from './payment-state.ts';

/** Who asked for a refund. Only a store's manager may; a till's device token never is one. */
export type RefundActor = { kind: 'manager'; id: string; storeId: string };

export type RefundInput = {
  storeId: string;
  paymentId: string;
  amount?: number;
  reason: string;
  idempotencyKey: string;
  actor: RefundActor;
};

/** `created`: the provider confirmed it now; `pending`: the provider is still processing it; `replayed`: answered before. */
export type RefundOutcome = { refund: RefundView; payment: PaymentView; result: 'created' | 'pending' | 'replayed' };

const REFUNDABLE = new Set(['paid', 'partially_refunded']);

export function refundView(r: RefundRow): RefundView {
  return {
    refund_id: r.id,
    payment_id: r.payment_id,
    store_id: r.store_id,
    amount: r.amount,
    reason: r.reason,
    status: r.status as RefundStatus,
    provider_refund_ref: r.provider_refund_ref,
    error: r.error,
    requested_by: r.requested_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

async function paymentOfStore(ctx: ServerContext, storeId: string, paymentId: string): Promise<PaymentRow> {
  const p = await getPayment(ctx.database.db, paymentId);
  // Another store's payment is indistinguishable from an unknown one.
  if (!p || p.store_id !== storeId) throw new HttpError('NOT_FOUND', 'no such payment');
  return p;
}

export async function listRefunds(ctx: ServerContext, storeId: string, paymentId: string): Promise<RefundView[]> {
  await paymentOfStore(ctx, storeId, paymentId);
  return (await listRefundsOfPayment(ctx.database.db, paymentId)).map(refundView);
}

export async function requestRefund(ctx: ServerContext, input: RefundInput): Promise<RefundOutcome> {
  if (input.actor.kind !== 'manager' || input.actor.storeId !== input.storeId) {
    throw new HttpError('MANAGER_REQUIRED', "only this store's manager can refund its payments");
  }
  const db = ctx.database.db;
  const payment = await paymentOfStore(ctx, input.storeId, input.paymentId);
  let row = await getRefund(db, input.storeId, input.idempotencyKey);
  if (!row) {
    row = await insertRequested(ctx, payment.id, input);
  }
  assertSameRequest(row, input);
  if (row.status === 'succeeded') {
    return { refund: refundView(row), payment: toView((await getPayment(db, row.payment_id))!), result: 'replayed' };
  }
  if (row.status === 'failed') row = await reopen(ctx, row);
  return askProvider(ctx, row);
}

/** The same key must mean the same refund: another payment, amount or reason under it is a mistake (409). */
function assertSameRequest(row: RefundRow, input: RefundInput): void {
  if (row.payment_id !== input.paymentId) {
    throw new HttpError('CONFLICT', 'this idempotency_key was used for a refund of another payment');
  }
  if (input.amount !== undefined && input.amount !== row.amount) {
    throw new HttpError(
      'CONFLICT',
      `this idempotency_key was used for a refund of Rp ${row.amount}, not Rp ${input.amount}`,
    );
  }
  if (input.reason.trim() !== row.reason) {
    throw new HttpError('CONFLICT', 'this idempotency_key was used for a refund with another reason');
  }
}

/** How much of the payment may still go back, with the payment row locked. */
async function refundable(
  ctx: ServerContext,
  trx: Executor,
  paymentId: string,
): Promise<{ p: PaymentRow; left: number }> {
  const p = (await getPaymentForUpdate(trx, paymentId, ctx.database.kind))!;
  if (!REFUNDABLE.has(p.status)) {
    throw new HttpError(
      'CONFLICT',
      p.status === 'refunded'
        ? 'this payment is already refunded in full'
        : `only a paid payment can be refunded; this one is ${p.status}`,
    );
  }
  const committed = await committedRefundTotal(trx, paymentId);
  return { p, left: p.amount - Math.max(p.refunded_amount, committed) };
}

async function insertRequested(ctx: ServerContext, paymentId: string, input: RefundInput): Promise<RefundRow> {
  return inTransaction(ctx, async (trx) => {
    const { left } = await refundable(ctx, trx, paymentId);
    if (left <= 0) throw new HttpError('CONFLICT', 'nothing is left to refund on this payment');
    const amount = input.amount ?? left;
    if (amount > left) {
      throw new HttpError('CONFLICT', `only Rp ${left} of this payment can still be refunded, not Rp ${amount}`);
    }
    const now = ctx.now();
    const row: RefundRow = {
      store_id: input.storeId,
      id: input.idempotencyKey,
      payment_id: paymentId,
      amount,
      reason: input.reason.trim(),
      status: 'requested',
      provider_refund_ref: null,
      error: null,
      requested_by: `${input.actor.kind}:${input.actor.id}`,
      created_at: now,
      updated_at: now,
    };
    // A concurrent request with the same key may have won the insert: then its row is the refund.
    if (await insertRefundIfAbsent(trx, row)) return row;
    return (await getRefund(trx, input.storeId, input.idempotencyKey))!;
  });
}

/**
 * A failed refund asked again under its key. Its failure may have been a lost answer to a refund the provider
 * did make (its notification may even have refunded the payment here since), so the provider, which knows the
 * key, decides: it answers the refund it made, or makes it now, or refuses more than is left.
 */
async function reopen(ctx: ServerContext, row: RefundRow): Promise<RefundRow> {
  return inTransaction(ctx, async (trx) => {
    const p = (await getPaymentForUpdate(trx, row.payment_id, ctx.database.kind))!;
    if (!REFUNDABLE.has(p.status) && p.status !== 'refunded') {
      throw new HttpError('CONFLICT', `only a paid payment can be refunded; this one is ${p.status}`);
    }
    const next = { ...row, status: 'requested', updated_at: ctx.now() };
    await updateRefund(trx, row.store_id, row.id, { status: 'requested', updated_at: next.updated_at });
    return next;
  });
}

/** Asks the provider for the refund `row` (requested) and records what it answers. */
async function askProvider(ctx: ServerContext, row: RefundRow): Promise<RefundOutcome> {
  const db = ctx.database.db;
  const p = (await getPayment(db, row.payment_id))!;
  const id = p.provider as ProviderId;
  const ref = { paymentId: p.id, providerRef: p.provider_ref ?? p.id, paymentRef: p.payment_ref };
  let result: RefundResult;
  try {
    if (!ctx.router.has(id)) throw new NotSupportedError(`payment provider ${id} is not configured on this server`);
    const prov = ctx.router.provider(id);
    result =
      row.provider_refund_ref !== null && prov.getRefund
        ? await ctx.router.call(id, 'refund_status', (x) => x.getRefund!(ref, row.provider_refund_ref!))
        : await ctx.router.call(id, 'refund', (x) =>
            x.refundPayment(ref, { refundId: row.id, amount: rupiah(row.amount), reason: row.reason }),
          );
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err; // the row stays requested: asking again is safe
    await markFailed(ctx, row, err.message);
    ctx.metrics.refunds.inc({
      provider: id,
      outcome: err instanceof ProviderUnavailableError ? 'unavailable' : 'failed',
    });
    const code =
      err instanceof ProviderUnavailableError
        ? 'PROVIDER_UNAVAILABLE'
        : err instanceof NotSupportedError
          ? 'NOT_SUPPORTED'
          : 'PROVIDER_REJECTED';
    throw new HttpError(code, err.message);
  }

  if (result.status === 'failed') {
    const why = `${id} refused the refund (denied by the issuer)`;
    await markFailed(ctx, row, why);
    ctx.metrics.refunds.inc({ provider: id, outcome: 'failed' });
    throw new HttpError('PROVIDER_REJECTED', why);
  }
  if (result.status === 'pending') {
    const now = ctx.now();
    await updateRefund(db, row.store_id, row.id, {
      provider_refund_ref: result.refundId,
      error: null,
      updated_at: now,
    });
    ctx.metrics.refunds.inc({ provider: id, outcome: 'pending' });
    return {
      refund: refundView({ ...row, provider_refund_ref: result.refundId, error: null, updated_at: now }),
      payment: toView(p),
      result: 'pending',
    };
  }
  const done = await recordSucceeded(ctx, row, p, result.refundId);
  ctx.metrics.refunds.inc({ provider: id, outcome: 'succeeded' });
  return { ...done, result: 'created' };
}

async function markFailed(ctx: ServerContext, row: RefundRow, error: string): Promise<void> {
  await updateRefund(ctx.database.db, row.store_id, row.id, {
    status: 'failed',
    error: error.slice(0, 500),
    updated_at: ctx.now(),
  });
}

/**
 * The provider confirmed the refund: mark it, and apply the payment's new status with the provider's figures.
 * Its status API is read first (outside the transaction); where it does not report refunds, or cannot be read
 * now, the refunds the provider confirmed to us are the figures.
 */
async function recordSucceeded(
  ctx: ServerContext,
  row: RefundRow,
  p: PaymentRow,
  providerRefundRef: string,
): Promise<{ refund: RefundView; payment: PaymentView }> {
  const id = p.provider as ProviderId;
  let state: ProviderPaymentState | null = null;
  if (p.provider_ref !== null) {
    try {
      state = await ctx.router.call(id, 'status', (x) =>
        x.getPayment({ paymentId: p.id, providerRef: p.provider_ref! }),
      );
    } catch (err) {
      ctx.log.warn({ err, paymentId: p.id }, 'refund confirmed but the status read failed; using our own figures');
    }
  }
  return inTransaction(ctx, async (trx, published) => {
    const locked = (await getPaymentForUpdate(trx, p.id, ctx.database.kind))!;
    const now = ctx.now();
    const done: RefundRow = {
      ...row,
      status: 'succeeded',
      provider_refund_ref: providerRefundRef,
      error: null,
      updated_at: now,
    };
    await updateRefund(trx, row.store_id, row.id, {
      status: 'succeeded',
      provider_refund_ref: providerRefundRef,
      error: null,
      updated_at: now,
    });
    let change: Change;
    if (state && (state.status === 'refunded' || state.status === 'partially_refunded')) {
      change = readChange({ ...state, status: state.status }, 'provider');
    } else {
      const total = Math.max(locked.refunded_amount, await succeededRefundTotal(trx, p.id));
      change = {
        status: total >= locked.amount ? 'refunded' : 'partially_refunded',
        refundedAmount: rupiah(Math.min(total, locked.amount)),
        source: 'provider',
        authoritative: true,
      };
    }
    const r = await applyOrPark(ctx, trx, locked, change, published);
    return { refund: refundView(done), payment: toView(r.row ?? locked) };
  });
}

/**
 * Follows refunds still `requested`: ones the provider is still processing (Xendit answers PENDING first) and
 * ones whose answer was lost in a crash. Each is asked again under its own key, so none is refunded twice.
 */
export async function followUpRefunds(ctx: ServerContext, olderThanMs: number, limit = 20): Promise<number> {
  const due = await listRequestedRefunds(ctx.database.db, ctx.now() - olderThanMs, limit);
  let settled = 0;
  for (const row of due) {
    try {
      // A pending answer moves the row's updated_at on, so it waits its turn again.
      if ((await askProvider(ctx, row)).result !== 'pending') settled++;
    } catch (err) {
      ctx.log.warn({ err, refundId: row.id, paymentId: row.payment_id }, 'refund follow-up failed');
    }
  }
  return settled;
}

export function startRefundFollowUp(ctx: ServerContext): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const every = ctx.config.sweep.intervalMs;
  const timer = setInterval(() => {
    if (running) return;
    running = followUpRefunds(ctx, ctx.config.sweep.pendingAfterMs)
      .catch((err) => ctx.log.error({ err }, 'refund follow-up failed'))
      .finally(() => {
        running = null;
      });
  }, every);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
