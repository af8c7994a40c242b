/**
 * The manager dashboard's behaviour: views of one store's tills, payments, review queue, webhook log, provider
 * health and charts, and the two actions that change something — resolving a review item and replaying a
 * stored webhook. Both go through the payment core (payment-state.ts `applyOrPark`, webhook-intake.ts
 * `ingestWebhook`); nothing here writes a payment's status.
 */
import type { PaymentStatus } from '../../../shared/payment-status.ts';
import type {
  AdminPayment,
  AuditEntry,
  ChartBucket,
  HistoryEntry,
  PaymentDetail,
  ProviderHealth,
  ReplayResponse,
  ReviewItem,
  TillView,
  WebhookDetail,
  WebhookSummary,
} from '../../../shared/schemas/admin-api.ts';
import { type ProviderId, ProviderIdSchema } from '../../../shared/schemas/sync-api.ts';
import type { PaymentRow, WebhookEventRow } from '../db/schema.ts';
import type { AuditRow } from '../db/schema-admin.ts';
import { HttpError } from '../http-errors.ts';
import type { PaymentProvider, RawWebhook } from '../providers/payment-provider.ts';
import type { ProviderRouter } from '../providers/router.ts';
import {
  type AdminPaymentRow,
  cashPerHour,
  findReplayRow,
  getAdminPayment,
  getReviewNote,
  getSaleWithLines,
  getStorePayment,
  getWebhook,
  listActiveTills,
  listPaymentEvents,
  listPaymentWebhooks,
  listReview,
  listTills,
  markReviewed,
  maxWebhookId,
  qrisPerHour,
  setReplayOf,
  type TillRow,
  type WebhookSummaryRow,
} from '../repos/admin-repo.ts';
import { listAudit } from '../repos/audit-repo.ts';
import { type ManagerIdentity, recordManagerAction } from './audit.ts';
import type { ServerContext } from './context.ts';
import { applyOrPark, applyParked, type ChangeSource, inTransaction, toView } from './payment-state.ts';
import { ingestWebhook } from './webhook-intake.ts';

// ---------------------------------------------------------------------------------------------------------
// Tills
// ---------------------------------------------------------------------------------------------------------

/**
 * A till's sync state from what it last reported. A till that reported items waiting stays lagging, its lag
 * growing, until a push says the queue is empty: silence is not "synced". A till that has pushed but never
 * reported its queue (an older till) shows the time since its last push.
 */
export function tillView(r: TillRow, now: number): TillView {
  const reported = r.state_reported_at !== null;
  const waiting = reported && (r.queue_depth ?? 0) > 0;
  let lag: number | null = null;
  if (waiting) lag = Math.max(0, now - (r.oldest_unsynced_at ?? r.state_reported_at!));
  else if (reported) lag = 0;
  else if (r.last_push_at !== null) lag = Math.max(0, now - r.last_push_at);
  return {
    device_id: r.id,
    name: r.name,
    revoked: r.revoked_at !== null,
    last_seen_at: r.last_seen_at,
    last_push_at: r.last_push_at,
    last_mutation_id: r.last_mutation_id ?? 0,
    state: r.last_push_at === null && !reported ? 'never_synced' : waiting ? 'lagging' : 'synced',
    sync_lag_ms: lag,
    queue_depth: r.queue_depth,
    parked: r.parked,
    oldest_unsynced_at: waiting ? r.oldest_unsynced_at : null,
    unverified_amount: r.unverified_amount,
    clock_skew_ms: r.clock_skew_ms,
    reported_at: r.state_reported_at,
  };
}

export async function tills(ctx: ServerContext, storeId: string): Promise<TillView[]> {
  const now = ctx.now();
  return (await listTills(ctx.database.db, storeId)).map((r) => tillView(r, now));
}

/** Installs the database reader behind the per-till Prometheus gauges. */
export function installTillGauges(ctx: ServerContext): void {
  ctx.metrics.tills.source = async () => {
    const now = ctx.now();
    return (await listActiveTills(ctx.database.db)).map((r) => {
      const v = tillView(r, now);
      return {
        store: r.store_id,
        device: r.id,
        lagSeconds: v.sync_lag_ms === null ? null : v.sync_lag_ms / 1000,
        queueDepth: v.queue_depth,
      };
    });
  };
}

// ---------------------------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------------------------

