/**
 * Midtrans Core API wire format for QRIS (reference §2): zod shapes of what Midtrans sends and pure mappers
 * to our types. Midtrans writes money as decimal strings ("789000.00") and times as GMT+7 wall-clock strings
 * ("2021-06-23 15:25:24"); both are converted here and nowhere else. Every response schema is loose: Midtrans
 * adds fields over time and tells integrators to tolerate them.
 */
import { z } from 'zod';
import { type Rupiah, rupiah } from '../../../../shared/money.ts';
import { mapMidtransStatus } from '../../../../shared/payment-status.ts';
import { displayLabel, identifier } from '../identifier.ts';
import type { ParsedWebhook, ProviderPaymentState } from '../payment-provider.ts';

export type MidtransAcquirer = 'gopay' | 'airpay shopee';

export type ChargeRequest = {
  payment_type: 'qris';
  transaction_details: { order_id: string; gross_amount: number };
  qris: { acquirer: MidtransAcquirer };
  custom_expiry: { order_time: string; expiry_duration: number; unit: 'second' | 'minute' | 'hour' | 'day' };
};

export type RefundRequest = { refund_key: string; amount: number; reason?: string };

/** Every Core API body carries `status_code` as a string; it, not the HTTP status, says what happened (§2.2). */
export const EnvelopeSchema = z.looseObject({
  status_code: z.string(),
  status_message: z.string().optional(),
  validation_messages: z.array(z.string()).optional(),
});

export const ChargeResponseSchema = z.looseObject({
  status_code: z.literal('201'),
  transaction_id: z.string().min(1),
  order_id: z.string().min(1),
  gross_amount: z.string(),
  transaction_status: z.string(),
  transaction_time: z.string().optional(),
  qr_string: z.string().min(1),
  /** Seen in live responses, absent from the official samples (reference §2.2): used when present. */
  expiry_time: z.string().optional(),
  actions: z.array(z.looseObject({ name: z.string(), method: z.string().optional(), url: z.string() })).optional(),
});
export type ChargeResponse = z.infer<typeof ChargeResponseSchema>;

/** The refunds Midtrans lists on a refunded transaction's notification and status. */
const RefundsSchema = z
  .array(
    z.looseObject({
      refund_chargeback_id: z.union([z.number(), z.string()]).optional(),
      refund_key: z.string().optional(),
      refund_amount: z.string().optional(),
      created_at: z.string().optional(),
    }),
  )
  .optional();

