/**
 * Applies a till's pushed outbox (POST /v1/sync/push) exactly once.
 *
 * Each device numbers its mutations 1, 2, 3… The server keeps the last one it applied (`device_sync`) and,
 * in ONE transaction, skips those at or below it (replays, overlapping batches), applies the rest in order,
 * logs each with the till's and the server's time, and advances the device's mark. A batch that starts past
 * the next expected id is refused (409 MUTATION_GAP) so the till resends from the right place. A mutation
 * that can never be applied (unknown type, bad payload, an id owned by another store) is consumed and
 * reported as rejected; the till parks it with the reason and can re-send it later under a new id.
 *
 * Rows are keyed by the till's client ids, so a sale pushed twice under two mutation ids is still one sale,
 * and a synced offline sale is the same rows as an online one.
 */
import type { z } from 'zod';
import type { ShiftReportRequest } from '../../../shared/schemas/shifts.ts';
import {
  type CashPaymentPayloadSchema,
  type LocalCancelPayloadSchema,
  MUTATION_PAYLOADS,
  type MutationType,
  type OfflineQrisPaymentPayload,
  type PushMutation,
  type PushRejection,
  type PushRequestSchema,
  type PushResponse,
  type QrisPaymentPayloadSchema,
  type SaleCreatedPayloadSchema,
} from '../../../shared/schemas/sync-api.ts';
import type { DeviceRow } from '../db/schema.ts';
import type { NewSyncMutation } from '../db/schema-sync.ts';
import type { Executor } from '../repos/executor.ts';
import { getPayment } from '../repos/payments-repo.ts';
import {
  advanceDeviceSync,
  getCashPaymentSummary,
  getSaleSummary,
  insertCashPaymentIfAbsent,
  insertLocalCancelIfAbsent,
  insertSaleIfAbsent,
  insertSaleLines,
  insertSyncMutations,
  listRejectedMutations,
  lockDeviceSync,
} from '../repos/synced-sales-repo.ts';
import type { ServerContext } from './context.ts';
import { recordOfflinePayment } from './offline-qris.ts';
import type { Published } from './payment-state.ts';
import { cancelPayment } from './payments.ts';
import { recordShift } from './shifts.ts';

export class MutationGapError extends Error {
  override readonly name = 'MutationGapError';
  readonly lastMutationId: number;
  constructor(lastMutationId: number, first: number) {
    super(`the server has applied mutations up to ${lastMutationId}; this batch starts at ${first}`);
    this.lastMutationId = lastMutationId;
  }
}

type Outcome =
  | { outcome: 'applied' | 'noop'; entityId: string | null; detail?: string; cancel?: string }
  | { outcome: 'rejected'; entityId: string | null; code: string; message: string };

type Apply = {
  ctx: ServerContext;
  trx: Executor;
  device: DeviceRow;
  receivedAt: number;
  /** Server time − the till's time for this push: turns the till's clock readings into the server's. */
  skewMs: number;
  /** Stores whose tills hear of payment changes once the push has committed. */
  published: Published;
};

const reject = (entityId: string | null, code: string, message: string): Outcome => ({
  outcome: 'rejected',
  entityId,
  code,
  message,
});

/** One handler per mutation type; adding a type (offline QRIS) is one schema in the contract and one entry here. */
const handlers: { [T in MutationType]: (a: Apply, p: z.output<(typeof MUTATION_PAYLOADS)[T]>) => Promise<Outcome> } = {
  'sale.created': applySale,
  'payment.cash': applyCash,
  'payment.qris': linkQris,
  'payment.offline_qris': recordOffline,
  'payment.cancel_requested': recordCancel,
  'shift.closed': recordShiftClosed,
};

async function recordShiftClosed(a: Apply, body: ShiftReportRequest): Promise<Outcome> {
  const r = await recordShift(a.trx, a.device, body, a.receivedAt);
  if (r.outcome === 'conflict')
    return reject(body.shift_id, 'CONFLICT', 'a different report was already stored under this shift id');
  return r.outcome === 'created'
    ? { outcome: 'applied', entityId: body.shift_id }
    : { outcome: 'noop', entityId: body.shift_id, detail: 'shift already reported' };
}

