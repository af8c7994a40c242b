/**
 * The till ⇄ sync-server contract (HTTP API v1, ../shared/DESIGN.md). Wire names are snake_case; money is whole
 * rupiah; times are UTC epoch milliseconds. Both sides parse with these schemas, so a change here is a change
 * of the contract.
 */
import { z } from 'zod';
import { QRIS_MAX_AMOUNT, QRIS_MIN_AMOUNT, type Rupiah } from '../money.ts';
import { PAYMENT_STATUSES } from '../payment-status.ts';
import { ShiftReportRequestSchema } from './shifts.ts';

export const PROVIDER_IDS = ['xendit', 'midtrans'] as const;
export const ProviderIdSchema = z.enum(PROVIDER_IDS);
export type ProviderId = z.infer<typeof ProviderIdSchema>;

export const PaymentStatusSchema = z.enum(PAYMENT_STATUSES);

export const QrisAmountSchema = z
  .number({ error: 'amount must be a number of whole rupiah' })
  .int({ error: 'amount must be whole rupiah' })
  .min(QRIS_MIN_AMOUNT, { error: 'QRIS amount must be at least Rp 1' })
  .max(QRIS_MAX_AMOUNT, { error: 'QRIS amount must be at most Rp 10.000.000' })
  .transform((n) => n as Rupiah);

export const IdSchema = z.uuid({ error: 'must be a UUID' });

export const CreatePaymentRequestSchema = z.strictObject({
  payment_id: IdSchema,
  sale_id: IdSchema,
  amount: QrisAmountSchema,
  provider: ProviderIdSchema.optional(),
});
export type CreatePaymentRequest = z.input<typeof CreatePaymentRequestSchema>;

