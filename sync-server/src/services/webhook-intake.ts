/**
 * Webhook intake, in the order DESIGN.md gives: verify on the raw body → store the raw event (even when
 * rejected) → confirm what the signature does not cover → dedupe on the provider's event identity → map to the
 * lattice → apply in one transaction (payment-state.ts) → publish to the store's tills. The provider gets its 2xx
 * only after the event row has committed, so a crash at any point loses nothing: before the commit the provider
 * retries, after it the event is stored.
 */
import { type PaymentStatus, transition } from '../../../shared/payment-status.ts';
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import { ProviderError, WebhookPayloadError } from '../providers/errors.ts';
import type { ParsedWebhook, ProviderPaymentState, RawWebhook } from '../providers/payment-provider.ts';
import type { Executor } from '../repos/executor.ts';
import { getPaymentForEvent, updatePayment } from '../repos/payments-repo.ts';
import { insertWebhookEvent, insertWebhookEventOnce, setWebhookOutcome } from '../repos/webhook-events-repo.ts';
import type { ServerContext } from './context.ts';
import { onStaticPayment } from './offline-qris.ts';
import { applyOrPark, type Published, webhookChange } from './payment-state.ts';
import { storeRejectedWebhook } from './rejected-webhooks.ts';
import { type BatchItem, batchable, type ItemOutcome, WebhookBatcher } from './webhook-batch.ts';

export type IntakeResult = {
  http: 200 | 400 | 401 | 404 | 409 | 503;
  outcome: 'applied' | 'duplicate' | 'ignored' | 'parked' | 'rejected' | 'invalid' | 'unconfirmed';
  code?: 'INVALID_SIGNATURE' | 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'PROVIDER_UNAVAILABLE';
  message?: string;
};

// Only what helps an operator reconstruct a delivery; never cookies or authorisation headers.
const KEPT_HEADERS = ['content-type', 'user-agent', 'webhook-id', 'x-forwarded-for', 'content-length'];
function headerSnapshot(h: RawWebhook['headers']): string {
  const kept: Record<string, unknown> = {};
  for (const k of KEPT_HEADERS) if (h[k] !== undefined) kept[k] = h[k];
  // Whether a token or signature was present is useful; its value is a secret.
  kept['x-callback-token'] = h['x-callback-token'] === undefined ? 'absent' : 'present';
  return JSON.stringify(kept);
}

export async function ingestWebhook(
  ctx: ServerContext,
  providerId: ProviderId,
  raw: RawWebhook,
): Promise<IntakeResult> {
  const { db } = ctx.database;
  const end = ctx.metrics.webhookSeconds.startTimer({ provider: providerId });
  const now = ctx.now();
  const base = {
    provider: providerId,
    received_at: now,
    headers: headerSnapshot(raw.headers),
    raw_body: raw.rawBody,
  };
  const done = (r: IntakeResult): IntakeResult => {
    end();
    ctx.metrics.webhooks.inc({ provider: providerId, outcome: r.outcome });
    return r;
  };

  if (!ctx.router.has(providerId)) {
    await storeRejectedWebhook(ctx, {
      ...base,
      event_key: null,
      verified: 0,
      outcome: 'rejected',
      detail: 'provider not configured',
      processed_at: now,
    });
    return done({
      http: 404,
      outcome: 'rejected',
      code: 'NOT_FOUND',
      message: `provider ${providerId} is not configured`,
    });
  }
  const provider = ctx.router.provider(providerId);

  let verified = false;
  try {
    verified = provider.verifyWebhook(raw);
  } catch {
    verified = false;
  }
  if (!verified) {
    await storeRejectedWebhook(ctx, {
      ...base,
      event_key: null,
      verified: 0,
      outcome: 'rejected',
      detail: 'signature',
      processed_at: now,
    });
    return done({ http: 401, outcome: 'rejected', code: 'INVALID_SIGNATURE', message: 'webhook verification failed' });
  }

  let parsed: ParsedWebhook;
  try {
    parsed = provider.parseWebhook(raw);
  } catch (err) {
    const detail = err instanceof WebhookPayloadError ? err.message : 'unparseable';
    await insertWebhookEvent(db, {
      ...base,
      event_key: null,
      verified: 1,
      outcome: 'invalid',
      detail,
      processed_at: now,
    });
    return done({ http: 400, outcome: 'invalid', code: 'INVALID_INPUT', message: detail });
  }

  // What the signature does not cover is confirmed with the provider before it can take money back or end a
  // payment: Midtrans signs only order_id + status_code + gross_amount, so a genuine signature can be replayed
  // under another transaction_status of the same status_code family.
  let confirmed: ProviderPaymentState | null = null;
  if (parsed.status !== null && provider.confirmBeforeApplying(parsed.status)) {
    const verdict = await confirmWithProvider(ctx, providerId, parsed, parsed.status);
    if (typeof verdict !== 'string') confirmed = verdict;
    else {
      const unreachable = verdict === 'unreachable';
      await ctx.writes.run(async (trx) => {
        await insertWebhookEvent(trx, {
          ...base,
          event_key: null,
          verified: 1,
          outcome: unreachable ? 'unconfirmed' : 'rejected',
          payment_id: parsed.paymentId,
          provider_ref: parsed.providerRef,
          status: parsed.status,
          detail: unreachable ? 'provider status unavailable' : `not confirmed: provider says ${verdict}`,
          processed_at: now,
        });
        // The provider retries; meanwhile the sweeper asks it about this payment and applies what it says.
        if (unreachable && parsed.paymentId) await updatePayment(trx, parsed.paymentId, { next_check_at: now });
      });
      return done(
        unreachable
          ? {
              http: 503,
              outcome: 'unconfirmed',
              code: 'PROVIDER_UNAVAILABLE',
              message: 'could not confirm this status with the provider; retry later',
            }
          : {
              http: 409,
              outcome: 'rejected',
              code: 'CONFLICT',
              message: `the provider does not confirm ${parsed.status} for this payment`,
            },
      );
    }
  }

  let outcome: ItemOutcome;
  if (confirmed === null && batchable(parsed)) {
    outcome = await batcherOf(ctx).submit({ provider: providerId, base, parsed });
  } else {
    const published: Published = new Set();
    outcome = await ctx.writes.run((trx) =>
      applyAlone(ctx, trx, { provider: providerId, base, parsed }, confirmed, published),
    );
    for (const s of published) ctx.published(s);
  }
  if (outcome === 'rejected') {
    return done({
      http: 409,
      outcome: 'rejected',
      code: 'CONFLICT',
      message: 'this notification names a transaction that is not the one of its order',
    });
  }
  const o = outcome === 'early' || outcome === 'unknown_payment' ? 'parked' : outcome;
  return done({ http: 200, outcome: o });
}

