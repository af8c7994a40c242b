/**
 * Manager ⇄ sync-server: refunds through the payment's provider (issue 8).
 *
 * `POST /v1/payments/:id/refund` (manager only) with `{amount?, reason, idempotency_key}`: `amount` omitted
 * refunds everything not yet refunded. The idempotency key is the refund's id: the same key again answers the
 * same refund and never refunds twice; the same key with another amount or reason is a 409. Answers 201 when the
 * provider confirmed the refund, 202 while the provider is still processing it (ask again with the same key),
 * 200 for a refund already answered. `GET /v1/payments/:id/refunds` lists a payment's refunds.
 * Money is whole rupiah; times are UTC epoch ms.
 */
import { z } from 'zod';
import { QRIS_MAX_AMOUNT } from '../money.ts';
import { PaymentViewSchema } from './sync-api.ts';

export const REFUND_STATUSES = ['requested', 'succeeded', 'failed'] as const;
export const RefundStatusSchema = z.enum(REFUND_STATUSES);
export type RefundStatus = z.infer<typeof RefundStatusSchema>;

export const RefundRequestSchema = z.strictObject({
  amount: z
    .number({ error: 'amount must be a number of whole rupiah' })
    .int({ error: 'amount must be whole rupiah' })
    .min(1, { error: 'a refund is at least Rp 1' })
    .max(QRIS_MAX_AMOUNT, { error: 'a refund is at most Rp 10.000.000' })
    .optional(),
  reason: z.string().trim().min(1, { error: 'say why the money goes back' }).max(255),
  /** A UUID the client makes once per refund it means, and sends again on every retry of that refund. */
  idempotency_key: z.uuid({ error: 'idempotency_key must be a UUID' }),
});
export type RefundRequest = z.input<typeof RefundRequestSchema>;

export const RefundViewSchema = z.object({
  refund_id: z.string(),
  payment_id: z.string(),
  store_id: z.string(),
  amount: z.number().int(),
  reason: z.string(),
  status: RefundStatusSchema,
  provider_refund_ref: z.string().nullable(),
  /** Why the last attempt failed, when it did. */
  error: z.string().nullable(),
  requested_by: z.string(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type RefundView = z.infer<typeof RefundViewSchema>;

export const RefundResponseSchema = z.object({ refund: RefundViewSchema, payment: PaymentViewSchema });
export type RefundResponse = z.infer<typeof RefundResponseSchema>;

export const RefundListSchema = z.object({ refunds: z.array(RefundViewSchema) });
export type RefundList = z.infer<typeof RefundListSchema>;
