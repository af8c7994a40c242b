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
  type LocalCancelPayloadSchema,
  MUTATION_PAYLOADS,
  type MutationType,
  type OfflineQrisPaymentPayload,
  type PushMutation,
  type PushRejection,
  type PushRequestSchema,
  type PushResponse,
  type QrisPaymentPayloadSchema,
} from '../../../shared/schemas/sync-api.ts';
import type { DeviceRow } from '../db/schema.ts';
import type { NewSaleLine, NewSyncMutation } from '../db/schema-sync.ts';
import { recordClientState } from '../repos/admin-repo.ts';
import type { Executor } from '../repos/executor.ts';
import { getPayment } from '../repos/payments-repo.ts';
import {
  advanceDeviceSync,
  getCashPaymentSummaries,
  getSaleSummaries,
  insertCashPaymentsIfAbsent,
  insertLocalCancelIfAbsent,
  insertSaleLinesBulk,
  insertSalesIfAbsent,
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

type Item<T extends MutationType> = { m: PushMutation; p: z.output<(typeof MUTATION_PAYLOADS)[T]> };
type Handler<T extends MutationType> = (a: Apply, items: Item<T>[]) => Promise<Outcome[]>;
const each =
  <T extends MutationType>(fn: (a: Apply, p: Item<T>['p']) => Promise<Outcome>): Handler<T> =>
  async (a, items) => {
    const out: Outcome[] = [];
    for (const it of items) out.push(await fn(a, it.p));
    return out;
  };

/**
 * One handler per mutation type, given all of a batch's mutations of its type at once (sales and cash go in a
 * few multi-row statements: a 500-mutation push is a handful of queries, not 1,500). Handlers run in this
 * table's order, so a type may depend only on types above it. Adding a type (offline QRIS) is one schema in the
 * contract and one entry here.
 */
const handlers: { [T in MutationType]: Handler<T> } = {
  'sale.created': applySales,
  'payment.cash': applyCash,
  'payment.qris': each(linkQris),
  'payment.offline_qris': each(recordOffline),
  'payment.cancel_requested': each(recordCancel),
  'shift.closed': each(recordShiftClosed),
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

async function applySales(a: Apply, items: Item<'sale.created'>[]): Promise<Outcome[]> {
  const created = await insertSalesIfAbsent(
    a.trx,
    dedupe(items, (it) => it.p.sale_id).map(({ p: s }) => ({
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
    })),
  );
  const existing = await getSaleSummaries(
    a.trx,
    items.filter((it) => !created.has(it.p.sale_id)).map((it) => it.p.sale_id),
  );
  const lines: NewSaleLine[] = [];
  const claimed = new Map<string, { total: number; subtotal: number }>();
  const out: Outcome[] = [];
  for (const { p: s } of items) {
    if (created.has(s.sale_id) && !claimed.has(s.sale_id)) {
      claimed.set(s.sale_id, s);
      lines.push(
        ...s.lines.map((l, i) => ({
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
      out.push({ outcome: 'applied', entityId: s.sale_id });
      continue;
    }
    const mine = claimed.get(s.sale_id);
    const e = mine ? { store_id: a.device.store_id, ...mine } : existing.get(s.sale_id);
    if (e?.store_id !== a.device.store_id) out.push(reject(s.sale_id, 'CONFLICT', 'this sale id is already in use'));
    else if (e.total !== s.total || e.subtotal !== s.subtotal) {
      out.push(reject(s.sale_id, 'CONFLICT', 'this sale was already synced with different amounts'));
    } else out.push({ outcome: 'noop', entityId: s.sale_id, detail: 'sale already synced' });
  }
  await insertSaleLinesBulk(a.trx, lines);
  return out;
}

async function applyCash(a: Apply, items: Item<'payment.cash'>[]): Promise<Outcome[]> {
  const created = await insertCashPaymentsIfAbsent(
    a.trx,
    dedupe(items, (it) => it.p.payment_id).map(({ p }) => ({
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
    })),
  );
  const existing = await getCashPaymentSummaries(
    a.trx,
    items.filter((it) => !created.has(it.p.payment_id)).map((it) => it.p.payment_id),
  );
  const claimed = new Map<string, { sale_id: string; amount: number }>();
  return items.map(({ p }): Outcome => {
    if (created.has(p.payment_id) && !claimed.has(p.payment_id)) {
      claimed.set(p.payment_id, p);
      return { outcome: 'applied', entityId: p.payment_id };
    }
    const mine = claimed.get(p.payment_id);
    const e = mine ? { store_id: a.device.store_id, ...mine } : existing.get(p.payment_id);
    if (e?.store_id !== a.device.store_id || e.sale_id !== p.sale_id || e.amount !== p.amount) {
      return reject(p.payment_id, 'CONFLICT', 'this payment id is already in use with other contents');
    }
    return { outcome: 'noop', entityId: p.payment_id, detail: 'payment already synced' };
  });
}

/** The first of each key: a sale re-sent under a new id in the same batch is inserted once. */
function dedupe<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
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

type Parsed = { m: PushMutation; type: MutationType; p: unknown } | { m: PushMutation; rejected: Outcome };

function parseOne(m: PushMutation): Parsed {
  if (!Object.hasOwn(MUTATION_PAYLOADS, m.type)) {
    return { m, rejected: reject(null, 'NOT_SUPPORTED', `this server does not know mutations of type ${m.type}`) };
  }
  const type = m.type as MutationType;
  const parsed = MUTATION_PAYLOADS[type].safeParse(m.payload);
  if (parsed.success) return { m, type, p: parsed.data };
  const msg = parsed.error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  return { m, rejected: reject(null, 'INVALID_INPUT', `${type}: ${msg}`.slice(0, 500)) };
}

/** Outcomes of a batch, in mutation order. */
async function applyAll(a: Apply, mutations: PushMutation[]): Promise<Outcome[]> {
  const parsed = mutations.map(parseOne);
  const outcomes = new Map<number, Outcome>();
  for (const p of parsed) if ('rejected' in p) outcomes.set(p.m.mutation_id, p.rejected);
  for (const type of Object.keys(handlers) as MutationType[]) {
    const items = parsed.filter((p): p is Extract<Parsed, { type: MutationType }> => 'type' in p && p.type === type);
    if (items.length === 0) continue;
    const res = await (handlers[type] as Handler<MutationType>)(a, items as Item<MutationType>[]);
    items.forEach((it, i) => {
      outcomes.set(it.m.mutation_id, res[i]!);
    });
  }
  return mutations.map((m) => outcomes.get(m.mutation_id)!);
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
    // The till's queue as this batch leaves it, for the manager dashboard (same row, same transaction).
    if (req.client_state) await recordClientState(trx, device.id, req.client_state, receivedAt, skew);
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
    const outcomes = await applyAll(a, fresh);
    for (const [i, m] of fresh.entries()) {
      const o = outcomes[i]!;
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
