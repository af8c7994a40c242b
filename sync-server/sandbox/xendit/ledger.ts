/**
 * The Xendit sandbox's books: QR codes, their payments and refunds, in memory. Pure rules, no HTTP: the routes
 * in index.ts translate these outcomes into Xendit's status codes and error bodies.
 */
import { randomUUID } from 'node:crypto';

export type QrRecord = {
  id: string;
  reference_id: string;
  type: 'DYNAMIC' | 'STATIC';
  currency: 'IDR';
  channel_code: string;
  /** null for the merchant's static QR: the payer enters the amount. */
  amount: number | null;
  /** Epoch ms; null = never expires (static). */
  expiresAt: number | null;
  qr_string: string;
  created: number;
  updated: number;
  metadata: unknown;
};

export type PaymentStatus = 'SUCCEEDED' | 'REFUNDED' | 'VOIDED';

export type PaymentRecord = {
  id: string;
  qr_id: string;
  amount: number;
  status: PaymentStatus;
  created: number;
  source: string;
  receipt_id: string;
};

export type RefundRecord = {
  id: string;
  qrpy_id: string;
  amount: number;
  reason: string | null;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  created: number;
  updated: number;
};

export type Refusal = { ok: false; code: string; message: string };
const refuse = (code: string, message: string): Refusal => ({ ok: false, code, message });

/** A full refund within 24 h voids the payment (fees returned); anything else marks it refunded (§1.7). */
const VOID_WINDOW_MS = 24 * 60 * 60 * 1000;

export class XenditLedger {
  readonly qrs = new Map<string, QrRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  private readonly byQrString = new Map<string, string>();
  private readonly refundsByKey = new Map<string, string>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  addQr(qr: QrRecord): void {
    this.qrs.set(qr.id, qr);
    this.byQrString.set(qr.qr_string, qr.id);
  }

  qrByString(qrString: string): QrRecord | undefined {
    const id = this.byQrString.get(qrString);
    return id === undefined ? undefined : this.qrs.get(id);
  }

  paymentsOf(qrId: string): PaymentRecord[] {
    return [...this.payments.values()].filter((p) => p.qr_id === qrId);
  }

  /** ACTIVE until paid (a dynamic QR is single-use) or past expires_at; a static QR stays ACTIVE. */
  statusOf(qr: QrRecord): 'ACTIVE' | 'INACTIVE' {
    if (qr.type === 'STATIC') return 'ACTIVE';
    if (this.paymentsOf(qr.id).length > 0) return 'INACTIVE';
    return qr.expiresAt !== null && this.now() >= qr.expiresAt ? 'INACTIVE' : 'ACTIVE';
  }

  /** What a wallet does when the customer confirms: one payment of `amount` to this QR, or a refusal. */
  pay(qr: QrRecord, amount: number, source: string): { ok: true; payment: PaymentRecord } | Refusal {
    if (qr.type === 'DYNAMIC') {
      if (this.paymentsOf(qr.id).length > 0)
        return refuse('QR_CODE_ALREADY_PAID', 'This QR code has already been paid');
      if (this.statusOf(qr) === 'INACTIVE') return refuse('QR_CODE_EXPIRED', 'This QR code has expired');
      if (amount !== qr.amount) {
        return refuse('API_VALIDATION_ERROR', `amount must equal the QR code amount ${String(qr.amount)}`);
      }
    }
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > 10_000_000) {
      return refuse('API_VALIDATION_ERROR', 'amount must be a whole number of rupiah between 1 and 10000000');
    }
    const at = this.now();
    const payment: PaymentRecord = {
      id: `qrpy_${randomUUID()}`,
      qr_id: qr.id,
      amount,
      status: 'SUCCEEDED',
      created: at,
      source,
      receipt_id: randomUUID().replaceAll('-', '').slice(0, 12),
    };
    this.payments.set(payment.id, payment);
    qr.updated = at;
    return { ok: true, payment };
  }

  /** Amount not yet refunded (a failed refund gives its amount back). */
  refundable(p: PaymentRecord): number {
    let refunded = 0;
    for (const r of this.refunds.values()) if (r.qrpy_id === p.id && r.status !== 'FAILED') refunded += r.amount;
    return p.amount - refunded;
  }

  /**
   * Starts a refund. The same idempotency key returns the first refund, so a merchant retrying after a lost
   * response cannot refund twice.
   */
  refund(
    p: PaymentRecord,
    req: { amount: number | undefined; reason: string | null; idempotencyKey: string | null },
  ): { ok: true; refund: RefundRecord; replay: boolean } | Refusal {
    if (req.idempotencyKey !== null) {
      const prior = this.refundsByKey.get(`${p.id}:${req.idempotencyKey}`);
      const r = prior === undefined ? undefined : this.refunds.get(prior);
      if (r) return { ok: true, refund: r, replay: true };
    }
    const remaining = this.refundable(p);
    const amount = req.amount ?? remaining;
    if (!Number.isSafeInteger(amount) || amount < 1) {
      return refuse('API_VALIDATION_ERROR', 'amount must be a positive whole number');
    }
    // 10300 is Xendit's test amount for this error (test scenarios, §1.7); the code's full name is truncated in
    // our source, so MAXIMUM_REFUND_AMOUNT_REACHED is our spelling of it.
    if (amount > remaining || amount === 10300) {
      return refuse('MAXIMUM_REFUND_AMOUNT_REACHED', 'Refund amount cannot exceed the remaining unrefunded amount');
    }
    const at = this.now();
    const refund: RefundRecord = {
      id: `qrrf_${randomUUID()}`,
      qrpy_id: p.id,
      amount,
      reason: req.reason,
      status: 'PENDING',
      created: at,
      updated: at,
    };
    this.refunds.set(refund.id, refund);
    if (req.idempotencyKey !== null) this.refundsByKey.set(`${p.id}:${req.idempotencyKey}`, refund.id);
    return { ok: true, refund, replay: false };
  }

  /** The issuer confirms the refund: the payment becomes VOIDED (full, within 24 h) or REFUNDED. */
  settleRefund(refundId: string): void {
    const r = this.refunds.get(refundId);
    const p = r ? this.payments.get(r.qrpy_id) : undefined;
    if (!r || !p || r.status !== 'PENDING') return;
    const at = this.now();
    r.status = 'SUCCEEDED';
    r.updated = at;
    const full = this.refundable(p) === 0;
    p.status = full && r.amount === p.amount && at - p.created < VOID_WINDOW_MS ? 'VOIDED' : 'REFUNDED';
  }
}
