/**
 * Payment records on the till. Every write that creates a payment, or that the server has not seen yet,
 * commits with its outbox row. Status changes follow the lattice (shared/payment-status.ts): forward only,
 * duplicates are no-ops, and the till never decides on its own that money arrived.
 */
import type { Database } from 'better-sqlite3';
import { newId } from '../../../shared/ids.ts';
import { type Rupiah, rupiah } from '../../../shared/money.ts';
import { isMoneyIn, transition } from '../../../shared/payment-status.ts';
import { describeQris } from '../../../shared/qris/index.ts';
import type { PaymentView } from '../../../shared/schemas/sync-api.ts';
import { enqueue } from '../db/repos/outbox-repo.ts';
import {
  getPayment,
  insertPayment,
  listPaymentsOfSale,
  type PaymentRecord,
  type PaymentUpdate,
  updatePayment,
} from '../db/repos/payments-repo.ts';
import { markSalePaid } from '../db/repos/sales-repo.ts';
import { fail } from '../errors.ts';
import { requireSale } from '../sales/sales.ts';

/** Creates the local QRIS payment (pending, no QR yet) with its outbox row, before the server is asked. */
export function recordQrisPayment(db: Database, saleId: string, amount: Rupiah, now: number): PaymentRecord {
  return db.transaction(() => {
    const p: PaymentRecord = {
      id: newId(),
      saleId,
      method: 'qris',
      status: 'pending',
      late: false,
      amount,
      provider: null,
      providerRef: null,
      payerWallet: null,
      qrString: null,
      merchantName: null,
      expiresAt: null,
      tendered: null,
      change: null,
      createdAt: now,
      updatedAt: now,
      paidAt: null,
      offlineRef: null,
    };
    insertPayment(db, p);
    enqueue(db, { id: newId(), kind: 'payment.created', entityId: p.id, payload: p }, now);
    return p;
  })();
}

/** Cash is final at the till: the sale is paid in the same transaction as the payment and its outbox row. */
export function recordCashPayment(db: Database, saleId: string, tendered: number, now: number): PaymentRecord {
  return db.transaction(() => {
    const sale = requireSale(db, saleId);
    if (sale.status === 'paid') throw fail('ALREADY_PAID', 'this sale is already paid');
    const open = listPaymentsOfSale(db, saleId).filter((p) => p.status === 'pending');
    if (open.length > 0) throw fail('CONFLICT', 'a QRIS payment for this sale is still open; cancel it first');
    if (tendered < sale.total) throw fail('INVALID_INPUT', `cash tendered must be at least the total (${sale.total})`);
    const p: PaymentRecord = {
      id: newId(),
      saleId,
      method: 'cash',
      status: 'paid',
      late: false,
      amount: sale.total,
      provider: null,
      providerRef: null,
      payerWallet: null,
      qrString: null,
      merchantName: null,
      expiresAt: null,
      tendered: rupiah(tendered),
      change: rupiah(tendered - sale.total),
      createdAt: now,
      updatedAt: now,
      paidAt: now,
      offlineRef: null,
    };
    insertPayment(db, p);
    markSalePaid(db, saleId, now);
    enqueue(db, { id: newId(), kind: 'payment.cash', entityId: p.id, payload: p }, now);
    return p;
  })();
}

/**
 * An offline QRIS payment the cashier confirmed on the customer's screen: in ONE transaction the payment is
 * recorded `unverified` with its reference and the QR it was shown, the sale is closed (the customer has gone;
 * the money is counted as unverified until the server verifies it), and the `payment.offline_qris` outbox row
 * is written. `check` runs inside the transaction, so the limits are judged on what is committed.
 */
export function recordOfflineQrisPayment(
  db: Database,
  o: {
    paymentId: string;
    saleId: string;
    amount: Rupiah;
    qrString: string;
    offlineRef: string;
    merchantName: string | null;
  },
  now: number,
  check: () => void,
): PaymentRecord {
  return db.transaction(() => {
    const sale = requireSale(db, o.saleId);
    if (sale.status === 'paid') throw fail('ALREADY_PAID', 'this sale is already paid');
    if (sale.total !== o.amount) throw fail('CONFLICT', 'the sale total changed since the QR was made; show it again');
    if (getPayment(db, o.paymentId)) throw fail('CONFLICT', 'this offline payment is already recorded');
    const open = listPaymentsOfSale(db, o.saleId).filter((p) => p.status === 'pending');
    if (open.length > 0) throw fail('CONFLICT', 'a QRIS payment for this sale is still open; cancel it first');
    check();
    const p: PaymentRecord = {
      id: o.paymentId,
      saleId: o.saleId,
      method: 'qris',
      status: 'unverified',
      late: false,
      amount: o.amount,
      provider: null,
      providerRef: null,
      payerWallet: null,
      qrString: o.qrString,
      merchantName: o.merchantName,
      expiresAt: null,
      tendered: null,
      change: null,
      createdAt: now,
      updatedAt: now,
      paidAt: null,
      offlineRef: o.offlineRef,
    };
    insertPayment(db, p);
    markSalePaid(db, o.saleId, now);
    enqueue(db, { id: newId(), kind: 'payment.offline_qris', entityId: p.id, payload: p }, now);
    return p;
  })();
}

