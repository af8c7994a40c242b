/**
 * The till ⇄ sync-server contract (HTTP API v1, ../shared/DESIGN.md). Wire names are snake_case; money is whole
 * rupiah; times are UTC epoch milliseconds. Both sides parse with these schemas, so a change here is a change
 * of the contract.
 */
import { z } from 'zod';
import { QRIS_MAX_AMOUNT, QRIS_MIN_AMOUNT, type Rupiah } from '../money.ts';
import { PAYMENT_STATUSES } from '../payment-status.ts';

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
