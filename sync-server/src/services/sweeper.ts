/**
 * The sweeper asks the provider about payments whose check is due, so that a lost webhook can never leave a
 * paid sale "pending" (nor an expired QR waiting forever), and applies what the provider says through
 * payment-state.ts. A check is due when a pending payment has waited long enough, or when a webhook asked for
 * one (a status it could not confirm, a refund ahead of its settlement).
 * Round-robin: each payment checked is rescheduled behind the others, and one whose provider keeps failing backs
 * off exponentially, so a handful of failing payments never starve the rest.
 */
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { PaymentRow } from '../db/schema.ts';
import { ProviderError } from '../providers/errors.ts';
import { listDueForCheck, updatePayment } from '../repos/payments-repo.ts';
import type { ServerContext } from './context.ts';
import { reviewOffline } from './offline-qris.ts';
import { applyOrPark, inTransaction, readChange } from './payment-state.ts';

/** How long past its deadline a payment may stay pending at the provider before the sweeper ends it there. */
const EXPIRY_GRACE_MS = 30_000;
/** The longest a failing payment waits between checks. */
const MAX_BACKOFF_MS = 15 * 60_000;

export async function sweepOnce(ctx: ServerContext, limit = 50): Promise<{ checked: number; changed: number }> {
  const due = await listDueForCheck(ctx.database.db, ctx.now(), limit);
  let changed = 0;
  for (const p of due) {
    try {
      if (await checkOne(ctx, p)) changed++;
      if (p.check_failures > 0) await updatePayment(ctx.database.db, p.id, { check_failures: 0 });
    } catch (err) {
      const failures = p.check_failures + 1;
      const base = Math.min(ctx.config.sweep.pendingAfterMs * 2 ** failures, MAX_BACKOFF_MS);
      // Jitter spreads the retries of many payments failing together (a provider outage) over time.
      const next = ctx.now() + Math.round(base * (0.5 + Math.random() / 2));
      await updatePayment(ctx.database.db, p.id, { check_failures: failures, next_check_at: next });
      ctx.metrics.sweeps.inc({ result: 'error' });
      const log = err instanceof ProviderError ? ctx.log.warn.bind(ctx.log) : ctx.log.error.bind(ctx.log);
      log(
        { err, paymentId: p.id, provider: p.provider, failures, nextCheckAt: next },
        'sweeper could not check a payment',
      );
    }
  }
  return { checked: due.length, changed };
}

/** Checks one payment; returns whether its status changed. Throws when the provider could not be asked. */
async function checkOne(ctx: ServerContext, p: PaymentRow): Promise<boolean> {
  const now = ctx.now();
  const db = ctx.database.db;
  if (p.offline_ref !== null) {
    // An offline QRIS payment no static-QR payment has verified in time: one last match, else to review.
    const changed = await inTransaction(ctx, (trx, published) => reviewOffline(ctx, trx, p, published));
    await updatePayment(db, p.id, { next_check_at: null });
    ctx.metrics.sweeps.inc({ result: changed ? 'offline_reviewed' : 'unchanged' });
    return changed;
  }
  if (p.provider_ref === null) {
    // It never got a QR, so nobody can pay it; once its lifetime has passed, close it so no screen waits on it.
    const lifetimeEnd = p.created_at + ctx.config.paymentTtlSeconds * 1000;
    if (p.status !== 'pending' || now < lifetimeEnd) {
      await updatePayment(db, p.id, { next_check_at: p.status === 'pending' ? lifetimeEnd : null });
      return false;
    }
    const r = await inTransaction(ctx, (trx, published) =>
      applyOrPark(ctx, trx, p.id, { status: 'failed', source: 'sweeper' }, published),
    );
    ctx.metrics.sweeps.inc({ result: 'qrless_failed' });
    return r.outcome === 'applied';
  }

  const id = p.provider as ProviderId;
  const ref = { paymentId: p.id, providerRef: p.provider_ref };
  let state = await ctx.router.call(id, 'status', (prov) => prov.getPayment(ref));
  if (
    p.status === 'pending' &&
    (state.status === null || state.status === 'pending') &&
    p.expires_at !== null &&
    now > p.expires_at + EXPIRY_GRACE_MS
  ) {
    // Past the deadline the till showed, yet the provider still takes payment: end it there now, where the
    // provider allows, then take whatever it reports (a payment that slipped in is still applied as paid).
    if (ctx.router.provider(id).expirePayment) {
      await ctx.router.call(id, 'expire', (x) => x.expirePayment!(ref)).catch(() => undefined);
      state = await ctx.router.call(id, 'status', (x) => x.getPayment(ref));
    }
  }
  const r =
    state.status === null
      ? null
      : await inTransaction(ctx, (trx, published) =>
          applyOrPark(ctx, trx, p.id, readChange({ ...state, status: state.status! }, 'sweeper'), published),
        );
  const after = r?.row ?? p;
  // Still pending: ask again after the usual wait, behind every other payment that is due.
  await updatePayment(db, p.id, {
    next_check_at: after.status === 'pending' ? ctx.now() + ctx.config.sweep.pendingAfterMs : null,
  });
  ctx.metrics.sweeps.inc({ result: r?.outcome ?? 'unchanged' });
  return r?.outcome === 'applied';
}

export function startSweeper(ctx: ServerContext): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return; // never overlap sweeps
    running = sweepOnce(ctx)
      .catch((err) => ctx.log.error({ err }, 'sweep failed'))
      .finally(() => {
        running = null;
      });
  }, ctx.config.sweep.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
