/**
 * Webhook intake, in the order DESIGN.md gives: verify on the raw body → store the raw event (even when
 * rejected) → dedupe on the provider's event identity → map to the lattice → apply in one transaction →
 * publish to the store's tills. The provider gets its 2xx only after the event row has committed, so a crash
 * at any point loses nothing: before the commit the provider retries, after it the event is stored.
 */
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { PaymentRow } from '../db/schema.ts';
import { WebhookPayloadError } from '../providers/errors.ts';
import type { ParsedWebhook, RawWebhook } from '../providers/payment-provider.ts';
import type { Executor } from '../repos/executor.ts';
import { getPayment, getPaymentForEvent } from '../repos/payments-repo.ts';
import {
  insertWebhookEvent,
  insertWebhookEventOnce,
  listParked,
  setWebhookOutcome,
} from '../repos/webhook-events-repo.ts';
import type { ServerContext } from './context.ts';
import { applyStatus } from './payments.ts';
import { storeRejectedWebhook } from './rejected-webhooks.ts';

export type IntakeResult = {
  http: 200 | 400 | 401 | 404;
  outcome: 'applied' | 'duplicate' | 'ignored' | 'parked' | 'rejected' | 'invalid';
  code?: 'INVALID_SIGNATURE' | 'INVALID_INPUT' | 'NOT_FOUND';
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

  const published = new Set<string>();
  const outcome = await ctx.writes.run(async (trx) => {
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
    if (id === null) return 'duplicate' as const;
    return processEvent(ctx, trx, providerId, id, parsed, published);
  });
  for (const s of published) ctx.published(s);
  return done({ http: 200, outcome });
}

type EventFacts = Pick<
  ParsedWebhook,
  'paymentId' | 'providerRef' | 'status' | 'amount' | 'occurredAt' | 'paymentRef' | 'refundedAmount'
>;

async function processEvent(
  ctx: ServerContext,
  trx: Executor,
  providerId: ProviderId,
  eventRowId: number,
  parsed: EventFacts,
  published: Set<string>,
  drain = true,
): Promise<'applied' | 'duplicate' | 'ignored' | 'parked'> {
  const processedAt = ctx.now();
  if (parsed.status === null) {
    await setWebhookOutcome(trx, eventRowId, {
      outcome: 'ignored',
      detail: 'no status change',
      processed_at: processedAt,
    });
    return 'ignored';
  }
  const payment = await getPaymentForEvent(trx, ctx.database.kind, providerId, parsed.providerRef, parsed.paymentId);
  const paymentId = payment?.id ?? parsed.paymentId;
  const r = payment
    ? await applyStatus(ctx, trx, payment, {
        status: parsed.status,
        amount: parsed.amount,
        paidAt: parsed.occurredAt,
        paymentRef: parsed.paymentRef,
        refundedAmount: parsed.refundedAmount ?? null,
        source: 'webhook',
      })
    : { outcome: 'unknown_payment' as const, storeId: null, row: null };
  if (r.outcome === 'unknown_payment' || r.outcome === 'early') {
    // Not applicable yet: the payment is not known (the provider can be faster than our own write), or the
    // event skips a step that has not arrived (a refund before its settlement). Keep it and re-try later.
    await setWebhookOutcome(trx, eventRowId, {
      outcome: 'parked',
      payment_id: paymentId,
      detail: r.outcome === 'early' ? `early: ${parsed.status} while ${r.row?.status}` : 'unknown payment',
      processed_at: processedAt,
    });
    return 'parked';
  }
  if (r.storeId) published.add(r.storeId);
  const outcome = r.outcome === 'applied' ? 'applied' : r.outcome === 'duplicate' ? 'duplicate' : 'ignored';
  await setWebhookOutcome(trx, eventRowId, {
    outcome,
    payment_id: r.row?.id ?? paymentId,
    detail: r.outcome === 'ignored' ? `backwards from ${r.row?.status}` : null,
    processed_at: processedAt,
  });
  if (outcome === 'applied' && drain && r.row) await drainParked(ctx, trx, r.row, published);
  return outcome;
}

/**
 * Re-tries the parked events of one payment inside the caller's transaction, oldest first, until none of
 * them applies any more (each applied one may unblock another that arrived early).
 */
async function drainParked(
  ctx: ServerContext,
  trx: Executor,
  payment: PaymentRow,
  published: Set<string>,
): Promise<number> {
  const provider = ctx.router.provider(payment.provider as ProviderId);
  let applied = 0;
  let current = payment;
  for (let progress = true; progress; ) {
    progress = false;
    for (const e of await listParked(trx, current.provider, current.id, current.provider_ref)) {
      // Re-read the stored raw body: it was verified on arrival, and it carries amount, time and payment ref.
      let parsed: ParsedWebhook;
      try {
        parsed = provider.parseWebhook({ rawBody: e.raw_body, headers: {} });
      } catch {
        continue;
      }
      const o = await processEvent(
        ctx,
        trx,
        current.provider as ProviderId,
        e.id,
        { ...parsed, paymentId: current.id },
        published,
        false,
      );
      if (o === 'applied') {
        applied++;
        progress = true;
      }
    }
    if (progress) current = (await getPayment(trx, payment.id)) ?? current;
  }
  return applied;
}

/** Applies events that were parked before `payment` existed (or had its provider reference). */
export async function applyParked(ctx: ServerContext, payment: PaymentRow): Promise<number> {
  const published = new Set<string>();
  const n = await ctx.database.db.transaction().execute((trx) => drainParked(ctx, trx, payment, published));
  for (const s of published) ctx.published(s);
  return n;
}
