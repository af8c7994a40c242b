/**
 * The manager dashboard's reads (and the few writes that are not status changes). Every query takes the
 * manager's store and filters by it: a row of another store is never returned, so the caller answers 404.
 */
import '../db/schema-admin.ts';
import '../db/schema-sync.ts';
import { type Expression, type SqlBool, sql } from 'kysely';
import type { PaymentMethod } from '../../../shared/schemas/admin-api.ts';
import type { ClientState } from '../../../shared/schemas/sync-api.ts';
import type { PaymentRow, WebhookEventRow } from '../db/schema.ts';
import type { Executor } from './executor.ts';

// ---------------------------------------------------------------------------------------------------------
// Tills
// ---------------------------------------------------------------------------------------------------------

/** What a push says about the till's queue (client_state), its times moved to the server's clock. */
export async function recordClientState(
  db: Executor,
  deviceId: string,
  s: ClientState,
  at: number,
  skewMs: number,
): Promise<void> {
  await db
    .updateTable('device_sync')
    .set({
      queue_depth: s.queue_depth,
      parked: s.parked,
      oldest_unsynced_at: s.oldest_unsynced_at === null ? null : s.oldest_unsynced_at + skewMs,
      unverified_amount: s.unverified_amount,
      state_reported_at: at,
    })
    .where('device_id', '=', deviceId)
    .execute();
}

export type TillRow = {
  id: string;
  store_id: string;
  name: string;
  revoked_at: number | null;
  last_seen_at: number | null;
  last_mutation_id: number | null;
  last_push_at: number | null;
  clock_skew_ms: number | null;
  queue_depth: number | null;
  parked: number | null;
  oldest_unsynced_at: number | null;
  unverified_amount: number | null;
  state_reported_at: number | null;
};

function tillsQuery(db: Executor) {
  return db
    .selectFrom('devices as d')
    .leftJoin('device_sync as s', 's.device_id', 'd.id')
    .select([
      'd.id',
      'd.store_id',
      'd.name',
      'd.revoked_at',
      'd.last_seen_at',
      's.last_mutation_id',
      's.last_push_at',
      's.clock_skew_ms',
      's.queue_depth',
      's.parked',
      's.oldest_unsynced_at',
      's.unverified_amount',
      's.state_reported_at',
    ]);
}

export async function listTills(db: Executor, storeId: string): Promise<TillRow[]> {
  return tillsQuery(db).where('d.store_id', '=', storeId).orderBy('d.name').orderBy('d.id').execute();
}

/** Every enrolled (not revoked) till, for the per-till Prometheus gauges. */
export async function listActiveTills(db: Executor): Promise<TillRow[]> {
  return tillsQuery(db).where('d.revoked_at', 'is', null).execute();
}

// ---------------------------------------------------------------------------------------------------------
// Payments (QRIS, online and offline, from `payments`; cash from `cash_payments`)
// ---------------------------------------------------------------------------------------------------------

export type AdminPaymentRow = {
  id: string;
  sale_id: string;
  device_id: string;
  method: PaymentMethod;
  provider: string | null;
  provider_ref: string | null;
  offline_ref: string | null;
  amount: number;
  status: string;
  late: number;
  refunded_amount: number;
  payer_wallet: string | null;
  created_at: number;
  paid_at: number | null;
  updated_at: number;
  reviewed_at: number | null;
};

