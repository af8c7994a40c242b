/**
 * Rejected webhook deliveries (failed verification, or for a provider that is not configured) are kept for the
 * operator, but anyone can send them, so a flood must not grow the database without bound. Each provider gets a
 * budget of REJECTED_WEBHOOKS_KEPT rows per REJECTED_WEBHOOKS_WINDOW_MS on each instance; past it a delivery is
 * only counted (kasir_webhooks_total{outcome="rejected"} counts every one, and
 * kasir_webhook_rejected_unstored_total the ones not stored). The first row kept in a new window says how many
 * were dropped in the windows before it, so the database also tells the operator a flood happened.
 *
 * A burst must not crowd real webhooks out of the database either: at most MAX_IN_FLIGHT rejected rows are being
 * written at any moment (the rest of a burst is counted only), and they are written through the shared-commit
 * batcher, so on SQLite they ride on the same fsync as real webhooks instead of each paying for its own.
 */
import { insertWebhookEvent, type NewWebhookEvent } from '../repos/webhook-events-repo.ts';
import type { ServerContext } from './context.ts';

type Window = { startedAt: number; kept: number; dropped: number; droppedBefore: number; inFlight: number };

const MAX_IN_FLIGHT = 2;

// One budget per app instance, keyed by its context, so tests can run many apps in one process.
const budgets = new WeakMap<ServerContext, Map<string, Window>>();

/** Stores a rejected delivery if its provider's budget allows; null when it was only counted. */
export async function storeRejectedWebhook(ctx: ServerContext, row: NewWebhookEvent): Promise<number | null> {
  const { rejectedWebhooksKept: max, rejectedWebhooksWindowMs: windowMs } = ctx.config.abuse;
  let perProvider = budgets.get(ctx);
  if (!perProvider) {
    perProvider = new Map();
    budgets.set(ctx, perProvider);
  }
  const now = ctx.now();
  let w = perProvider.get(row.provider);
  if (!w) {
    w = { startedAt: now, kept: 0, dropped: 0, droppedBefore: 0, inFlight: 0 };
    perProvider.set(row.provider, w);
  } else if (now - w.startedAt >= windowMs) {
    // A new window, same object: writes still in flight from the old one must release their slot here.
    w.droppedBefore += w.dropped;
    w.startedAt = now;
    w.kept = 0;
    w.dropped = 0;
  }
  if (w.kept >= max || w.inFlight >= MAX_IN_FLIGHT) {
    w.dropped++;
    ctx.metrics.webhookRejectedUnstored.inc({ provider: row.provider });
    return null;
  }
  w.kept++;
  let detail = row.detail ?? null;
  if (w.droppedBefore > 0) {
    detail = `${detail ?? 'rejected'}; ${w.droppedBefore} earlier rejected deliveries were counted but not stored`;
    w.droppedBefore = 0;
  }
  const slot = w;
  slot.inFlight++;
  try {
    return await ctx.writes.run((trx) => insertWebhookEvent(trx, { ...row, detail }));
  } finally {
    slot.inFlight--;
  }
}
