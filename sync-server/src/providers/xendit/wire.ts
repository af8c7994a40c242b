/**
 * Xendit's QR Codes API on the wire (api-version 2022-07-31, plus the V1 `qr.payment` callback body) and the
 * mappers from it to our types. Facts and their sources: ../shared/reference/providers.md §1 and §3 (X-A, X-B,
 * X-C). Every object schema is loose: Xendit adds fields without a version bump, and a new field must never
 * turn a paid callback into a rejected one.
 */
import { z } from 'zod';
import { type Rupiah, rupiah } from '../../../../shared/money.ts';
import { mapXenditQrPaymentStatus } from '../../../../shared/payment-status.ts';
import { describeQris } from '../../../../shared/qris/index.ts';
import { displayLabel, identifier } from '../identifier.ts';
import type { CreatedQr, ParsedWebhook, ProviderPaymentState, RefundResult } from '../payment-provider.ts';

export const XENDIT_API_VERSION = '2022-07-31';
export const QR_PAYMENT_EVENT = 'qr.payment';

const id = identifier();
/** Our own reference echoed back; Xendit may send it empty. */
const reference = identifier(0);
/** Xendit sends amounts as JSON numbers (IDR has no minor unit, but a float can still arrive). */
const amount = z.number().finite();

// ---- requests ----------------------------------------------------------------------------------------------

export type CreateQrCodeRequest =
  | {
      reference_id: string;
      type: 'DYNAMIC';
      currency: 'IDR';
      amount: number;
      /** ISO-8601 UTC. */
      expires_at: string;
    }
  /** A STATIC QR takes no amount: the payer enters it, or a till derives a dynamic payload from it (§1.3). */
  | { reference_id: string; type: 'STATIC'; currency: 'IDR' };

export type QrRefundRequest = { amount: number; reason?: string };

// ---- responses ---------------------------------------------------------------------------------------------

/** Create and GET /qr_codes/{id} (2022-07-31). */
export const QrCodeSchema = z.looseObject({
  id,
  reference_id: z.string(),
  type: z.string(),
  currency: z.string().optional(),
  amount: amount.nullish(),
  channel_code: z.string().nullish(),
  expires_at: z.string().nullish(),
  qr_string: z.string().min(1),
  /** ACTIVE | INACTIVE. */
  status: z.string(),
  created: z.string().optional(),
  updated: z.string().optional(),
});
export type QrCode = z.infer<typeof QrCodeSchema>;

/** One QR payment (qrpy_…) as the 2022-07-31 API and callback `data` carry it. */
export const QrPaymentSchema = z.looseObject({
  id,
  amount,
  status: z.string(),
  qr_id: id,
  reference_id: reference,
  currency: z.string().optional(),
  created: z.string().optional(),
  business_id: z.string().optional(),
  channel_code: z.string().nullish(),
  /** DYNAMIC | STATIC: the kind of QR that was paid (callbacks carry it). */
  type: z.string().optional(),
  qr_string: z.string().nullish(),
});
export type QrPayment = z.infer<typeof QrPaymentSchema>;

/** GET /qr_codes/{id}/payments: documented only by third parties, so both a bare list and `{data}` are taken. */
export const QrPaymentListSchema = z.union([
  z.array(QrPaymentSchema),
  z.looseObject({ data: z.array(QrPaymentSchema), has_more: z.boolean().optional() }),
]);

export function paymentsOf(list: z.infer<typeof QrPaymentListSchema>): QrPayment[] {
  return Array.isArray(list) ? list : list.data;
}

/** POST /qr_codes/payments/{qrpy_id}/refunds. Third-party copies show `refund_amount`; `amount` is also taken. */
export const QrRefundSchema = z.looseObject({
  id,
  /** PENDING | SUCCEEDED | FAILED. */
  status: z.string(),
  refund_amount: amount.optional(),
  amount: amount.optional(),
  qrpy_id: z.string().optional(),
});
export type QrRefund = z.infer<typeof QrRefundSchema>;

export const XenditErrorSchema = z.looseObject({ error_code: z.string(), message: z.string().optional() });

// ---- callbacks ---------------------------------------------------------------------------------------------

/** X-A: the 2022-07-31 envelope. */
export const QrPaymentCallbackV2Schema = z.looseObject({
  event: z.literal(QR_PAYMENT_EVENT),
  api_version: z.string().optional(),
  business_id: z.string().optional(),
  created: z.string().optional(),
  data: QrPaymentSchema,
});

/**
 * X-B / X-C: the V1 (2020-07-01) payment object, with `event` added by the callback. X-B (from the SDK's test
 * constants) has no `event`, so it is optional; X-C (a live capture) says `payment_details` where the 2022 body
 * says `payment_detail`, so neither is relied on.
 */
export const QrPaymentCallbackV1Schema = z.looseObject({
  event: z.literal(QR_PAYMENT_EVENT).optional(),
  id,
  amount,
  status: z.string(),
  created: z.string().optional(),
  qr_code: z.looseObject({
    id,
    external_id: reference,
    qr_string: z.string().optional(),
    type: z.string().optional(),
  }),
});