/** An offline QRIS payment: recorded unverified, and verified at once if its static-QR payment is already in. */
async function recordOffline(a: Apply, p: OfflineQrisPaymentPayload): Promise<Outcome> {
  const r = await recordOfflinePayment(
    a.ctx,
    a.trx,
    a.device,
    { ...p, created_at: p.created_at + a.skewMs },
    a.published,
  );
  if (r.outcome === 'rejected') return reject(p.payment_id, r.code, r.message);
  return { outcome: r.outcome, entityId: p.payment_id };
}

async function applySale(a: Apply, s: z.output<typeof SaleCreatedPayloadSchema>): Promise<Outcome> {
  const created = await insertSaleIfAbsent(a.trx, {
    id: s.sale_id,
    store_id: a.device.store_id,
    device_id: a.device.id,
    subtotal: s.subtotal,
    discount_kind: s.discount_kind,
    discount_value: s.discount_value,
    discount_amount: s.discount_amount,
    total: s.total,
    cashier: s.cashier,
    client_created_at: s.created_at,
    received_at: a.receivedAt,
  });
  if (!created) {
    const existing = await getSaleSummary(a.trx, s.sale_id);
    if (existing?.store_id !== a.device.store_id)
      return reject(s.sale_id, 'CONFLICT', 'this sale id is already in use');
    if (existing.total !== s.total || existing.subtotal !== s.subtotal) {
      return reject(s.sale_id, 'CONFLICT', 'this sale was already synced with different amounts');
    }
    return { outcome: 'noop', entityId: s.sale_id, detail: 'sale already synced' };
  }
  await insertSaleLines(
    a.trx,
    s.lines.map((l, i) => ({
      id: l.line_id,
      sale_id: s.sale_id,
      line_no: i + 1,
      product_id: l.product_id,
      sku: l.sku,
      name: l.name,
      qty: l.qty,
      unit_price: l.unit_price,
      line_total: l.line_total,
    })),
  );
  return { outcome: 'applied', entityId: s.sale_id };
}

async function applyCash(a: Apply, p: z.output<typeof CashPaymentPayloadSchema>): Promise<Outcome> {
  const created = await insertCashPaymentIfAbsent(a.trx, {
    id: p.payment_id,
    sale_id: p.sale_id,
    store_id: a.device.store_id,
    device_id: a.device.id,
    amount: p.amount,
    tendered: p.tendered,
    change_due: p.change,
    client_paid_at: p.paid_at,
    client_created_at: p.created_at,
    received_at: a.receivedAt,
  });
  if (created) return { outcome: 'applied', entityId: p.payment_id };
  const existing = await getCashPaymentSummary(a.trx, p.payment_id);
  if (existing?.store_id !== a.device.store_id || existing.sale_id !== p.sale_id || existing.amount !== p.amount) {
    return reject(p.payment_id, 'CONFLICT', 'this payment id is already in use with other contents');
  }
  return { outcome: 'noop', entityId: p.payment_id, detail: 'payment already synced' };
}

/**
 * A QRIS payment made online already exists (POST /v1/payments created it); the mutation only confirms that
 * the till and the server agree on it. One the server never saw was never shown to a customer as a QR the
 * server knows, so there is nothing to create: the till asks POST /v1/payments again if it still wants it.
 */
async function linkQris(a: Apply, p: z.output<typeof QrisPaymentPayloadSchema>): Promise<Outcome> {
  const existing = await getPayment(a.trx, p.payment_id);
  if (!existing) return { outcome: 'noop', entityId: p.payment_id, detail: 'never created on the server' };
  if (existing.store_id !== a.device.store_id || existing.sale_id !== p.sale_id || existing.amount !== p.amount) {
    return reject(p.payment_id, 'CONFLICT', 'this payment id belongs to another sale or amount');
  }
  return { outcome: 'applied', entityId: p.payment_id, detail: 'linked' };
}

/** Recorded here; the provider is asked to cancel after the commit (a provider call never holds a transaction). */
async function recordCancel(a: Apply, c: z.output<typeof LocalCancelPayloadSchema>): Promise<Outcome> {
  const existing = await getPayment(a.trx, c.payment_id);
  if (existing && existing.store_id !== a.device.store_id) {
    return reject(c.payment_id, 'CONFLICT', 'this payment id belongs to another store');
  }
  const created = await insertLocalCancelIfAbsent(a.trx, {
    payment_id: c.payment_id,
    device_id: a.device.id,
    client_cancelled_at: c.cancelled_at,
    received_at: a.receivedAt,
  });
  if (!created) return { outcome: 'noop', entityId: c.payment_id, detail: 'cancel already recorded' };
  return {
    outcome: 'applied',
    entityId: c.payment_id,
    ...(existing?.status === 'pending' ? { cancel: c.payment_id } : {}),
  };
}