export const PaymentViewSchema = z.object({
  payment_id: IdSchema,
  sale_id: IdSchema,
  store_id: z.string(),
  device_id: z.string(),
  amount: z.number().int(),
  status: PaymentStatusSchema,
  /** A `paid` that arrived after the payment had expired or been cancelled: money in, manager to review. */
  late: z.boolean(),
  provider: ProviderIdSchema,
  provider_ref: z.string().nullable(),
  qr_string: z.string().nullable(),
  expires_at: z.number().int().nullable(),
  paid_at: z.number().int().nullable(),
  refunded_amount: z.number().int(),
  /** The wallet or bank app that paid, when the provider says (e.g. Xendit's payment_detail.source). */
  payer_wallet: z.string().max(60).nullable().optional(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type PaymentView = z.infer<typeof PaymentViewSchema>;

export const ApiErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

/** Error codes the server answers with; each has one HTTP status (sync-server/src/http-errors.ts). */
export const API_ERROR_CODES = [
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'ALREADY_PAID',
  'PAYLOAD_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_SIGNATURE',
  'NOT_SUPPORTED',
  'PROVIDER_REJECTED',
  'PROVIDER_UNAVAILABLE',
  'RATE_LIMITED',
  'INTERNAL',
  /** Push: the batch starts after a mutation the server never received; resend from `last_mutation_id + 1`. */
  'MUTATION_GAP',
  /** A manager's session is needed (refunds and other manager actions); a till's token never is one. */
  'MANAGER_REQUIRED',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const BreakerStateSchema = z.enum(['closed', 'open', 'half_open']);
export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['sqlite', 'postgres']),
  server_time: z.number().int(),
  providers: z.record(
    z.string(),
    z.object({ mode: z.enum(['sandbox', 'live']), breaker: BreakerStateSchema, failures: z.number().int() }),
  ),
});
export type Health = z.infer<typeof HealthSchema>;

export const PullQuerySchema = z.strictObject({
  cursor: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

// ---------------------------------------------------------------------------------------------------------
// Push: the till's outbox, drained in batches (POST /v1/sync/push)
// ---------------------------------------------------------------------------------------------------------

/**
 * A mutation id is per device, starts at 1 and grows by exactly 1 per outbox entry. The server remembers the
 * last one it applied: anything at or below it is a replay (a no-op), anything beyond the next one is a gap
 * (409 MUTATION_GAP with `last_mutation_id`, so the till resends from the right place).
 */
export const MutationIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const MAX_PUSH_MUTATIONS = 1000;

const Rp = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const EpochMs = z.number().int().min(0).max(8_640_000_000_000_000);
const Text = (max: number) => z.string().min(1).max(max);

export const SaleLineWireSchema = z.strictObject({
  line_id: IdSchema,
  product_id: Text(64),
  sku: Text(64),
  name: Text(200),
  qty: z.number().int().min(1).max(100_000),
  unit_price: Rp,
  line_total: Rp,
});

export const SaleCreatedPayloadSchema = z
  .strictObject({
    sale_id: IdSchema,
    subtotal: Rp,
    discount_kind: z.enum(['amount', 'percent_bp']).nullable(),
    discount_value: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
    discount_amount: Rp,
    total: Rp,
    /** Who rang the sale up, when the till knows (null until tills have cashier log-in). */
    cashier: z.string().max(200).nullable(),
    created_at: EpochMs,
    lines: z.array(SaleLineWireSchema).min(1).max(200),
  })
  .refine((s) => s.total === s.subtotal - s.discount_amount, { error: 'total must be subtotal - discount_amount' })
  .refine((s) => s.lines.reduce((a, l) => a + l.line_total, 0) === s.subtotal, {
    error: 'subtotal must be the sum of the lines',
  })
  .refine((s) => s.lines.every((l) => l.line_total === l.qty * l.unit_price), {
    error: 'each line_total must be qty * unit_price',
  });

export const CashPaymentPayloadSchema = z
  .strictObject({
    payment_id: IdSchema,
    sale_id: IdSchema,
    amount: Rp,
    tendered: Rp,
    change: Rp,
    paid_at: EpochMs,
    created_at: EpochMs,
  })
  .refine((p) => p.change === p.tendered - p.amount, { error: 'change must be tendered - amount' });

/** A QRIS payment the till created; online ones already exist on the server and are only linked. */
export const QrisPaymentPayloadSchema = z.strictObject({
  payment_id: IdSchema,
  sale_id: IdSchema,
  amount: Rp,
  created_at: EpochMs,
});

/** The EMV "ans" label set for QRIS tag 62 labels: 1–25 printable ASCII characters. */
export const QrisLabelSchema = z
  .string()
  .regex(/^[\x20-\x7e]{1,25}$/, { error: 'must be 1–25 printable ASCII characters' });

/**
 * A QRIS payment taken while the server could not be reached: the till derived `qr_string` from the store's
 * static QRIS (amount in tag 54, `offline_ref` in 62/05) and the cashier confirmed payment on the customer's
 * screen. It arrives `unverified` and is verified against the provider's static-QR notifications.
 */
export const OfflineQrisPaymentPayloadSchema = z.strictObject({
  payment_id: IdSchema,
  sale_id: IdSchema,
  amount: QrisAmountSchema,
  offline_ref: QrisLabelSchema,
  qr_string: z.string().min(1).max(512),
  created_at: EpochMs,
});
export type OfflineQrisPaymentPayload = z.output<typeof OfflineQrisPaymentPayloadSchema>;

/** GET /v1/store/offline: what a till needs to take QRIS offline, and the limits it must keep. */
export const OfflineSetupSchema = z.object({
  /** The store's static QRIS, or null: then the till offers only cash while offline. */
  static_qris: z.string().nullable(),
  merchant_name: z.string().nullable(),
  /** Whether the provider notifies payments to it (else every offline QRIS payment goes to review). */
  verified_by_provider: z.boolean(),
  max_amount: z.number().int().min(0),
  max_unverified_total: z.number().int().min(0),
  /** Unverified offline QRIS money this till holds according to the server. */
  unverified_total: z.number().int().min(0),
});
export type OfflineSetup = z.infer<typeof OfflineSetupSchema>;

/** The cashier cancelled a QRIS while the server could not be told. */
export const LocalCancelPayloadSchema = z.strictObject({
  payment_id: IdSchema,
  cancelled_at: EpochMs,
});

/** Payload schema of each mutation type; a type the server does not know is rejected (parked by the till). */
export const MUTATION_PAYLOADS = {
  'sale.created': SaleCreatedPayloadSchema,
  'payment.cash': CashPaymentPayloadSchema,
  'payment.qris': QrisPaymentPayloadSchema,
  'payment.offline_qris': OfflineQrisPaymentPayloadSchema,
  'payment.cancel_requested': LocalCancelPayloadSchema,
  'shift.closed': ShiftReportRequestSchema,
} as const;
export type MutationType = keyof typeof MUTATION_PAYLOADS;
export type MutationPayload<T extends MutationType> = z.input<(typeof MUTATION_PAYLOADS)[T]>;

/** The envelope is checked as a whole; each payload is checked on its own so one bad entry parks alone. */
export const PushMutationSchema = z.strictObject({
  mutation_id: MutationIdSchema,
  type: z.string().min(1).max(64),
  /** The till's clock when the mutation was made (kept beside the server's receive time). */
  client_time: EpochMs,
  payload: z.unknown(),
});
export type PushMutation = z.infer<typeof PushMutationSchema>;

/**
 * The till's queue as it will stand once this batch is acknowledged, for the manager dashboard's sync lag: a
 * till whose last report left items waiting stays "lagging" until a later push says otherwise.
 */
export const ClientStateSchema = z.strictObject({
  /** Outbox entries waiting to be sent, this batch left out. */
  queue_depth: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Entries the server refused, parked on the till. */
  parked: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** The till's clock when the oldest of those waiting entries was made; null when none waits. */
  oldest_unsynced_at: EpochMs.nullable(),
  /** Offline QRIS money the till has taken and not seen verified. */
  unverified_amount: Rp,
});
export type ClientState = z.infer<typeof ClientStateSchema>;

export const PushRequestSchema = z
  .strictObject({
    /** The till's clock when it sent the request; the server answers with its own for skew measurement. */
    client_time: EpochMs,
    mutations: z.array(PushMutationSchema).min(1).max(MAX_PUSH_MUTATIONS),
    /** Optional so older tills keep working. */
    client_state: ClientStateSchema.optional(),
  })
  .refine((b) => b.mutations.every((m, i) => i === 0 || m.mutation_id === b.mutations[i - 1]!.mutation_id + 1), {
    error: 'mutation ids must be consecutive and ascending',
  });
export type PushRequest = z.input<typeof PushRequestSchema>;

export const PushRejectionSchema = z.object({
  mutation_id: z.number().int(),
  code: z.string(),
  message: z.string(),
});
export type PushRejection = z.infer<typeof PushRejectionSchema>;

export const PushResponseSchema = z.object({
  /** Every mutation up to this one is applied (or rejected) on the server; the till may drop them. */
  last_mutation_id: z.number().int().min(0),
  /** Mutations the server consumed but refused to apply: the till parks them with the reason. */
  rejected: z.array(PushRejectionSchema),
  server_time: z.number().int(),
  /** server receive time − the till's client_time, as the server saw it (includes one-way latency). */
  clock_skew_ms: z.number().int(),
});
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** Body of a 409 MUTATION_GAP. */
export const MutationGapSchema = z.object({
  error: z.object({ code: z.literal('MUTATION_GAP'), message: z.string() }),
  last_mutation_id: z.number().int().min(0),
});

// ---------------------------------------------------------------------------------------------------------
// Reconciliation (GET /v1/reconciliation?store&date[&format=csv])
// ---------------------------------------------------------------------------------------------------------

export const ReconciliationQuerySchema = z.strictObject({
  store: z.string().min(1).max(64),
  /** A calendar day in WIB (UTC+7). */
  date: z.iso.date(),
  format: z.enum(['json', 'csv']).default('json'),
});

const MoneyTotalSchema = z.object({ count: z.number().int(), amount: z.number().int() });

export const ReconciliationReportSchema = z.object({
  store_id: z.string(),
  date: z.string(),
  totals: z.object({ verified: MoneyTotalSchema, pending: MoneyTotalSchema, review: MoneyTotalSchema }),
  items: z.array(
    z.object({
      category: z.enum(['verified', 'pending', 'review']),
      kind: z.enum(['qris', 'offline_qris', 'cash']),
      payment_id: z.string(),
      sale_id: z.string(),
      device_id: z.string(),
      status: z.string(),
      late: z.boolean(),
      amount: z.number().int(),
      refunded_amount: z.number().int(),
      provider: z.string().nullable(),
      created_at: z.number().int(),
      paid_at: z.number().int().nullable(),
    }),
  ),
});
export type ReconciliationReport = z.infer<typeof ReconciliationReportSchema>;
