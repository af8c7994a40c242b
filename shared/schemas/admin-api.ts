/**
 * The manager dashboard ⇄ sync-server contract (`/admin/api/...`). Wire names are snake_case; money is whole
 * rupiah; times are UTC epoch milliseconds. The server parses every request with these schemas and answers with
 * the response shapes below; errors are `{error: {code, message}}` (ApiErrorSchema in sync-api.ts).
 *
 * Auth: `POST /admin/api/login` sets an HttpOnly session cookie (Path=/admin). Every mutating request (POST)
 * other than login must carry the header `x-csrf-token` with the token from `GET /admin/api/me` (or from the
 * login answer). A device Bearer token opens nothing here. A manager sees only their own store: another
 * store's ids answer 404.
 *
 * Changes to this file are additive only (new optional fields, new endpoints, new enum members).
 */
import { z } from 'zod';
import { PAYMENT_STATUSES } from '../payment-status.ts';
import { BreakerStateSchema, PaymentViewSchema, ReconciliationReportSchema } from './sync-api.ts';

export const ADMIN_API_PREFIX = '/admin/api';
export const CSRF_HEADER = 'x-csrf-token';
/** The session cookie's name (HttpOnly; the page never reads it). */
export const SESSION_COOKIE = 'kq_admin';

const EpochMs = z.coerce.number().int().min(0).max(8_640_000_000_000_000);
const Int = z.number().int();
const Rp = z.number().int();
/** An opaque pagination cursor: pass `next_cursor` back as `cursor` to read the next page. */
const CursorSchema = z.string().min(1).max(200);
const LimitSchema = z.coerce.number().int().min(1).max(200).default(50);
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export const AdminPaymentStatusSchema = z.enum(PAYMENT_STATUSES);

// ---------------------------------------------------------------------------------------------------------
// Auth: POST /admin/api/login, POST /admin/api/logout, GET /admin/api/me
// ---------------------------------------------------------------------------------------------------------

export const MIN_MANAGER_PASSWORD = 10;

export const LoginRequestSchema = z.strictObject({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
  /** Needed only when the same email manages more than one store on this server. */
  store: z.string().min(1).max(64).optional(),
});
export type LoginRequest = z.input<typeof LoginRequestSchema>;

export const ManagerSchema = z.object({
  id: z.string(),
  email: z.string(),
  store_id: z.string(),
  store_name: z.string(),
});
export type Manager = z.infer<typeof ManagerSchema>;

