/**
 * Offline QRIS on the server (DESIGN.md "Offline QRIS"). A till that cannot reach the server derives a dynamic
 * payload from its store's static QRIS, the cashier confirms payment on the customer's screen, and the payment
 * arrives here later as `unverified`. It is verified against the provider's notifications of payments to the
 * static QR: by the reference label when the provider echoes the scanned string, else by store + amount + time
 * window — and only a unique match counts. Two sales of the same amount in the window, or a sale no payment
 * verifies in time, go to `needs_review`: the money is never guessed. All status changes go through
 * payment-state.ts; a notification that arrives before the till has synced its sale is parked and matched when
 * the sale arrives.
 */
import { isQrisAmount } from '../../../shared/money.ts';
import { describeQris } from '../../../shared/qris/index.ts';
import type { OfflineQrisPaymentPayload, OfflineSetup, ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { DeviceRow, PaymentRow, StoreRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import type { ParsedWebhook } from '../providers/payment-provider.ts';
import type { Executor } from '../repos/executor.ts';
import {
  getOfflinePaymentByRef,
  getPayment,
  insertPaymentIfAbsent,
  listOfflineCandidates,
  unverifiedTotal,
} from '../repos/payments-repo.ts';
import { getStore, getStoreByStaticRef, setStaticQris } from '../repos/stores-repo.ts';
import { listParkedByRef, setWebhookOutcome } from '../repos/webhook-events-repo.ts';
import type { ServerContext } from './context.ts';
import { appendPaymentEvent, applyOrPark, type Published, webhookChange } from './payment-state.ts';

/** A store's static QRIS must be a valid static payload: the till derives every offline QR from it. */
export function checkStaticQris(payload: string): string {
  const d = describeQris(payload.trim());
  if (!d.valid) throw new HttpError('INVALID_INPUT', `not a valid QRIS: ${d.error?.message ?? 'unreadable'}`);
  if (d.pointOfInitiation !== 'static') throw new HttpError('INVALID_INPUT', 'this QRIS is dynamic, not static');
  return payload.trim();
}

/**
 * What a till needs to take QRIS while offline. For a store on a provider that can create STATIC QRs (Xendit),
 * the first till to ask gets one created for the store, so its payments are notified and verified.
 */
export async function offlineSetup(ctx: ServerContext, device: DeviceRow): Promise<OfflineSetup> {
  const { db } = ctx.database;
  let store = await getStore(db, device.store_id);
  if (!store) throw new HttpError('FORBIDDEN', 'this device has no store');
  const providerId = store.provider as ProviderId;
  if (store.static_qris === null && ctx.router.has(providerId) && ctx.router.provider(providerId).createStaticQr) {
    const created = await ctx.router.call(providerId, 'static', (p) =>
      p.createStaticQr!({ reference: `static-${store!.id}` }),
    );
    await setStaticQris(db, store.id, {
      static_qris: checkStaticQris(created.qrString),
      static_provider: providerId,
      static_ref: created.providerRef,
    });
    store = (await getStore(db, device.store_id))!;
  }
  return {
    static_qris: store.static_qris,
    merchant_name: store.static_qris ? describeQris(store.static_qris).merchantName : null,
    verified_by_provider: store.static_provider !== null,
    max_amount: store.offline_max_amount,
    max_unverified_total: store.offline_max_unverified,
    unverified_total: await unverifiedTotal(db, device.id),
  };
}

/**
 * Records an offline QRIS payment a till synced (in the push transaction) and tries to verify it at once against
 * static-QR payments already received. One over the store's limit, or not derived from the store's static QR,
 * goes straight to review.
 */
export async function recordOfflinePayment(
  ctx: ServerContext,
  trx: Executor,
  device: DeviceRow,
  p: OfflineQrisPaymentPayload & { created_at: number },
  published: Published,
): Promise<{ outcome: 'applied' | 'noop' } | { outcome: 'rejected'; code: string; message: string }> {
  const store = await getStore(trx, device.store_id);
  if (!store) return { outcome: 'rejected', code: 'FORBIDDEN', message: 'this device has no store' };
  const now = ctx.now();
  const inserted = await insertPaymentIfAbsent(trx, {
    id: p.payment_id,
    sale_id: p.sale_id,
    store_id: store.id,
    device_id: device.id,
    amount: p.amount,
    provider: store.static_provider ?? store.provider,
    provider_ref: null,
    payment_ref: null,
    qr_string: p.qr_string,
    status: 'unverified',
    late: 0,
    expires_at: null,
    paid_at: null,
    refunded_amount: 0,
    request_hash: `offline:${p.offline_ref}`,
    created_at: p.created_at,
    updated_at: now,
    offline_ref: p.offline_ref,
    // Unverified for this long, it goes to review (the sweeper does it).
    next_check_at: p.created_at + ctx.config.offline.reviewAfterMs,
    create_claimed_until: null,
  });
  const row = await getPayment(trx, p.payment_id);
  if (!inserted) {
    if (!row || row.store_id !== store.id || row.sale_id !== p.sale_id || row.amount !== p.amount) {
      return { outcome: 'rejected', code: 'CONFLICT', message: 'this payment id belongs to another sale or amount' };
    }
    return { outcome: 'noop' };
  }
  await appendPaymentEvent(ctx, trx, row!, published);
  const problem = offlineProblem(store, p);
  if (problem) {
    ctx.log.warn({ paymentId: p.payment_id, problem }, 'offline QRIS payment sent to review');
    await applyOrPark(ctx, trx, row!, { status: 'needs_review', source: 'till' }, published);
    return { outcome: 'applied' };
  }
  await reconcile(ctx, trx, store, p.amount, p.created_at, published);
  return { outcome: 'applied' };
}

function offlineProblem(store: StoreRow, p: OfflineQrisPaymentPayload): string | null {
  if (p.amount > store.offline_max_amount) return `above the store's offline limit of ${store.offline_max_amount}`;
  if (!store.static_qris) return 'the store has no static QRIS';
  const paid = describeQris(p.qr_string);
  const mine = describeQris(store.static_qris);
  if (!paid.valid || paid.nmid !== mine.nmid || paid.merchantName !== mine.merchantName) {
    return 'the QR was not derived from the store static QRIS';
  }
  if (paid.amount !== p.amount || paid.additional.referenceLabel !== p.offline_ref) {
    return 'the QR does not carry the amount and reference of the payment';
  }
  return null;
}

/**
 * A verified notification of a payment to a static QR (webhook intake calls this inside its transaction).
 * Returns the outcome to record for the webhook.
 */
export async function onStaticPayment(
  ctx: ServerContext,
  trx: Executor,
  providerId: ProviderId,
  parsed: ParsedWebhook,
  webhookEventId: number,
  published: Published,
): Promise<'applied' | 'parked'> {
  const park = async (detail: string) => {
    await setWebhookOutcome(trx, webhookEventId, { outcome: 'parked', detail, processed_at: ctx.now() });
    return 'parked' as const;
  };
  if (parsed.status !== 'paid' || parsed.amount === null || !isQrisAmount(parsed.amount)) {
    return park('static QR: not a payment');
  }
  const store = parsed.providerRef ? await getStoreByStaticRef(trx, providerId, parsed.providerRef) : undefined;
  if (!store) return park('static QR of no store');
  await park('static QR: waiting for its offline sale');
  const reference = parsed.staticQr?.reference ?? null;
  if (reference !== null) {
    const p = await getOfflinePaymentByRef(trx, store.id, reference);
    if (p && p.amount === parsed.amount) {
      const r = await applyOrPark(ctx, trx, p.id, webhookChange(parsed, webhookEventId), published);
      return r.outcome === 'applied' ? 'applied' : 'parked';
    }
  }
  const at = parsed.occurredAt ?? ctx.now();
  return (await reconcile(ctx, trx, store, parsed.amount, at, published)) ? 'applied' : 'parked';
}

/**
 * Matches the store's parked static-QR payments of `amount` around `at` with its offline sales of that amount
 * in the same window. Exactly one of each: verified. More than one sale with at least one payment: nobody can
 * tell which customer paid, so the sales go to review (the payments stay parked for the manager).
 */
async function reconcile(
  ctx: ServerContext,
  trx: Executor,
  store: StoreRow,
  amount: number,
  at: number,
  published: Published,
): Promise<boolean> {
  if (!store.static_provider || !store.static_ref || !ctx.router.has(store.static_provider as ProviderId)) return false;
  const w = ctx.config.offline.matchWindowMs;
  const provider = ctx.router.provider(store.static_provider as ProviderId);
  const events: { id: number; parsed: ParsedWebhook }[] = [];
  for (const e of await listParkedByRef(trx, store.static_provider, store.static_ref)) {
    let parsed: ParsedWebhook;
    try {
      parsed = provider.parseWebhook({ rawBody: e.raw_body, headers: {} });
    } catch {
      continue;
    }
    const when = parsed.occurredAt ?? e.received_at;
    if (parsed.staticQr && parsed.amount === amount && Math.abs(when - at) <= w) events.push({ id: e.id, parsed });
  }
  if (events.length === 0) return false;
  const sales = await listOfflineCandidates(trx, ctx.database.kind, {
    storeId: store.id,
    amount,
    from: at - w,
    to: at + w,
  });
  if (events.length === 1 && sales.length === 1) {
    const [e] = events;
    const r = await applyOrPark(ctx, trx, sales[0]!, webhookChange(e!.parsed, e!.id), published);
    return r.outcome === 'applied';
  }
  for (const s of sales.filter((x) => x.status === 'unverified')) {
    await applyOrPark(ctx, trx, s, { status: 'needs_review', source: 'provider' }, published);
  }
  for (const e of events) {
    await setWebhookOutcome(trx, e.id, {
      outcome: 'parked',
      detail: `static QR: ${sales.length} offline sales of this amount in the window; a manager decides`,
      processed_at: ctx.now(),
    });
  }
  return false;
}

/** The sweeper's turn for an offline payment: one last match, else to review. */
export async function reviewOffline(
  ctx: ServerContext,
  trx: Executor,
  p: PaymentRow,
  published: Published,
): Promise<boolean> {
  if (p.status !== 'unverified') return false;
  const store = await getStore(trx, p.store_id);
  if (store && (await reconcile(ctx, trx, store, p.amount, p.created_at, published))) return true;
  const r = await applyOrPark(ctx, trx, p.id, { status: 'needs_review', source: 'sweeper' }, published);
  return r.outcome === 'applied';
}