/** GET /v2/{id}/status answers with a notification-shaped body. */
export const StatusResponseSchema = z.looseObject({
  status_code: z.string(),
  transaction_id: z.string().min(1),
  order_id: z.string().min(1),
  gross_amount: z.string(),
  transaction_status: z.string(),
  fraud_status: z.string().optional(),
  transaction_time: z.string().optional(),
  settlement_time: z.string().optional(),
  refund_amount: z.string().optional(),
  refunds: RefundsSchema,
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

/** Cancel answers "200"; expire answers "407" ("Success, transaction has expired"). */
export const CancelResponseSchema = z.looseObject({
  status_code: z.enum(['200', '407']),
  transaction_status: z.string(),
  order_id: z.string().optional(),
  transaction_id: z.string().optional(),
});

/** Refund and direct refund: "200" approved; direct refund "202" = "Refund denied by the bank" (§2.3). */
export const RefundResponseSchema = z.looseObject({
  status_code: z.enum(['200', '202']),
  status_message: z.string().optional(),
  transaction_status: z.string().optional(),
  refund_amount: z.string().optional(),
  refund_key: z.string().optional(),
  refund_chargeback_id: z.union([z.number(), z.string()]).optional(),
});
export type RefundResponse = z.infer<typeof RefundResponseSchema>;

/**
 * An HTTP notification (§2.4). Every documented field is a JSON string; `refunds` (an array on refund
 * notifications) and anything Midtrans adds later are tolerated. Only what we use is required.
 */
const Ident = identifier();

/**
 * The `status_code` Midtrans sends with each transaction_status (reference §2.4; docs.midtrans.com
 * /reference/transaction-status). It is signed and the status is not, so a status that does not fit its code is
 * refused: a pending notification's "201" signature cannot be replayed as "expire".
 */
const STATUS_CODE_OF: Record<string, string> = {
  pending: '201',
  settlement: '200',
  capture: '200',
  refund: '200',
  partial_refund: '200',
  expire: '202',
  cancel: '202',
  deny: '202',
  failure: '202',
};

export const NotificationSchema = z
  .looseObject({
    order_id: Ident,
    status_code: z.string().regex(/^\d{3}$/),
    gross_amount: z.string(),
    signature_key: z.string(),
    transaction_id: Ident,
    transaction_status: z.string().min(1),
    fraud_status: z.string().optional(),
    transaction_time: z.string().optional(),
    settlement_time: z.string().optional(),
    expiry_time: z.string().optional(),
    payment_type: z.string().optional(),
    refund_amount: z.string().optional(),
    refunds: RefundsSchema,
  })
  .refine(
    (n) => STATUS_CODE_OF[n.transaction_status] === undefined || STATUS_CODE_OF[n.transaction_status] === n.status_code,
    {
      message: 'status_code does not match transaction_status',
      path: ['status_code'],
    },
  );
export type Notification = z.infer<typeof NotificationSchema>;

/** A Midtrans amount that is not whole rupiah, or not a decimal amount at all. */
export class MidtransAmountError extends Error {
  override readonly name = 'MidtransAmountError';
}

const AMOUNT_RE = /^(\d{1,16})(?:\.(\d{1,2}))?$/;

/**
 * "789000.00" → 789000. IDR has no minor unit in practice, so a non-zero fraction is refused rather than
 * rounded: rounding would silently invent or lose money.
 */
export function fromMidtransAmount(s: string): Rupiah {
  const m = AMOUNT_RE.exec(s);
  if (!m) throw new MidtransAmountError(`not a Midtrans amount: ${JSON.stringify(s.slice(0, 40))}`);
  if (m[2] !== undefined && !/^0+$/.test(m[2])) throw new MidtransAmountError(`fractional rupiah: ${s}`);
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n)) throw new MidtransAmountError(`amount out of range: ${s}`);
  return rupiah(n);
}

