/**
 * The sweeper asks the provider about payments still pending past a threshold, so that a lost webhook can
 * never leave a paid sale "pending" (nor an expired QR waiting forever). It applies what the provider says
 * through the same lattice as webhooks.
 */
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import { ProviderError } from '../providers/errors.ts';
import { listQrlessPending, listStalePending } from '../repos/payments-repo.ts';
import type { ServerContext } from './context.ts';
import { applyStatus } from './payments.ts';

/** How long past its deadline a payment may stay pending at the provider before the sweeper ends it there. */
const EXPIRY_GRACE_MS = 30_000;

export async function sweepOnce(ctx: ServerContext, limit = 50): Promise<{ checked: number; changed: number }> {
  const stale = await listStalePending(ctx.database.db, ctx.now() - ctx.config.sweep.pendingAfterMs, limit);
  let changed = await failQrless(ctx, limit);
  for (const p of stale) {
    if (!p.provider_ref) continue;
    try {
      const ref = { paymentId: p.id, providerRef: p.provider_ref };
      let state = await ctx.router.call(p.provider as ProviderId, 'status', (prov) => prov.getPayment(ref));
      if (
        (state.status === null || state.status === 'pending') &&
        p.expires_at !== null &&
        ctx.now() > p.expires_at + EXPIRY_GRACE_MS
      ) {
        // Past the deadline the till showed, yet the provider still takes payment: end it there now, where the
        // provider allows, then take whatever it reports (a payment that slipped in is still applied as paid).
        const prov = ctx.router.provider(p.provider as ProviderId);
        if (prov.expirePayment) {
          await ctx.router
            .call(p.provider as ProviderId, 'expire', (x) => x.expirePayment!(ref))
            .catch(() => undefined);
          state = await ctx.router.call(p.provider as ProviderId, 'status', (x) => x.getPayment(ref));
        }
      }
      if (!state.status || state.status === 'pending') {
        ctx.metrics.sweeps.inc({ result: 'unchanged' });
        continue;
      }
      const r = await ctx.database.db.transaction().execute((trx) =>
        applyStatus(ctx, trx, p.id, {
          status: state.status!,
          amount: state.amount,
          paidAt: state.paidAt,
          paymentRef: state.paymentRef,
          source: 'sweeper',
        }),
      );
      if (r.storeId) {
        ctx.published(r.storeId);
        changed++;
      }
      ctx.metrics.sweeps.inc({ result: r.outcome });
    } catch (err) {
      ctx.metrics.sweeps.inc({ result: 'error' });
      if (!(err instanceof ProviderError)) ctx.log.error({ err, paymentId: p.id }, 'sweeper failed on a payment');
    }
  }
  return { checked: stale.length, changed };
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

/** A payment that never got a QR within its lifetime cannot be paid: close it as failed so no screen waits on it. */
async function failQrless(ctx: ServerContext, limit: number): Promise<number> {
  const orphans = await listQrlessPending(ctx.database.db, ctx.now() - ctx.config.paymentTtlSeconds * 1000, limit);
  let changed = 0;
  for (const p of orphans) {
    const r = await ctx.database.db
      .transaction()
      .execute((trx) => applyStatus(ctx, trx, p.id, { status: 'failed', source: 'sweeper' }));
    if (r.storeId) {
      ctx.published(r.storeId);
      changed++;
    }
    ctx.metrics.sweeps.inc({ result: 'qrless_failed' });
  }
  return changed;
}
