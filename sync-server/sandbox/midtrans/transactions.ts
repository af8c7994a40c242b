/**
 * The Midtrans sandbox's in-memory ledger: QRIS transactions, their state machine, and the notification /
 * status bodies Midtrans would send for them (reference §2.3, §2.4). No HTTP here; index.ts serves it.
 */
import { createHash } from 'node:crypto';

export type Acquirer = 'gopay' | 'airpay shopee';
export type TxStatus = 'pending' | 'settlement' | 'expire' | 'cancel' | 'refund' | 'partial_refund';

export type Refund = {
  refundChargebackId: number;
  refundKey: string;
  amount: number;
  reason: string;
  createdAt: number;
  /** The exact response body, replayed when the same refund_key is asked again. */
  response: Record<string, unknown>;
};

export type Tx = {
  transactionId: string;
  orderId: string;
  grossAmount: number;
  acquirer: Acquirer;
  merchantId: string;
  qrString: string;
  status: TxStatus;
  createdAt: number;
  expiresAt: number;
  settledAt: number | null;
  issuer: string | null;
  /** Per-transaction URLs from X-Override-Notification (replaces the Dashboard URL) / X-Append-Notification. */
  overrideUrls: string[] | null;
  appendUrls: string[];
  refunds: Refund[];
};

const WIB_OFFSET_MS = 7 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** UTC ms → "YYYY-MM-DD HH:mm:ss" in GMT+7, the way Midtrans writes times. */
export function wib(ms: number): string {
  const d = new Date(ms + WIB_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** Midtrans writes every amount with two decimals, even in rupiah. */
export const money = (n: number) => `${n}.00`;

export function signature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`).digest('hex');
}

export const refundedTotal = (tx: Tx) => tx.refunds.reduce((s, r) => s + r.amount, 0);

/**
 * status_code per state. Notifications use 201 pending, 200 settlement/refund, 202 expire (M-C samples);
 * GET status answers 407 for an expired transaction (midtrans-client's httpClient singles it out as the
 * non-standard expire answer). Cancel reuses 202, Midtrans's code for a transaction that did not go through.
 */
export function statusCode(status: TxStatus, via: 'notification' | 'status'): string {
  switch (status) {
    case 'pending':
      return '201';
    case 'settlement':
    case 'refund':
    case 'partial_refund':
      return '200';
    case 'expire':
      return via === 'status' ? '407' : '202';
    case 'cancel':
      return '202';
  }
}

/** Issuer equal to the acquirer's own wallet is an on-us payment; any other QRIS app pays off-us. */
function transactionType(tx: Tx): string {
  const own = tx.acquirer === 'gopay' ? ['gopay'] : ['airpay shopee', 'shopeepay'];
  return tx.issuer !== null && own.includes(tx.issuer) ? 'on-us' : 'off-us';
}

/** The notification-shaped body shared by HTTP notifications and GET /v2/{id}/status. All values are strings. */
export function txBody(tx: Tx, serverKey: string, via: 'notification' | 'status'): Record<string, unknown> {
  const code = statusCode(tx.status, via);
  const gross = money(tx.grossAmount);
  const body: Record<string, unknown> = {};
  if (tx.settledAt !== null) body.transaction_type = transactionType(tx);
  Object.assign(body, {
    transaction_time: wib(tx.createdAt),
    transaction_status: tx.status,
    transaction_id: tx.transactionId,
    status_message: via === 'status' ? 'Success, transaction is found' : 'midtrans payment notification',
    status_code: code,
    signature_key: signature(tx.orderId, code, gross, serverKey),
  });
  if (tx.settledAt !== null) body.settlement_time = wib(tx.settledAt);
  Object.assign(body, {
    payment_type: 'qris',
    order_id: tx.orderId,
    merchant_id: tx.merchantId,
  });
  if (tx.issuer !== null) body.issuer = tx.issuer;
  Object.assign(body, {
    gross_amount: gross,
    fraud_status: 'accept',
    currency: 'IDR',
    acquirer: tx.acquirer,
    expiry_time: wib(tx.expiresAt),
  });
  if (tx.refunds.length > 0) {
    body.refund_amount = money(refundedTotal(tx));
    body.refunds = tx.refunds.map((r) => ({
      refund_chargeback_id: r.refundChargebackId,
      refund_amount: money(r.amount),
      created_at: wib(r.createdAt),
      reason: r.reason,
      refund_key: r.refundKey,
      refund_method: '',
    }));
  }
  return body;
}

/** An order_id may be charged again only once its last transaction ended without money (§2.2, §2.3). */
export const orderIdReusable = (tx: Tx) => tx.status === 'expire' || tx.status === 'cancel';