const WIB_OFFSET_MS = 7 * 3600_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** UTC ms → "YYYY-MM-DD HH:mm:ss" on the GMT+7 wall clock Midtrans uses (Indonesia has no DST). */
export function toWib(ms: number): string {
  const d = new Date(ms + WIB_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

const WIB_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/;

/** "YYYY-MM-DD HH:mm:ss" (GMT+7 unless an explicit "+hhmm" follows) → UTC ms, or null if malformed. */
export function fromWib(s: string): number | null {
  const m = WIB_RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600_000 + Number(om) * 60_000) : WIB_OFFSET_MS;
  // Date.UTC rolls "2021-02-30" over to March; a time that does not round-trip was not a real time.
  if (!Number.isFinite(local) || toWib(local - WIB_OFFSET_MS) !== `${y}-${mo}-${d} ${h}:${mi}:${se}`) return null;
  return local - offset;
}

export function chargeRequest(input: {
  orderId: string;
  amount: Rupiah;
  acquirer: MidtransAcquirer;
  orderTimeMs: number;
  expirySeconds: number;
}): ChargeRequest {
  return {
    payment_type: 'qris',
    transaction_details: { order_id: input.orderId, gross_amount: input.amount },
    qris: { acquirer: input.acquirer },
    custom_expiry: {
      order_time: `${toWib(input.orderTimeMs)} +0700`,
      expiry_duration: input.expirySeconds,
      unit: 'second',
    },
  };
}

const MONEY_IN = new Set(['paid', 'refunded', 'partially_refunded']);

export function toPaymentState(s: StatusResponse): ProviderPaymentState {
  const status = mapMidtransStatus(s);
  const moneyIn = status !== null && MONEY_IN.has(status);
  return {
    status,
    amount: moneyIn ? fromMidtransAmount(s.gross_amount) : null,
    paidAt: moneyIn && s.settlement_time ? fromWib(s.settlement_time) : null,
    // Midtrans refunds by order_id; its transaction_id is still the one id of the money movement.
    paymentRef: moneyIn ? s.transaction_id : null,
    ...(moneyIn && displayLabel((s as { issuer?: unknown }).issuer)
      ? { payerWallet: displayLabel((s as { issuer?: unknown }).issuer) }
      : {}),
    ...(isRefund(s) ? { refundedAmount: refundedTotal(s) } : {}),
  };
}

/**
 * Midtrans notifications carry no event id. What makes one notification distinct is the transaction it is
 * about, the state it reports and its status_code (pending "201", settlement "200", expire "202"); a
 * redelivery repeats all three, so it dedupes. Refund notifications all read `refund`/`partial_refund` +
 * "200", so two partial refunds would collide: their identity also includes how many refunds there are and
 * the total refunded, which a redelivery repeats and a further refund changes.
 */
export function notificationEventId(n: Notification): string {
  const parts = ['midtrans', n.transaction_id, n.transaction_status, n.status_code];
  if (isRefund(n)) {
    const refunds = n.refunds ?? [];
    const last = refunds.at(-1);
    const lastId = last ? String(last.refund_key ?? last.refund_chargeback_id ?? '') : '';
    parts.push(`${refunds.length}x${refundedTotal(n) ?? '?'}:${lastId}`);
  }
  return parts.join(':');
}

type RefundFacts = Pick<Notification, 'transaction_status' | 'refunds' | 'refund_amount' | 'gross_amount'>;
const isRefund = (n: RefundFacts) => n.transaction_status === 'refund' || n.transaction_status === 'partial_refund';

/**
 * Total refunded so far: the sum of `refunds[]`, else the top-level refund_amount, else for a full refund the
 * gross amount. A partial refund that states no amount says nothing about how much: null.
 */
function refundedTotal(n: RefundFacts): Rupiah | null {
  const refunds = n.refunds ?? [];
  if (refunds.length > 0) {
    return rupiah(refunds.reduce<number>((s, r) => s + (r.refund_amount ? fromMidtransAmount(r.refund_amount) : 0), 0));
  }
  if (n.refund_amount !== undefined) return fromMidtransAmount(n.refund_amount);
  return n.transaction_status === 'refund' ? fromMidtransAmount(n.gross_amount) : null;
}

function occurredAt(n: Notification): number | null {
  const refundAt = n.refunds?.at(-1)?.created_at;
  const when =
    n.transaction_status === 'settlement' || n.transaction_status === 'capture'
      ? n.settlement_time
      : n.transaction_status === 'expire'
        ? n.expiry_time
        : isRefund(n)
          ? refundAt
          : undefined;
  // Midtrans has no timestamp for a cancel; transaction_time (creation) is the best it offers.
  return (when === undefined ? null : fromWib(when)) ?? fromWib(n.transaction_time ?? '');
}

/** `amount` is the payment's gross amount (what was paid), also on refund notifications. */
export function toParsedWebhook(n: Notification): ParsedWebhook {
  const parsed: ParsedWebhook = {
    eventId: notificationEventId(n),
    paymentId: n.order_id,
    providerRef: n.transaction_id,
    providerRefVouched: false,
    paymentRef: n.transaction_id,
    status: mapMidtransStatus(n),
    amount: fromMidtransAmount(n.gross_amount),
    occurredAt: occurredAt(n),
    // QRIS notifications name the payer's wallet as `issuer` (reference §2.4).
    payerWallet: displayLabel((n as { issuer?: unknown }).issuer),
  };
  if (isRefund(n)) parsed.refundedAmount = refundedTotal(n);
  return parsed;
}