async function applyOne(a: Apply, m: PushMutation): Promise<Outcome> {
  if (!Object.hasOwn(MUTATION_PAYLOADS, m.type)) {
    return reject(null, 'NOT_SUPPORTED', `this server does not know mutations of type ${m.type.slice(0, 64)}`);
  }
  const type = m.type as MutationType;
  const parsed = MUTATION_PAYLOADS[type].safeParse(m.payload);
  if (!parsed.success) {
    const msg = parsed.error.issues
      .slice(0, 3)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    return reject(null, 'INVALID_INPUT', `${type}: ${msg}`.slice(0, 500));
  }
  return (handlers[type] as (a: Apply, p: unknown) => Promise<Outcome>)(a, parsed.data);
}

const encodeRejection = (code: string, message: string) => `${code}: ${message}`;
function decodeRejection(mutationId: number, detail: string | null): PushRejection {
  const s = detail ?? 'INTERNAL: rejected';
  const i = s.indexOf(': ');
  return i < 0
    ? { mutation_id: mutationId, code: 'INTERNAL', message: s }
    : { mutation_id: mutationId, code: s.slice(0, i), message: s.slice(i + 2) };
}

export async function pushMutations(
  ctx: ServerContext,
  device: DeviceRow,
  req: z.output<typeof PushRequestSchema>,
): Promise<PushResponse> {
  const receivedAt = ctx.now();
  const skew = receivedAt - req.client_time;
  const first = req.mutations[0]!.mutation_id;
  const lastInBatch = req.mutations.at(-1)!.mutation_id;
  const cancels: string[] = [];
  const published: Published = new Set();

  const result = await ctx.database.db.transaction().execute(async (trx) => {
    const { last_mutation_id: applied } = await lockDeviceSync(trx, ctx.database.kind, device.id);
    // Replayed mutations that had been refused are reported again: the till must park them, not drop them.
    const rejected =
      first <= applied
        ? (await listRejectedMutations(trx, device.id, first, Math.min(applied, lastInBatch))).map((r) =>
            decodeRejection(r.mutation_id, r.detail),
          )
        : [];
    const fresh = req.mutations.filter((m) => m.mutation_id > applied);
    if (fresh.length === 0) return { last: applied, rejected };
    if (fresh[0]!.mutation_id !== applied + 1) throw new MutationGapError(applied, fresh[0]!.mutation_id);

    const a: Apply = { ctx, trx, device, receivedAt, skewMs: skew, published };
    const log: NewSyncMutation[] = [];
    for (const m of fresh) {
      const o = await applyOne(a, m);
      log.push({
        device_id: device.id,
        mutation_id: m.mutation_id,
        type: m.type.slice(0, 64),
        entity_id: o.entityId,
        client_time: m.client_time,
        received_at: receivedAt,
        outcome: o.outcome,
        detail: o.outcome === 'rejected' ? encodeRejection(o.code, o.message) : (o.detail ?? null),
      });
      if (o.outcome === 'rejected') rejected.push({ mutation_id: m.mutation_id, code: o.code, message: o.message });
      else if (o.cancel) cancels.push(o.cancel);
    }
    // Large batches: keep each insert under SQLite's bound-parameter limit.
    for (let i = 0; i < log.length; i += 1000) await insertSyncMutations(trx, log.slice(i, i + 1000));
    const last = fresh.at(-1)!.mutation_id;
    await advanceDeviceSync(trx, device.id, { lastMutationId: last, pushAt: receivedAt, clockSkewMs: skew });
    return { last, rejected };
  });

  for (const storeId of published) ctx.published(storeId);
  // Cancels the cashier made offline reach the provider now, outside the transaction. If the customer had paid
  // meanwhile the provider refuses and the payment becomes paid: money in is never hidden.
  for (const id of cancels) {
    cancelPayment(ctx, device, id).catch((err: unknown) =>
      ctx.log.warn({ err, paymentId: id }, 'could not cancel a synced local cancel at the provider; the sweeper will'),
    );
  }

  return { last_mutation_id: result.last, rejected: result.rejected, server_time: ctx.now(), clock_skew_ms: skew };
}