/**
 * The cashier cancelled while the server could not be told: the payment is cancelled here and the request
 * waits in the outbox. If the customer had paid meanwhile, the server's `paid` still wins (late → review).
 */
export function recordLocalCancel(db: Database, paymentId: string, now: number): PaymentRecord {
  return db.transaction(() => {
    const p = getPayment(db, paymentId);
    if (!p) throw fail('NOT_FOUND', `no payment ${paymentId}`);
    const t = transition(p.status, 'cancelled');
    if (t.kind === 'duplicate') return p;
    if (t.kind !== 'apply') throw fail(p.status === 'paid' ? 'ALREADY_PAID' : 'CONFLICT', `payment is ${p.status}`);
    updatePayment(db, p.id, { status: 'cancelled' }, now);
    enqueue(db, { id: newId(), kind: 'payment.cancel_requested', entityId: p.id, payload: { paymentId: p.id } }, now);
    return getPayment(db, p.id)!;
  })();
}

/** The server refused to create the payment (4xx): it can never be paid, so it must not block the sale. */
export function recordLocalFailure(
  db: Database,
  paymentId: string,
  status: 'failed',
  now: number,
): PaymentRecord | null {
  return db.transaction(() => {
    const p = getPayment(db, paymentId);
    if (!p || transition(p.status, status).kind !== 'apply') return null;
    updatePayment(db, p.id, { status }, now);
    return getPayment(db, p.id);
  })();
}

export type Applied = { payment: PaymentRecord; changed: boolean; salePaid: boolean } | null;

/**
 * Applies the server's view of a payment in one transaction. Unknown payments (another till's, or one this
 * till never made) are ignored: returns null. A view that would move the status backwards keeps the local
 * status but still fills in what the server knows (QR string, expiry) when that is missing.
 */
export function applyServerView(db: Database, v: PaymentView, now: number): Applied {
  return db.transaction((): Applied => {
    const p = getPayment(db, v.payment_id);
    if (!p || p.saleId !== v.sale_id) return null;
    const u: PaymentUpdate = {};
    const t = transition(p.status, v.status);
    // The server already walked the lattice; an "early" view is its settled state, so take it as well.
    if (t.kind === 'apply' || t.kind === 'early') {
      u.status = v.status;
      u.late = v.late || (t.kind === 'apply' && t.late);
    } else if (t.kind === 'duplicate' && v.late && !p.late) {
      u.late = true;
    }
    if (v.paid_at !== null && p.paidAt === null && isMoneyIn(u.status ?? p.status)) u.paidAt = v.paid_at;
    if (p.qrString === null && v.qr_string !== null) {
      u.qrString = v.qr_string;
      u.merchantName = merchantNameOf(v.qr_string);
    }
    if (v.expires_at !== null && p.expiresAt !== v.expires_at) u.expiresAt = v.expires_at;
    if (p.provider === null) u.provider = v.provider;
    if (v.provider_ref !== null && p.providerRef !== v.provider_ref) u.providerRef = v.provider_ref;
    if (v.payer_wallet && p.payerWallet !== v.payer_wallet) u.payerWallet = v.payer_wallet;
    const keys = Object.keys(u);
    if (keys.length > 0) updatePayment(db, p.id, u, now);
    const status = u.status ?? p.status;
    const salePaid = isMoneyIn(status) && markSalePaid(db, p.saleId, u.paidAt ?? p.paidAt ?? now);
    return { payment: getPayment(db, p.id)!, changed: keys.length > 0, salePaid };
  })();
}

function merchantNameOf(qr: string): string | null {
  try {
    return describeQris(qr).merchantName;
  } catch {
    return null;
  }
}