export type QrPaymentCallback =
  | { version: '2022-07-31'; body: z.infer<typeof QrPaymentCallbackV2Schema> }
  | { version: 'v1'; body: z.infer<typeof QrPaymentCallbackV1Schema> };

/** Reads either callback version; the error names what the 2022-07-31 shape lacked when neither fits. */
export function parseQrPaymentCallback(
  json: unknown,
): { ok: true; cb: QrPaymentCallback } | { ok: false; error: string } {
  const v2 = QrPaymentCallbackV2Schema.safeParse(json);
  if (v2.success) return { ok: true, cb: { version: '2022-07-31', body: v2.data } };
  const v1 = QrPaymentCallbackV1Schema.safeParse(json);
  if (v1.success) return { ok: true, cb: { version: 'v1', body: v1.data } };
  return { ok: false, error: z.prettifyError(v2.error) };
}

// ---- mappers -----------------------------------------------------------------------------------------------

export class XenditAmountError extends Error {
  override readonly name = 'XenditAmountError';
}

/** Xendit IDR amount → Rupiah. A fractional rupiah is not a QRIS amount: refuse it rather than round money. */
export function fromXenditAmount(n: number): Rupiah {
  if (!Number.isSafeInteger(n) || n < 0) throw new XenditAmountError(`not a whole rupiah amount: ${n}`);
  return rupiah(n);
}

/** Whole rupiah → the request's `amount`. IDR is sent as a plain number of rupiah. */
export function toXenditAmount(n: Rupiah): number {
  return n;
}

/** ISO-8601 → epoch ms, or null when absent or unreadable. */
export function parseTime(s: string | null | undefined): number | null {
  if (s === null || s === undefined) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

export function toCreatedQr(qr: QrCode, requestedExpiresAt: number): CreatedQr {
  return { providerRef: qr.id, qrString: qr.qr_string, expiresAt: parseTime(qr.expires_at) ?? requestedExpiresAt };
}

/** SUCCEEDED (2022-07-31) and COMPLETED (V1) are money in; a later REFUNDED/VOIDED payment was money in too. */
export function isMoneyInPayment(p: QrPayment): boolean {
  return mapXenditQrPaymentStatus(p.status) === 'paid' || p.status === 'REFUNDED' || p.status === 'VOIDED';
}

/**
 * The payment state from the QR and its payments. Refunds are not reported here: the server learns them from
 * its own refund calls, and Xendit's payment object does not say how much was refunded.
 */
export function toPaymentState(qr: QrCode, payments: readonly QrPayment[], now: number): ProviderPaymentState {
  const paid = payments.find(isMoneyInPayment);
  if (paid) {
    return {
      status: 'paid',
      amount: fromXenditAmount(paid.amount),
      paidAt: parseTime(paid.created),
      paymentRef: paid.id,
    };
  }
  const expiresAt = parseTime(qr.expires_at);
  // A dynamic QR turns INACTIVE once paid or expired; with no payment it can only have expired.
  const expired = qr.status === 'INACTIVE' || (expiresAt !== null && expiresAt <= now);
  return { status: expired ? 'expired' : null, amount: null, paidAt: null, paymentRef: null };
}

export function toRefundResult(r: QrRefund, requested: Rupiah): RefundResult {
  const status = r.status === 'SUCCEEDED' ? 'succeeded' : r.status === 'FAILED' ? 'failed' : 'pending';
  const amt = r.refund_amount ?? r.amount;
  return { refundId: r.id, status, amount: amt === undefined ? requested : fromXenditAmount(amt) };
}

export function toParsedWebhook({ version, body }: QrPaymentCallback): ParsedWebhook {
  if (version === '2022-07-31') {
    const d = body.data;
    return {
      eventId: `${QR_PAYMENT_EVENT}:${d.id}`,
      paymentId: d.reference_id || null,
      providerRef: d.qr_id,
      providerRefVouched: true,
      paymentRef: d.id,
      status: mapXenditQrPaymentStatus(d.status),
      amount: fromXenditAmount(d.amount),
      occurredAt: parseTime(d.created) ?? parseTime(body.created),
      payerWallet: displayLabel((d as { payment_detail?: { source?: unknown } }).payment_detail?.source),
      ...(d.type === 'STATIC'
        ? { staticQr: { reference: d.qr_string ? describeQris(d.qr_string).additional.referenceLabel : null } }
        : {}),
    };
  }
  return {
    eventId: `${QR_PAYMENT_EVENT}:${body.id}`,
    paymentId: body.qr_code.external_id || null,
    providerRef: body.qr_code.id,
    providerRefVouched: true,
    paymentRef: body.id,
    status: mapXenditQrPaymentStatus(body.status),
    amount: fromXenditAmount(body.amount),
    occurredAt: parseTime(body.created),
    // X-C, a live V1 capture, says payment_details (plural).
    payerWallet: displayLabel((body as { payment_details?: { source?: unknown } }).payment_details?.source),
  };
}