/** Both kinds of payment as one relation of the same columns. */
function allPayments(db: Executor, storeId: string) {
  const qris = db
    .selectFrom('payments')
    .select([
      'id',
      'sale_id',
      'device_id',
      sql<PaymentMethod>`case when offline_ref is null then 'qris' else 'offline_qris' end`.as('method'),
      sql<string | null>`provider`.as('provider'),
      'provider_ref',
      'offline_ref',
      'amount',
      'status',
      'late',
      'refunded_amount',
      'payer_wallet',
      'created_at',
      'paid_at',
      'updated_at',
      'reviewed_at',
    ])
    .where('store_id', '=', storeId);
  const cash = db
    .selectFrom('cash_payments')
    .select([
      'id',
      'sale_id',
      'device_id',
      sql<PaymentMethod>`'cash'`.as('method'),
      sql<string | null>`null`.as('provider'),
      sql<string | null>`null`.as('provider_ref'),
      sql<string | null>`null`.as('offline_ref'),
      'amount',
      sql<string>`'paid'`.as('status'),
      sql<number>`0`.as('late'),
      sql<number>`0`.as('refunded_amount'),
      sql<string | null>`null`.as('payer_wallet'),
      'client_created_at as created_at',
      sql<number | null>`client_paid_at`.as('paid_at'),
      'received_at as updated_at',
      sql<number | null>`null`.as('reviewed_at'),
    ])
    .where('store_id', '=', storeId);
  return db.selectFrom(qris.unionAll(cash).as('u'));
}

const likePrefix = (s: string) => `${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type PaymentFilter = {
  status?: string;
  provider?: string;
  method?: PaymentMethod;
  from?: number;
  to?: number;
  q?: string;
  device?: string;
  /** Keyset: rows strictly after this (created_at, id) in newest-first order. */
  after?: { createdAt: number; id: string };
  limit: number;
};

export async function listPayments(db: Executor, storeId: string, f: PaymentFilter): Promise<AdminPaymentRow[]> {
  let q = allPayments(db, storeId).selectAll();
  if (f.status) q = q.where('u.status', '=', f.status);
  if (f.provider) q = q.where('u.provider', '=', f.provider);
  if (f.method) q = q.where('u.method', '=', f.method);
  if (f.device) q = q.where('u.device_id', '=', f.device);
  if (f.from !== undefined) q = q.where('u.created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('u.created_at', '<', f.to);
  if (f.q) {
    const p = likePrefix(f.q);
    const like = (col: 'u.id' | 'u.sale_id' | 'u.provider_ref' | 'u.offline_ref'): Expression<SqlBool> =>
      sql<SqlBool>`lower(${sql.ref(col)}) like ${p} escape '\\'`;
    q = q.where((eb) => eb.or([like('u.id'), like('u.sale_id'), like('u.provider_ref'), like('u.offline_ref')]));
  }
  if (f.after) {
    const { createdAt, id } = f.after;
    q = q.where((eb) =>
      eb.or([eb('u.created_at', '<', createdAt), eb.and([eb('u.created_at', '=', createdAt), eb('u.id', '<', id)])]),
    );
  }
  const rows = await q.orderBy('u.created_at', 'desc').orderBy('u.id', 'desc').limit(f.limit).execute();
  return rows.map(numeric);
}

export async function getAdminPayment(db: Executor, storeId: string, id: string): Promise<AdminPaymentRow | undefined> {
  const r = await allPayments(db, storeId).selectAll().where('u.id', '=', id).executeTakeFirst();
  return r ? numeric(r) : undefined;
}

function numeric<T extends AdminPaymentRow>(r: T): AdminPaymentRow {
  return {
    ...r,
    amount: Number(r.amount),
    late: Number(r.late),
    refunded_amount: Number(r.refunded_amount),
    created_at: Number(r.created_at),
    paid_at: r.paid_at === null ? null : Number(r.paid_at),
    updated_at: Number(r.updated_at),
    reviewed_at: r.reviewed_at === null ? null : Number(r.reviewed_at),
  };
}

/** The QRIS payment row itself, of this store only. */
export async function getStorePayment(db: Executor, storeId: string, id: string): Promise<PaymentRow | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', id).where('store_id', '=', storeId).executeTakeFirst();
}

export async function getReviewNote(db: Executor, id: string): Promise<string | null> {
  const r = await db.selectFrom('payments').select('review_note').where('id', '=', id).executeTakeFirst();
  return r?.review_note ?? null;
}

export async function getSaleWithLines(db: Executor, storeId: string, saleId: string) {
  const sale = await db
    .selectFrom('sales')
    .select(['id', 'device_id', 'total', 'cashier', 'client_created_at', 'received_at'])
    .where('id', '=', saleId)
    .where('store_id', '=', storeId)
    .executeTakeFirst();
  if (!sale) return undefined;
  const lines = await db
    .selectFrom('sale_lines')
    .select(['name', 'sku', 'qty', 'unit_price', 'line_total'])
    .where('sale_id', '=', saleId)
    .orderBy('line_no')
    .execute();
  return { sale, lines };
}

/**
 * The `payment.updated` events the tills were sent for one payment, oldest first. The payload is the payment
 * view, which begins with its id (payment-state.ts `toView`), so a prefix match finds them.
 */
export async function listPaymentEvents(
  db: Executor,
  storeId: string,
  paymentId: string,
): Promise<{ created_at: number; payload: string }[]> {
  const rows = await db
    .selectFrom('sync_events')
    .select(['seq', 'created_at', 'payload'])
    .where('store_id', '=', storeId)
    .where('type', '=', 'payment.updated')
    .where('payload', 'like', `{"payment_id":"${paymentId.replace(/[\\%_"]/g, '')}"%`)
    .orderBy('seq')
    .limit(200)
    .execute();
  return rows.map((r) => ({ created_at: Number(r.created_at), payload: r.payload }));
}

