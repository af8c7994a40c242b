/**
 * The payment-status lattice (../shared/DESIGN.md). Status changes only move forward; a duplicate is a no-op;
 * a late `paid` after `expired`/`cancelled`/`failed` is kept as `paid` with a `late` flag, because money that
 * was received must never be hidden.
 */
export const PAYMENT_STATUSES = [
  'pending',
  'paid',
  'expired',
  'cancelled',
  'failed',
  'refunded',
  'partially_refunded',
  'unverified',
  'needs_review',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const forward: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['paid', 'expired', 'cancelled', 'failed'],
  paid: ['refunded', 'partially_refunded'],
  partially_refunded: ['refunded'],
  refunded: [],
  expired: [],
  cancelled: [],
  failed: [],
  unverified: ['paid', 'needs_review'],
  needs_review: ['paid'],
};

const lateAfter: readonly PaymentStatus[] = ['expired', 'cancelled', 'failed'];

export type Transition =
  | { kind: 'apply'; next: PaymentStatus; late: boolean }
  | { kind: 'duplicate' }
  /** The payment is already past this status (or can never reach it): drop the event. */
  | { kind: 'ignored'; reason: 'backwards' }
  /**
   * The status is further along than one step (a refund before the payment): it arrived out of order and must
   * be kept and re-tried after the steps in between, never dropped.
   */
  | { kind: 'early' };

function reachable(from: PaymentStatus, to: PaymentStatus): boolean {
  const seen = new Set<PaymentStatus>();
  const stack = [...forward[from]];
  while (stack.length) {
    const s = stack.pop()!;
    if (s === to) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...forward[s]);
  }
  return false;
}

/** Decides what an incoming status does to a payment currently in `current`. Pure; the caller persists. */
export function transition(current: PaymentStatus, incoming: PaymentStatus): Transition {
  if (current === incoming) return { kind: 'duplicate' };
  if (forward[current].includes(incoming)) return { kind: 'apply', next: incoming, late: false };
  if (incoming === 'paid' && lateAfter.includes(current)) return { kind: 'apply', next: 'paid', late: true };
  const viaLatePaid = lateAfter.includes(current) && reachable('paid', incoming);
  if (reachable(current, incoming) || viaLatePaid) return { kind: 'early' };
  return { kind: 'ignored', reason: 'backwards' };
}

export function isFinal(s: PaymentStatus): boolean {
  return forward[s].length === 0 && !lateAfter.includes(s);
}

/** Statuses in which money has been received (before any refund). */
export function isMoneyIn(s: PaymentStatus): boolean {
  return s === 'paid' || s === 'refunded' || s === 'partially_refunded';
}

/**
 * Midtrans `transaction_status` → lattice. Returns null for statuses that carry no change for a QRIS payment
 * (authorize, challenged captures, chargebacks): the raw event is still stored.
 * Success rule (docs.midtrans.com/reference/receiving-notifications): settlement/capture, fraud_status accept
 * when present, and status_code "200".
 */
export function mapMidtransStatus(input: {
  transaction_status: string;
  fraud_status?: string | undefined;
  status_code?: string | undefined;
}): PaymentStatus | null {
  const fraudOk = input.fraud_status === undefined || input.fraud_status === 'accept';
  switch (input.transaction_status) {
    case 'settlement':
      return fraudOk && (input.status_code === undefined || input.status_code === '200') ? 'paid' : null;
    case 'capture':
      return input.fraud_status === 'accept' && (input.status_code === undefined || input.status_code === '200')
        ? 'paid'
        : null;
    case 'pending':
      return 'pending';
    case 'expire':
      return 'expired';
    case 'cancel':
      return 'cancelled';
    case 'deny':
    case 'failure':
      return 'failed';
    case 'refund':
      return 'refunded';
    case 'partial_refund':
      return 'partially_refunded';
    default:
      return null;
  }
}

/** Xendit `qr.payment` status → lattice: SUCCEEDED (api-version 2022-07-31) and COMPLETED (V1) mean paid. */
export function mapXenditQrPaymentStatus(status: string): PaymentStatus | null {
  switch (status) {
    case 'SUCCEEDED':
    case 'COMPLETED':
      return 'paid';
    case 'FAILED':
      return 'failed';
    default:
      return null;
  }
}
