/** Midtrans notifications for tests and benchmarks, signed as Midtrans signs them (reference/providers.md §2.4). */
import { createHash } from 'node:crypto';

/** The notification as JSON text with its `signature_key = sha512(order_id + status_code + gross_amount + key)`. */
export function signedMidtrans(fields: Record<string, string>, serverKey: string): string {
  const signature_key = createHash('sha512')
    .update(`${fields.order_id}${fields.status_code}${fields.gross_amount}${serverKey}`)
    .digest('hex');
  return JSON.stringify({ ...fields, signature_key });
}

/** A QRIS settlement notification for one of our payments. */
export function settlementFields(p: {
  orderId: string;
  transactionId: string;
  amount: number;
}): Record<string, string> {
  return {
    transaction_time: '2026-11-23 10:00:00',
    transaction_status: 'settlement',
    transaction_id: p.transactionId,
    status_message: 'midtrans payment notification',
    status_code: '200',
    settlement_time: '2026-11-23 10:00:05',
    payment_type: 'qris',
    order_id: p.orderId,
    merchant_id: 'G1',
    gross_amount: `${p.amount}.00`,
    fraud_status: 'accept',
    currency: 'IDR',
    acquirer: 'gopay',
  };
}
