/**
 * One interface for every payment provider. A provider module owns its wire format: it converts whole rupiah to
 * the provider's unit and back, maps the provider's statuses onto the lattice, and verifies its webhooks on the
 * raw bytes. The server never sees a provider's JSON.
 */
import type { Rupiah } from '../../../shared/money.ts';
import type { PaymentStatus } from '../../../shared/payment-status.ts';
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';

export type RawWebhook = {
  /** The exact bytes received; signatures are checked on these, before any JSON parsing. */
  rawBody: Buffer;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
};

export type CreatedQr = {
  providerRef: string;
  qrString: string;
  /** UTC epoch ms. */
  expiresAt: number;
};

export type PaymentRef = {
  /** Our payment id, sent to the provider as its reference (Xendit reference_id, Midtrans order_id). */
  paymentId: string;
  /** The provider's own id (Xendit qr_…, Midtrans transaction_id). */
  providerRef: string;
};

export type ProviderPaymentState = {
  /** Lattice status, or null when the provider's state means no change (e.g. still ACTIVE with no payment). */
  status: PaymentStatus | null;
  /** Amount paid, when paid. */
  amount: Rupiah | null;
  paidAt: number | null;
  /** The provider's id of the money movement (Xendit qrpy_…), needed to refund; null if none. */
  paymentRef: string | null;
  /** For refund statuses, the total refunded so far when the provider says. */
  refundedAmount?: Rupiah | null;
  /** The wallet or bank app that paid, when the provider says. */
  payerWallet?: string | null;
};

export type ParsedWebhook = {
  /** The provider's event identity: the same event delivered twice yields the same id. */
  eventId: string;
  /** Our payment id when the provider echoes it (reference_id / order_id). */
  paymentId: string | null;
  providerRef: string | null;
  /**
   * Whether the provider vouches for `providerRef` (Xendit's callback token covers the whole body; Midtrans signs
   * only order_id + status_code + gross_amount). An unvouched reference must name the payment's own transaction.
   */
  providerRefVouched: boolean;
  /** Provider id of the money movement (Xendit qrpy_…, Midtrans transaction_id). */
  paymentRef: string | null;
  /** Lattice status this event asserts, or null if it carries no status change. */
  status: PaymentStatus | null;
  amount: Rupiah | null;
  /** For refund events: the total refunded so far, when the provider says. */
  refundedAmount?: Rupiah | null;
  /** When the provider says it happened, UTC epoch ms, if it says. */
  occurredAt: number | null;
  /** The wallet or bank app that paid (Xendit payment_detail.source, Midtrans issuer), when the provider says. */
  payerWallet?: string | null;
  /**
   * A payment to a store's STATIC QR (an offline QRIS sale, derived by the till), rather than to one of our
   * dynamic QRs: `providerRef` then names the static QR, and the payment is matched to the till's offline sale.
   */
  staticQr?: {
    /** Tag 62/05 of the QR the payer scanned, when the provider echoes that string back; null otherwise. */
    reference: string | null;
  };
};

export type RefundResult = { refundId: string; status: 'pending' | 'succeeded' | 'failed'; amount: Rupiah };

export interface PaymentProvider {
  readonly id: ProviderId;
  readonly mode: 'sandbox' | 'live';
  /** Whole rupiah in; the provider unit conversion happens inside. Throws ProviderError subclasses. */
  createQrPayment(req: { paymentId: string; amount: Rupiah; expiresAt: number }): Promise<CreatedQr>;
  getPayment(ref: PaymentRef): Promise<ProviderPaymentState>;
  /**
   * Cancels at the provider. `atProvider: false` when the provider has no cancel for this kind of payment
   * (the server then cancels locally and a later `paid` is kept as late).
   */
  cancelPayment(ref: PaymentRef): Promise<{ atProvider: boolean }>;
  /**
   * Ends a payment whose deadline has passed, where the provider offers that (Midtrans /expire: it applies
   * short expiries late, in batches). Absent when the provider expires QRs on time by itself.
   */
  expirePayment?(ref: PaymentRef): Promise<void>;
  /**
   * Refunds `amount` of a paid payment. `refundId` is our refund's id and the provider's refund key (Midtrans
   * `refund_key`, Xendit `idempotency-key`): asking again with the same id is the same refund, never a second
   * one. Throws ProviderRejectedError when the provider refuses (e.g. more than is left), ProviderUnavailable
   * when it cannot be reached (the outcome is then unknown: ask again with the same id).
   */
  refundPayment(
    ref: PaymentRef & { paymentRef: string | null },
    req: { refundId: string; amount: Rupiah; reason?: string },
  ): Promise<RefundResult>;
  /**
   * Reads a refund the provider answered as pending, by the provider's refund id. Absent where refunds are
   * answered at once (Midtrans approves or denies a direct refund in its answer).
   */
  getRefund?(ref: PaymentRef & { paymentRef: string | null }, providerRefundId: string): Promise<RefundResult>;
  /**
   * Creates a STATIC QR for a store, whose payments the provider then notifies (offline QRIS). Absent when the
   * provider offers none through its API.
   */
  createStaticQr?(req: { reference: string }): Promise<{ providerRef: string; qrString: string }>;
  /** Runs on the raw request bytes in constant time. */
  verifyWebhook(req: RawWebhook): boolean;
  /** Throws WebhookPayloadError on a body that does not have the provider's shape. */
  parseWebhook(req: RawWebhook): ParsedWebhook;
  /**
   * Whether a verified webhook asserting `status` must still be confirmed with the provider's status API before
   * it is applied, because the provider's signature does not cover it.
   */
  confirmBeforeApplying(status: PaymentStatus): boolean;
}
