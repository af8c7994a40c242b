/**
 * The payment lifecycle on the server: create at a provider (idempotent on the till's payment id, claimed in the
 * database so only one server instance calls the provider), read and cancel. Every status change goes through
 * payment-state.ts.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Rupiah, rupiah } from '../../../shared/money.ts';
import type { PaymentView, ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { DeviceRow, PaymentRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import { DuplicateOrderError, ProviderError, ProviderRejectedError } from '../providers/errors.ts';
import type { CreatedQr } from '../providers/payment-provider.ts';
import {
  claimCreate,
  getPayment,
  getPaymentForUpdate,
  insertPaymentIfAbsent,
  updatePayment,
} from '../repos/payments-repo.ts';
import { getStore } from '../repos/stores-repo.ts';
import type { ServerContext } from './context.ts';
import { appendPaymentEvent, applyOrPark, applyParked, inTransaction, readChange, toView } from './payment-state.ts';

export { toView };

const requestHash = (r: { sale_id: string; amount: number; provider?: string | undefined }) =>
  createHash('sha256')
    .update(JSON.stringify([r.sale_id, r.amount, r.provider ?? null]))
    .digest('hex');

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
    next_check_at: now + ctx.config.sweep.pendingAfterMs,
    create_claimed_until: null,
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
  // Either new, or an earlier attempt could not reach a provider. Whoever wins the database claim calls the
  // provider; a retry that loses (on this instance or another) waits for the winner's QR instead of charging the
  // same order a second time.
  const row = await createOnce(ctx, existing);
  return { payment: toView(row), created };
}

/** How long one create may hold its claim: every provider it may fail over to, each with its deadline. */
const claimMs = (ctx: ServerContext) => ctx.config.providerTimeoutMs * (ctx.router.configured().length + 1) + 5_000;

async function createOnce(ctx: ServerContext, p: PaymentRow): Promise<PaymentRow> {
  const { db } = ctx.database;
  for (;;) {
    const now = ctx.now();
    if (await claimCreate(db, p.id, now, now + claimMs(ctx))) return createAtProvider(ctx, p);
    const current = await getPayment(db, p.id);
    if (!current || current.qr_string !== null || current.status !== 'pending') return current ?? p;
    // Someone else holds the claim: wait for its outcome (or for the claim to lapse, then take it over).
    await sleep(50);
  }
}

async function createAtProvider(ctx: ServerContext, p: PaymentRow): Promise<PaymentRow> {
  const { db } = ctx.database;
  const expiresAt = ctx.now() + ctx.config.paymentTtlSeconds * 1000;
  const req = { paymentId: p.id, amount: rupiah(p.amount), expiresAt };
  let result: { created: CreatedQr; provider: ProviderId };
  try {
    try {
      result = await ctx.router.createQr(p.provider as ProviderId, req);
    } catch (err) {
      if (!(err instanceof DuplicateOrderError)) throw err;
      result = await recreateAfterDuplicate(ctx, p, req);
    }
  } catch (err) {
    await updatePayment(db, p.id, { create_claimed_until: null });
    if (err instanceof ProviderRejectedError) {
      // The provider will refuse this request again: fail the payment so the till starts a new one.
      await inTransaction(ctx, (trx, published) =>
        applyOrPark(ctx, trx, p.id, { status: 'failed', source: 'provider' }, published),
      );
    }
    if (err instanceof AlreadySettled) return (await getPayment(db, p.id)) ?? p;
    if (err instanceof ProviderError) throw new HttpError(err.code as 'PROVIDER_REJECTED', err.message);
    throw err;
  }
  const { created, provider } = result;
  await inTransaction(ctx, async (trx, published) => {
    await updatePayment(trx, p.id, {
      provider,
      provider_ref: created.providerRef,
      qr_string: created.qrString,
      expires_at: created.expiresAt,
      create_claimed_until: null,
      updated_at: ctx.now(),
    });
    const fresh = (await getPaymentForUpdate(trx, p.id, ctx.database.kind))!;
    await appendPaymentEvent(ctx, trx, fresh, published);
  });
  // Webhooks that arrived before we knew this payment were parked; apply them now, in arrival order.
  await applyParked(ctx, p.id);
  return (await getPayment(db, p.id)) ?? p;
}

/** The payment turned out to be settled already at the provider: there is no QR to show, only its status. */
class AlreadySettled extends Error {}

/**
 * The provider says it already has this order: an earlier create reached it although its answer never reached
 * us, so we have no QR to show. Read its status: money already in is applied as such; a live transaction we
 * cannot show is ended at the provider (Midtrans makes the order id reusable once expired) and created afresh.
 */
async function recreateAfterDuplicate(
  ctx: ServerContext,
  p: PaymentRow,
  req: { paymentId: string; amount: Rupiah; expiresAt: number },
): Promise<{ created: CreatedQr; provider: ProviderId }> {
  const id = p.provider as ProviderId;
  const ref = { paymentId: p.id, providerRef: p.provider_ref ?? p.id };
  let state = await ctx.router.call(id, 'status', (prov) => prov.getPayment(ref));
  if (state.status === null || state.status === 'pending') {
    const prov = ctx.router.provider(id);
    if (prov.expirePayment) {
      await ctx.router.call(id, 'expire', (x) => x.expirePayment!(ref)).catch(() => undefined);
      state = await ctx.router.call(id, 'status', (x) => x.getPayment(ref));
    }
  }
  if (
    state.status !== null &&
    state.status !== 'pending' &&
    state.status !== 'expired' &&
    state.status !== 'cancelled'
  ) {
    await inTransaction(ctx, (trx, published) =>
      applyOrPark(ctx, trx, p.id, readChange({ ...state, status: state.status! }, 'provider'), published),
    );
    throw new AlreadySettled();
  }
  const created = await ctx.router.call(id, 'create', (prov) => prov.createQrPayment(req));
  return { created, provider: id };
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
        await inTransaction(ctx, (trx, published) =>
          applyOrPark(ctx, trx, p.id, readChange({ ...state, status: state.status! }, 'provider'), published),
        );
      }
      const now = (await getPayment(db, id))!;
      if (now.status === 'paid')
        throw new HttpError('ALREADY_PAID', 'this payment was paid before it could be cancelled');
      if (now.status !== 'pending') return toView(now);
      throw new HttpError('PROVIDER_REJECTED', err.message);
    }
  }
  await inTransaction(ctx, (trx, published) =>
    applyOrPark(ctx, trx, p.id, { status: 'cancelled', source: 'till' }, published),
  );
  const final = (await getPayment(db, id))!;
  if (final.status === 'paid')
    throw new HttpError('ALREADY_PAID', 'this payment was paid before it could be cancelled');
  return toView(final);
}