/**
 * The review queue: offline payments nobody could verify, and payments paid late or with another amount that
 * no manager has resolved yet.
 */
export async function listReview(db: Executor, storeId: string, limit: number): Promise<PaymentRow[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('store_id', '=', storeId)
    .where((eb) =>
      eb.or([eb('status', '=', 'needs_review'), eb.and([eb('late', '=', 1), eb('reviewed_at', 'is', null)])]),
    )
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Records a manager's resolution (not a status change: that goes through payment-state's applyOrPark). */
export async function markReviewed(
  db: Executor,
  id: string,
  r: { at: number; by: string; note: string },
): Promise<void> {
  await db
    .updateTable('payments')
    .set({ reviewed_at: r.at, reviewed_by: r.by, review_note: r.note })
    .where('id', '=', id)
    .execute();
}

// ---------------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------------

export type WebhookSummaryRow = Omit<WebhookEventRow, 'raw_body' | 'headers' | 'event_key'>;

/**
 * A delivery belongs to a store when it names one of the store's payments, or the store's static QR. Rejected
 * deliveries name nothing (they were never trusted) and are seen by the operator only, in /metrics and logs.
 */
function storeWebhooks(db: Executor, storeId: string) {
  return db
    .selectFrom('webhook_events as w')
    .where((eb) =>
      eb.or([
        eb(
          'w.payment_id',
          'in',
          eb.selectFrom('payments').select('payments.id').where('payments.store_id', '=', storeId),
        ),
        eb.exists(
          eb
            .selectFrom('stores as st')
            .select('st.id')
            .where('st.id', '=', storeId)
            .whereRef('st.static_provider', '=', 'w.provider')
            .whereRef('st.static_ref', '=', 'w.provider_ref'),
        ),
      ]),
    );
}

const SUMMARY = [
  'w.id',
  'w.provider',
  'w.received_at',
  'w.verified',
  'w.outcome',
  'w.detail',
  'w.payment_id',
  'w.provider_ref',
  'w.status',
  'w.processed_at',
  'w.replay_of',
] as const;

export type WebhookFilter = {
  provider?: string;
  outcome?: string;
  verified?: boolean;
  paymentId?: string;
  from?: number;
  to?: number;
  beforeId?: number;
  limit: number;
};