export function adminPayment(r: AdminPaymentRow): AdminPayment {
  return {
    payment_id: r.id,
    sale_id: r.sale_id,
    device_id: r.device_id,
    method: r.method,
    provider: r.provider,
    provider_ref: r.provider_ref,
    offline_ref: r.offline_ref,
    amount: r.amount,
    status: r.status as PaymentStatus,
    late: r.late === 1,
    refunded_amount: r.refunded_amount,
    payer_wallet: r.payer_wallet,
    created_at: r.created_at,
    paid_at: r.paid_at,
    updated_at: r.updated_at,
    reviewed_at: r.reviewed_at,
  };
}

function paymentRowAsAdmin(p: PaymentRow): AdminPayment {
  return adminPayment({
    id: p.id,
    sale_id: p.sale_id,
    device_id: p.device_id,
    method: p.offline_ref === null ? 'qris' : 'offline_qris',
    provider: p.provider,
    provider_ref: p.provider_ref,
    offline_ref: p.offline_ref,
    amount: Number(p.amount),
    status: p.status,
    late: Number(p.late),
    refunded_amount: Number(p.refunded_amount),
    payer_wallet: p.payer_wallet,
    created_at: Number(p.created_at),
    paid_at: p.paid_at,
    updated_at: Number(p.updated_at),
    reviewed_at: p.reviewed_at,
  });
}

export function webhookSummary(w: WebhookSummaryRow): WebhookSummary {
  return {
    id: Number(w.id),
    provider: w.provider,
    received_at: Number(w.received_at),
    verified: Number(w.verified) === 1,
    outcome: w.outcome,
    detail: w.detail,
    payment_id: w.payment_id,
    provider_ref: w.provider_ref,
    status: w.status,
    processed_at: w.processed_at === null ? null : Number(w.processed_at),
    replay_of: w.replay_of === null ? null : Number(w.replay_of),
  };
}

function parseDetail(detail: string | null): Record<string, unknown> | null {
  if (detail === null) return null;
  try {
    const v = JSON.parse(detail) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { text: detail };
  } catch {
    return { text: detail };
  }
}

export function auditEntry(r: AuditRow): AuditEntry {
  return {
    id: Number(r.id),
    at: Number(r.at),
    actor_kind: r.actor_kind,
    actor_id: r.actor_id,
    action: r.action,
    subject_type: r.subject_type,
    subject_id: r.subject_id,
    detail: parseDetail(r.detail),
  };
}