/** Answer of login and of GET /admin/api/me. */
export const MeResponseSchema = z.object({
  manager: ManagerSchema,
  /** Send as the `x-csrf-token` header on every POST. */
  csrf_token: z.string(),
  /** When the session ends unless renewed by a new login. */
  expires_at: Int,
  server_time: Int,
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const OkResponseSchema = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof OkResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Tills: GET /admin/api/tills
// ---------------------------------------------------------------------------------------------------------

/**
 * `synced`: the till's last report left nothing waiting. `lagging`: it still held unsynced items (it stays
 * lagging, with its lag growing, until a push says otherwise — a till that went quiet with items is not
 * synced). `never_synced`: it has not reported its queue yet.
 */
export const TillStateSchema = z.enum(['synced', 'lagging', 'never_synced']);

export const TillViewSchema = z.object({
  device_id: z.string(),
  name: z.string(),
  revoked: z.boolean(),
  /** Last authenticated request of any kind (push, pull, live socket, payment). */
  last_seen_at: Int.nullable(),
  last_push_at: Int.nullable(),
  last_mutation_id: Int,
  state: TillStateSchema,
  /** now − the oldest item the till still held at its last report (server clock); 0 when synced; null: unknown. */
  sync_lag_ms: Int.nullable(),
  /** Outbox entries still waiting at the last report. */
  queue_depth: Int.nullable(),
  /** Entries the server refused, parked on the till for the manager. */
  parked: Int.nullable(),
  /** When the oldest waiting entry was made, converted to the server's clock. */
  oldest_unsynced_at: Int.nullable(),
  /** Offline QRIS money the till has taken and not seen verified, as the till reported it. */
  unverified_amount: Rp.nullable(),
  /** Server's receive time − the till's send time at the last push. */
  clock_skew_ms: Int.nullable(),
  /** When the till last reported its queue. */
  reported_at: Int.nullable(),
});
export type TillView = z.infer<typeof TillViewSchema>;

export const TillsResponseSchema = z.object({ server_time: Int, tills: z.array(TillViewSchema) });
export type TillsResponse = z.infer<typeof TillsResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Payments: GET /admin/api/payments, GET /admin/api/payments/:id
// ---------------------------------------------------------------------------------------------------------

export const PAYMENT_METHODS = ['qris', 'offline_qris', 'cash'] as const;
export const PaymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof PaymentMethodSchema>;

export const PaymentsQuerySchema = z.strictObject({
  status: AdminPaymentStatusSchema.optional(),
  provider: z.enum(['xendit', 'midtrans']).optional(),
  method: PaymentMethodSchema.optional(),
  /** created_at ≥ from (epoch ms). */
  from: EpochMs.optional(),
  /** created_at < to (epoch ms). */
  to: EpochMs.optional(),
  /** Prefix of a payment id, sale id, provider reference or offline reference. */
  q: z.string().trim().min(1).max(100).optional(),
  device: z.string().min(1).max(64).optional(),
  cursor: CursorSchema.optional(),
  limit: LimitSchema,
});
export type PaymentsQuery = z.input<typeof PaymentsQuerySchema>;

export const AdminPaymentSchema = z.object({
  payment_id: z.string(),
  sale_id: z.string(),
  device_id: z.string(),
  method: PaymentMethodSchema,
  /** null for cash. */
  provider: z.string().nullable(),
  provider_ref: z.string().nullable(),
  offline_ref: z.string().nullable(),
  amount: Rp,
  status: AdminPaymentStatusSchema,
  late: z.boolean(),
  refunded_amount: Rp,
  payer_wallet: z.string().nullable(),
  created_at: Int,
  paid_at: Int.nullable(),
  updated_at: Int,
  /** Set when a manager resolved it from the review queue. */
  reviewed_at: Int.nullable(),
});
export type AdminPayment = z.infer<typeof AdminPaymentSchema>;

export const PaymentsPageSchema = page(AdminPaymentSchema);
export type PaymentsPage = z.infer<typeof PaymentsPageSchema>;

export const WebhookSummarySchema = z.object({
  id: Int,
  provider: z.string(),
  received_at: Int,
  verified: z.boolean(),
  /** received | applied | duplicate | ignored | parked | rejected | invalid | error */
  outcome: z.string(),
  detail: z.string().nullable(),
  payment_id: z.string().nullable(),
  provider_ref: z.string().nullable(),
  status: z.string().nullable(),
  processed_at: Int.nullable(),
  /** The stored event this one is a manager's replay of, when it is one. */
  replay_of: Int.nullable(),
});
export type WebhookSummary = z.infer<typeof WebhookSummarySchema>;

/** One line of a payment's history, oldest first: its status events for the tills and the audit log. */
export const HistoryEntrySchema = z.object({
  at: Int,
  source: z.enum(['sync_event', 'audit']),
  /** Status of the payment after this entry, when it carries one. */
  status: AdminPaymentStatusSchema.nullable(),
  actor_kind: z.string().nullable(),
  actor_id: z.string().nullable(),
  action: z.string(),
  detail: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const SaleSummarySchema = z.object({
  sale_id: z.string(),
  device_id: z.string(),
  total: Rp,
  cashier: z.string().nullable(),
  client_created_at: Int,
  received_at: Int,
  lines: z.array(z.object({ name: z.string(), sku: z.string(), qty: Int, unit_price: Rp, line_total: Rp })),
});

export const PaymentDetailSchema = z.object({
  payment: AdminPaymentSchema,
  /** The till's view (QRIS payments only). */
  view: PaymentViewSchema.nullable(),
  review_note: z.string().nullable(),
  sale: SaleSummarySchema.nullable(),
  webhooks: z.array(WebhookSummarySchema),
  history: z.array(HistoryEntrySchema),
});
export type PaymentDetail = z.infer<typeof PaymentDetailSchema>;

// ---------------------------------------------------------------------------------------------------------
// Review queue: GET /admin/api/review, POST /admin/api/review/:id/resolve
// ---------------------------------------------------------------------------------------------------------

/**
 * `needs_review`: an offline QRIS payment nobody could verify. `late`: paid after it had expired or been
 * cancelled, or paid with an amount other than the payment's (the money is in; a manager decides).
 */
export const ReviewReasonSchema = z.enum(['needs_review', 'late', 'amount_mismatch']);

export const ReviewItemSchema = z.object({
  payment: AdminPaymentSchema,
  reasons: z.array(ReviewReasonSchema),
  /** The amount a provider notification said was paid, when it differs from the payment's. */
  paid_amount: Rp.nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ReviewResponseSchema = z.object({ items: z.array(ReviewItemSchema) });
export type ReviewResponse = z.infer<typeof ReviewResponseSchema>;

export const ResolveRequestSchema = z.strictObject({
  /** `verify`: the manager saw the money arrive; the payment becomes (or stays) paid and leaves the queue. */
  action: z.enum(['verify']),
  note: z.string().trim().min(1).max(500),
});
export type ResolveRequest = z.input<typeof ResolveRequestSchema>;

export const ResolveResponseSchema = z.object({ payment: AdminPaymentSchema });
export type ResolveResponse = z.infer<typeof ResolveResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Webhook log: GET /admin/api/webhooks, GET /admin/api/webhooks/:id, POST /admin/api/webhooks/:id/replay
// ---------------------------------------------------------------------------------------------------------

export const WebhooksQuerySchema = z.strictObject({
  provider: z.enum(['xendit', 'midtrans']).optional(),
  outcome: z.string().min(1).max(20).optional(),
  verified: z.enum(['true', 'false']).optional(),
  payment_id: z.string().min(1).max(64).optional(),
  from: EpochMs.optional(),
  to: EpochMs.optional(),
  cursor: CursorSchema.optional(),
  limit: LimitSchema,
});
export type WebhooksQuery = z.input<typeof WebhooksQuerySchema>;

export const WebhooksPageSchema = page(WebhookSummarySchema);
export type WebhooksPage = z.infer<typeof WebhooksPageSchema>;

export const WebhookDetailSchema = WebhookSummarySchema.extend({
  event_key: z.string().nullable(),
  /** The header snapshot stored at receipt (secrets such as the callback token are never stored). */
  headers: z.record(z.string(), z.string()),
  /** The raw body as UTF-8 text (invalid bytes shown as U+FFFD); exact bytes in raw_body_base64. */
  raw_body: z.string(),
  raw_body_base64: z.string(),
  /** Whether a replay may be attempted (only verified deliveries can be replayed). */
  replayable: z.boolean(),
});
export type WebhookDetail = z.infer<typeof WebhookDetailSchema>;

export const ReplayResponseSchema = z.object({
  /** The stored event that was replayed. */
  replay_of: Int,
  /**
   * The stored event that now carries the replay's result: the new row the replay stored, or — when the replay
   * stored nothing new (a duplicate of an event already taken, or a parked event re-tried in place) — the
   * original, as it now stands.
   */
  event: WebhookSummarySchema,
  /** What the replay did: applied | duplicate | ignored | parked | rejected | invalid | unconfirmed. */
  outcome: z.string(),
  /** The HTTP status the provider would have been answered with. */
  http_status: Int,
  message: z.string().nullable(),
});
export type ReplayResponse = z.infer<typeof ReplayResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Provider health: GET /admin/api/providers/health
// ---------------------------------------------------------------------------------------------------------

export const ProviderHealthSchema = z.object({
  provider: z.string(),
  mode: z.enum(['sandbox', 'live']),
  breaker: BreakerStateSchema,
  /** Failures counted by the breaker since start. */
  breaker_failures: Int,
  /** Over the recent calls kept in memory (all operations). */
  recent: z.object({
    calls: Int,
    ok: Int,
    /** ok / calls, 0..1; null with no calls. */
    success_rate: z.number().nullable(),
    p50_ms: z.number().nullable(),
    p95_ms: z.number().nullable(),
    p99_ms: z.number().nullable(),
    since: Int.nullable(),
  }),
});
export type ProviderHealth = z.infer<typeof ProviderHealthSchema>;

export const ProvidersHealthResponseSchema = z.object({ server_time: Int, providers: z.array(ProviderHealthSchema) });
export type ProvidersHealthResponse = z.infer<typeof ProvidersHealthResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Charts: GET /admin/api/charts?from&to
// ---------------------------------------------------------------------------------------------------------

export const MAX_CHART_RANGE_MS = 31 * 24 * 3_600_000;

export const ChartsQuerySchema = z
  .strictObject({ from: EpochMs, to: EpochMs })
  .refine((q) => q.to > q.from, { error: 'to must be after from' })
  .refine((q) => q.to - q.from <= MAX_CHART_RANGE_MS, { error: 'at most 31 days' });
export type ChartsQuery = z.input<typeof ChartsQuerySchema>;

export const ChartBucketSchema = z.object({
  /** Start of the hour (UTC epoch ms; WIB hours start at the same instants). */
  hour: Int,
  /** QRIS payments (online and offline) created in the hour, and their amount. */
  count: Int,
  amount: Rp,
  /** Of those, how many took money in (paid, refunded, partially refunded), and their amount. */
  paid_count: Int,
  paid_amount: Rp,
  /** Of those, how many ended without money (expired, cancelled, failed). */
  failed_count: Int,
  /** paid / (paid + failed); null when none of them has ended yet. */
  success_rate: z.number().nullable(),
  /** Cash payments in the hour. */
  cash_count: Int,
  cash_amount: Rp,
});
export type ChartBucket = z.infer<typeof ChartBucketSchema>;

/** Only hours with at least one payment are listed, in order. */
export const ChartsResponseSchema = z.object({ from: Int, to: Int, buckets: z.array(ChartBucketSchema) });
export type ChartsResponse = z.infer<typeof ChartsResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// Reconciliation: GET /admin/api/reconciliation?date[&format=csv] (the manager's own store)
// ---------------------------------------------------------------------------------------------------------

export const AdminReconciliationQuerySchema = z.strictObject({
  /** A calendar day in WIB (UTC+7). */
  date: z.iso.date(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type AdminReconciliationQuery = z.input<typeof AdminReconciliationQuerySchema>;
export { ReconciliationReportSchema };

// ---------------------------------------------------------------------------------------------------------
// Audit log: GET /admin/api/audit
// ---------------------------------------------------------------------------------------------------------

export const ACTOR_KINDS = ['manager', 'device', 'provider', 'sweeper', 'system'] as const;
export const ActorKindSchema = z.enum(ACTOR_KINDS);
export type ActorKind = z.infer<typeof ActorKindSchema>;

export const AuditQuerySchema = z.strictObject({
  action: z.string().min(1).max(64).optional(),
  subject_type: z.string().min(1).max(32).optional(),
  subject_id: z.string().min(1).max(128).optional(),
  cursor: CursorSchema.optional(),
  limit: LimitSchema,
});
export type AuditQuery = z.input<typeof AuditQuerySchema>;

export const AuditEntrySchema = z.object({
  id: Int,
  at: Int,
  actor_kind: ActorKindSchema,
  actor_id: z.string().nullable(),
  /** e.g. manager.login, manager.login_failed, manager.logout, payment.resolved, webhook.replayed */
  action: z.string(),
  subject_type: z.string().nullable(),
  subject_id: z.string().nullable(),
  /** JSON object, as stored. */
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditPageSchema = page(AuditEntrySchema);
export type AuditPage = z.infer<typeof AuditPageSchema>;

/** Every endpoint of this API, for the client and for tests. */
export const ADMIN_ENDPOINTS = {
  login: 'POST /admin/api/login',
  logout: 'POST /admin/api/logout',
  me: 'GET /admin/api/me',
  tills: 'GET /admin/api/tills',
  payments: 'GET /admin/api/payments',
  payment: 'GET /admin/api/payments/:id',
  review: 'GET /admin/api/review',
  resolve: 'POST /admin/api/review/:id/resolve',
  webhooks: 'GET /admin/api/webhooks',
  webhook: 'GET /admin/api/webhooks/:id',
  replay: 'POST /admin/api/webhooks/:id/replay',
  providersHealth: 'GET /admin/api/providers/health',
  charts: 'GET /admin/api/charts',
  reconciliation: 'GET /admin/api/reconciliation',
  audit: 'GET /admin/api/audit',
} as const;