export async function listWebhooks(db: Executor, storeId: string, f: WebhookFilter): Promise<WebhookSummaryRow[]> {
  let q = storeWebhooks(db, storeId).select(SUMMARY);
  if (f.provider) q = q.where('w.provider', '=', f.provider);
  if (f.outcome) q = q.where('w.outcome', '=', f.outcome);
  if (f.verified !== undefined) q = q.where('w.verified', '=', f.verified ? 1 : 0);
  if (f.paymentId) q = q.where('w.payment_id', '=', f.paymentId);
  if (f.from !== undefined) q = q.where('w.received_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('w.received_at', '<', f.to);
  if (f.beforeId !== undefined) q = q.where('w.id', '<', f.beforeId);
  return q.orderBy('w.id', 'desc').limit(f.limit).execute();
}

export async function getWebhook(db: Executor, storeId: string, id: number): Promise<WebhookEventRow | undefined> {
  return storeWebhooks(db, storeId).selectAll('w').where('w.id', '=', id).executeTakeFirst();
}

/** The deliveries about one payment, oldest first. */
export async function listPaymentWebhooks(
  db: Executor,
  storeId: string,
  paymentId: string,
): Promise<WebhookSummaryRow[]> {
  return storeWebhooks(db, storeId)
    .select(SUMMARY)
    .where('w.payment_id', '=', paymentId)
    .orderBy('w.id')
    .limit(200)
    .execute();
}

/**
 * The row a replay stored: the newest row after `afterId` with exactly these bytes from this provider. A
 * concurrent delivery of the very same bytes would itself be a duplicate of the replayed event.
 */
export async function findReplayRow(
  db: Executor,
  provider: string,
  rawBody: Buffer,
  afterId: number,
): Promise<number | undefined> {
  const r = await db
    .selectFrom('webhook_events')
    .select('id')
    .where('provider', '=', provider)
    .where('id', '>', afterId)
    .where('raw_body', '=', rawBody)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return r?.id;
}

export async function maxWebhookId(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('webhook_events')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  return Number(r?.m ?? 0);
}

export async function setReplayOf(db: Executor, id: number, replayOf: number): Promise<void> {
  await db.updateTable('webhook_events').set({ replay_of: replayOf }).where('id', '=', id).execute();
}

// ---------------------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------------------

export type HourRow = {
  hour: number;
  count: number;
  amount: number;
  paid_count: number;
  paid_amount: number;
  failed_count: number;
};

const HOUR_MS = 3_600_000;

/**
 * QRIS payments per hour of creation in [from, to). Integer division of epoch ms by an hour is the same on
 * SQLite and PostgreSQL (both bigint), and sums are cast back from PostgreSQL's numeric.
 */
export async function qrisPerHour(db: Executor, storeId: string, from: number, to: number): Promise<HourRow[]> {
  const hour = sql<number>`(created_at / ${sql.lit(HOUR_MS)}) * ${sql.lit(HOUR_MS)}`;
  const moneyIn = sql`status in ('paid', 'refunded', 'partially_refunded')`;
  const ended = sql`status in ('expired', 'cancelled', 'failed')`;
  const rows = await db
    .selectFrom('payments')
    .select([
      hour.as('hour'),
      sql<number>`count(*)`.as('count'),
      sql<number>`sum(amount)`.as('amount'),
      sql<number>`sum(case when ${moneyIn} then 1 else 0 end)`.as('paid_count'),
      sql<number>`sum(case when ${moneyIn} then amount else 0 end)`.as('paid_amount'),
      sql<number>`sum(case when ${ended} then 1 else 0 end)`.as('failed_count'),
    ])
    .where('store_id', '=', storeId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy(hour)
    .orderBy(hour)
    .execute();
  return rows.map((r) => ({
    hour: Number(r.hour),
    count: Number(r.count),
    amount: Number(r.amount),
    paid_count: Number(r.paid_count),
    paid_amount: Number(r.paid_amount),
    failed_count: Number(r.failed_count),
  }));
}

export async function cashPerHour(
  db: Executor,
  storeId: string,
  from: number,
  to: number,
): Promise<{ hour: number; count: number; amount: number }[]> {
  const hour = sql<number>`(client_created_at / ${sql.lit(HOUR_MS)}) * ${sql.lit(HOUR_MS)}`;
  const rows = await db
    .selectFrom('cash_payments')
    .select([hour.as('hour'), sql<number>`count(*)`.as('count'), sql<number>`sum(amount)`.as('amount')])
    .where('store_id', '=', storeId)
    .where('client_created_at', '>=', from)
    .where('client_created_at', '<', to)
    .groupBy(hour)
    .orderBy(hour)
    .execute();
  return rows.map((r) => ({ hour: Number(r.hour), count: Number(r.count), amount: Number(r.amount) }));
}