export async function paymentDetail(ctx: ServerContext, storeId: string, id: string): Promise<PaymentDetail> {
  const { db } = ctx.database;
  const row = await getAdminPayment(db, storeId, id);
  if (!row) throw new HttpError('NOT_FOUND', 'no such payment');
  const qris = row.method === 'cash' ? undefined : await getStorePayment(db, storeId, id);
  const sale = await getSaleWithLines(db, storeId, row.sale_id);
  const webhooks = row.method === 'cash' ? [] : await listPaymentWebhooks(db, storeId, id);
  const events = row.method === 'cash' ? [] : await listPaymentEvents(db, storeId, id);
  const audit = await listAudit(db, storeId, { subjectType: 'payment', subjectId: id, limit: 200 });

  const history: HistoryEntry[] = [];
  for (const e of events) {
    let status: PaymentStatus | null = null;
    try {
      status = (JSON.parse(e.payload) as { status?: PaymentStatus }).status ?? null;
    } catch {}
    history.push({
      at: e.created_at,
      source: 'sync_event',
      status,
      actor_kind: null,
      actor_id: null,
      action: 'payment.updated',
      detail: null,
    });
  }
  for (const a of audit) {
    const d = parseDetail(a.detail);
    history.push({
      at: Number(a.at),
      source: 'audit',
      status: typeof d?.status === 'string' ? (d.status as PaymentStatus) : null,
      actor_kind: a.actor_kind,
      actor_id: a.actor_id,
      action: a.action,
      detail: typeof d?.note === 'string' ? d.note : a.detail,
    });
  }
  history.sort((a, b) => a.at - b.at);

  return {
    payment: adminPayment(row),
    view: qris ? toView(qris) : null,
    review_note: qris ? await getReviewNote(db, id) : null,
    sale: sale
      ? {
          sale_id: sale.sale.id,
          device_id: sale.sale.device_id,
          total: Number(sale.sale.total),
          cashier: sale.sale.cashier,
          client_created_at: Number(sale.sale.client_created_at),
          received_at: Number(sale.sale.received_at),
          lines: sale.lines.map((l) => ({
            name: l.name,
            sku: l.sku,
            qty: Number(l.qty),
            unit_price: Number(l.unit_price),
            line_total: Number(l.line_total),
          })),
        }
      : null,
    webhooks: webhooks.map(webhookSummary),
    history,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Review queue
// ---------------------------------------------------------------------------------------------------------

export async function reviewQueue(ctx: ServerContext, storeId: string): Promise<ReviewItem[]> {
  const { db } = ctx.database;
  const rows = await listReview(db, storeId, 500);
  const items: ReviewItem[] = [];
  for (const p of rows) {
    const reasons: ReviewItem['reasons'] = [];
    let paidAmount: number | null = null;
    if (p.status === 'needs_review') reasons.push('needs_review');
    if (Number(p.late) === 1) {
      // A paid whose amount differs from the payment's is flagged late too (payment-state.ts): tell them apart
      // by the amount the applied notification carried.
      paidAmount = await notifiedAmount(ctx, storeId, p);
      if (paidAmount !== null && paidAmount !== Number(p.amount)) reasons.push('amount_mismatch');
      else reasons.push('late');
    }
    items.push({ payment: paymentRowAsAdmin(p), reasons, paid_amount: paidAmount });
  }
  return items;
}

/** The amount the provider's applied `paid` notification for the payment carried, if one did. */
async function notifiedAmount(ctx: ServerContext, storeId: string, p: PaymentRow): Promise<number | null> {
  const id = ProviderIdSchema.safeParse(p.provider);
  if (!id.success || !ctx.router.has(id.data)) return null;
  const provider = ctx.router.provider(id.data);
  for (const w of await listPaymentWebhooks(ctx.database.db, storeId, p.id)) {
    if (w.outcome !== 'applied' || w.status !== 'paid') continue;
    const full = await getWebhook(ctx.database.db, storeId, Number(w.id));
    if (!full) continue;
    try {
      const parsed = provider.parseWebhook({ rawBody: full.raw_body, headers: {} });
      if (parsed.amount !== null) return parsed.amount;
    } catch {}
  }
  return null;
}

/** The source a manager's verification is counted under in kasir_payment_status_changes_total. */
const MANAGER_SOURCE = 'manager' as ChangeSource;

/**
 * `verify`: the manager has seen the money arrive. A payment under review becomes paid through the payment
 * core (so the tills hear of it like any other change); a late or mismatched paid one stays paid and leaves
 * the queue. Either way the note is kept on the payment and the action in the audit log, in one transaction.
 */
export async function resolveReview(
  ctx: ServerContext,
  manager: ManagerIdentity,
  paymentId: string,
  r: { action: 'verify'; note: string },
): Promise<AdminPayment> {
  return inTransaction(ctx, async (trx, published) => {
    // Store check first, then the row lock inside applyOrPark.
    const p = await getStorePayment(trx, manager.storeId, paymentId);
    if (!p) throw new HttpError('NOT_FOUND', 'no such payment');
    const inQueue = p.status === 'needs_review' || (Number(p.late) === 1 && p.reviewed_at === null);
    if (!inQueue) throw new HttpError('CONFLICT', `the payment is ${p.status} and not waiting for review`);
    const now = ctx.now();
    const before = p.status;
    let after = p.status;
    if (p.status === 'needs_review') {
      const applied = await applyOrPark(ctx, trx, p.id, { status: 'paid', source: MANAGER_SOURCE }, published);
      if (applied.outcome !== 'applied' || !applied.row) {
        throw new HttpError('CONFLICT', `the payment could not be marked paid (${applied.outcome})`);
      }
      after = applied.row.status;
    }
    await markReviewed(trx, p.id, { at: now, by: manager.id, note: r.note });
    await recordManagerAction(trx, manager, {
      action: 'payment.resolved',
      at: now,
      subjectType: 'payment',
      subjectId: p.id,
      detail: { resolution: r.action, note: r.note, from: before, status: after },
    });
    const row = await getAdminPayment(trx, manager.storeId, p.id);
    return adminPayment(row!);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Webhook log and replay
// ---------------------------------------------------------------------------------------------------------

export function webhookDetail(w: WebhookEventRow): WebhookDetail {
  let headers: Record<string, string> = {};
  try {
    const h = JSON.parse(w.headers) as Record<string, unknown>;
    headers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } catch {}
  const body = Buffer.from(w.raw_body);
  return {
    ...webhookSummary(w),
    event_key: w.event_key,
    headers,
    raw_body: body.toString('utf8'),
    raw_body_base64: body.toString('base64'),
    replayable: Number(w.verified) === 1,
  };
}

/**
 * The router as seen by a replay: the provider's verification is replaced by the stored verdict. A stored
 * delivery no longer has what proved it (Xendit's x-callback-token is never stored), and it was verified on
 * exactly these bytes when it arrived. Only verified rows are ever replayed, and this verdict is `true` for
 * nothing else, so an unverified body can never get in this way. Everything after verification — parsing,
 * confirming unsigned statuses with the provider, dedupe, the lattice — is the intake's own.
 */
function routerWithStoredVerdict(router: ProviderRouter, verified: boolean): ProviderRouter {
  return new Proxy(router, {
    get(target, key) {
      if (key === 'provider') {
        return (id: ProviderId): PaymentProvider => {
          const p = target.provider(id);
          return Object.assign(Object.create(p) as PaymentProvider, { verifyWebhook: () => verified });
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Replays a stored delivery. A verified one goes through the intake again (its dedupe decides: an event
 * already taken stays a duplicate; one refused for want of the provider's confirmation is confirmed again); a
 * parked one is re-tried in place through the payment core's drain. Never an unverified one (409).
 */
export async function replayWebhook(ctx: ServerContext, manager: ManagerIdentity, id: number): Promise<ReplayResponse> {
  const { db } = ctx.database;
  const w = await getWebhook(db, manager.storeId, id);
  if (!w) throw new HttpError('NOT_FOUND', 'no such webhook');
  const provider = ProviderIdSchema.safeParse(w.provider);
  if (Number(w.verified) !== 1 || !provider.success) {
    throw new HttpError('CONFLICT', 'an unverified delivery is never replayed');
  }
  const now = ctx.now();
  let outcome: string;
  let http: number;
  let message: string | null = null;
  let resultId = Number(w.id);

  if (w.outcome === 'parked') {
    // A parked event keeps its identity; ingesting it again would only find it a duplicate of itself.
    if (w.payment_id !== null) await applyParked(ctx, w.payment_id);
    const again = await getWebhook(db, manager.storeId, id);
    outcome = again?.outcome ?? w.outcome;
    http = 200;
  } else {
    const before = await maxWebhookId(db);
    const headers: RawWebhook['headers'] = {};
    for (const [k, v] of Object.entries(webhookDetail(w).headers)) if (k !== 'x-callback-token') headers[k] = v;
    const rawBody = Buffer.from(w.raw_body);
    const r = await ingestWebhook({ ...ctx, router: routerWithStoredVerdict(ctx.router, true) }, provider.data, {
      rawBody,
      headers,
    });
    outcome = r.outcome;
    http = r.http;
    message = r.message ?? null;
    const stored = await findReplayRow(db, provider.data, rawBody, before);
    if (stored !== undefined) {
      await setReplayOf(db, stored, Number(w.id));
      resultId = stored;
    }
  }

  await recordManagerAction(db, manager, {
    action: 'webhook.replayed',
    at: now,
    subjectType: 'webhook',
    subjectId: String(w.id),
    detail: { outcome, http_status: http, result_event: resultId, payment_id: w.payment_id },
  });
  const result = await getWebhook(db, manager.storeId, resultId);
  // The new row names the same payment, so it is of this store too.
  return {
    replay_of: Number(w.id),
    event: webhookSummary(result ?? w),
    outcome,
    http_status: http,
    message,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Provider health and charts
// ---------------------------------------------------------------------------------------------------------

export function providersHealth(ctx: ServerContext): ProviderHealth[] {
  return ctx.router.recent().map((p) => ({
    provider: p.provider,
    mode: p.mode,
    breaker: p.breaker,
    breaker_failures: p.failures,
    recent: p.stats,
  }));
}

export async function charts(ctx: ServerContext, storeId: string, from: number, to: number): Promise<ChartBucket[]> {
  const { db } = ctx.database;
  const [qris, cash] = await Promise.all([qrisPerHour(db, storeId, from, to), cashPerHour(db, storeId, from, to)]);
  const byHour = new Map<number, ChartBucket>();
  const bucket = (hour: number): ChartBucket => {
    let b = byHour.get(hour);
    if (!b) {
      b = {
        hour,
        count: 0,
        amount: 0,
        paid_count: 0,
        paid_amount: 0,
        failed_count: 0,
        success_rate: null,
        cash_count: 0,
        cash_amount: 0,
      };
      byHour.set(hour, b);
    }
    return b;
  };
  for (const q of qris) {
    const b = bucket(q.hour);
    b.count = q.count;
    b.amount = q.amount;
    b.paid_count = q.paid_count;
    b.paid_amount = q.paid_amount;
    b.failed_count = q.failed_count;
    const ended = q.paid_count + q.failed_count;
    b.success_rate = ended === 0 ? null : q.paid_count / ended;
  }
  for (const c of cash) {
    const b = bucket(c.hour);
    b.cash_count = c.count;
    b.cash_amount = c.amount;
  }
  return [...byHour.values()].sort((a, b) => a.hour - b.hour);
}