const batchers = new WeakMap<ServerContext, WebhookBatcher>();
function batcherOf(ctx: ServerContext): WebhookBatcher {
  let b = batchers.get(ctx);
  if (!b) {
    b = new WebhookBatcher(ctx, (trx, item, published) => applyAlone(ctx, trx, item, null, published));
    batchers.set(ctx, b);
  }
  return b;
}

/** Stores and applies one verified webhook in the caller's transaction (the one-at-a-time path). */
export async function applyAlone(
  ctx: ServerContext,
  trx: Executor,
  { provider: providerId, base, parsed }: { provider: ProviderId; base: BatchItem['base']; parsed: ParsedWebhook },
  confirmed: ProviderPaymentState | null,
  published: Published,
): Promise<ItemOutcome> {
  const now = ctx.now();
  const id = await insertWebhookEventOnce(trx, {
    ...base,
    event_key: parsed.eventId,
    verified: 1,
    outcome: 'received',
    payment_id: parsed.paymentId,
    provider_ref: parsed.providerRef,
    status: parsed.status,
    detail: null,
    processed_at: null,
  });
  if (id === null) return 'duplicate';
  if (parsed.status === null) {
    await setOutcome(trx, id, 'ignored', 'no status change', now);
    return 'ignored';
  }
  // A payment to a store's static QR verifies an offline QRIS sale rather than one of our dynamic QRs.
  if (parsed.staticQr) return onStaticPayment(ctx, trx, providerId, parsed, id, published);
  const payment = await getPaymentForEvent(trx, ctx.database.kind, providerId, parsed.paymentId, parsed.providerRef);
  const change = webhookChange(parsed, id);
  // How much was refunded is not signed either: take the provider's own figure.
  if (confirmed) change.refundedAmount = confirmed.refundedAmount ?? null;
  const r = await applyOrPark(ctx, trx, payment ?? null, change, published);
  return r.outcome;
}

async function setOutcome(
  trx: Parameters<typeof setWebhookOutcome>[0],
  id: number,
  outcome: string,
  detail: string,
  at: number,
) {
  await setWebhookOutcome(trx, id, { outcome, detail, processed_at: at });
}

/**
 * Asks the provider for the payment's state and says whether it agrees with what the webhook claims: the same
 * status or one further along (a partial refund claimed, a full refund read). A provider that cannot be asked
 * leaves the claim unconfirmed.
 */
async function confirmWithProvider(
  ctx: ServerContext,
  providerId: ProviderId,
  parsed: ParsedWebhook,
  claimed: PaymentStatus,
): Promise<ProviderPaymentState | 'unreachable' | string> {
  if (parsed.paymentId === null || parsed.providerRef === null) return 'nothing to ask about';
  try {
    const state = await ctx.router.call(providerId, 'status', (p) =>
      p.getPayment({ paymentId: parsed.paymentId!, providerRef: parsed.providerRef! }),
    );
    if (state.status === claimed) return state;
    if (state.status !== null && transition(claimed, state.status).kind !== 'ignored') return state;
    return state.status ?? 'no change';
  } catch (err) {
    if (err instanceof ProviderError && err.retryable) return 'unreachable';
    if (err instanceof ProviderError) return `an error (${err.message})`;
    throw err;
  }
}
