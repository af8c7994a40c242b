import type { Database } from 'better-sqlite3';
import type { PaymentMethod } from '../../../../shared/ipc.ts';
import { type Rupiah, rupiah } from '../../../../shared/money.ts';
import type { PaymentStatus } from '../../../../shared/payment-status.ts';

export type PaymentRecord = {
  id: string;
  saleId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  late: boolean;
  amount: Rupiah;
  provider: string | null;
  providerRef: string | null;
  payerWallet: string | null;
  qrString: string | null;
  merchantName: string | null;
  expiresAt: number | null;
  tendered: Rupiah | null;
  change: Rupiah | null;
  createdAt: number;
  updatedAt: number;
  paidAt: number | null;
  /** Offline QRIS only: its reference label (tag 62/05). */
  offlineRef: string | null;
};

type Row = {
  id: string;
  sale_id: string;
  method: PaymentMethod;
  status: PaymentStatus;
  late: number;
  amount: number;
  provider: string | null;
  provider_ref: string | null;
  payer_wallet: string | null;
  qr_string: string | null;
  merchant_name: string | null;
  expires_at: number | null;
  tendered: number | null;
  change_due: number | null;
  created_at: number;
  updated_at: number;
  paid_at: number | null;
  offline_ref: string | null;
};

const COLUMNS =
  'id, sale_id, method, status, late, amount, provider, provider_ref, payer_wallet, qr_string, merchant_name, expires_at, tendered, change_due, created_at, updated_at, paid_at, offline_ref';

const toRecord = (r: Row): PaymentRecord => ({
  id: r.id,
  saleId: r.sale_id,
  method: r.method,
  status: r.status,
  late: r.late === 1,
  amount: rupiah(r.amount),
  provider: r.provider,
  providerRef: r.provider_ref,
  payerWallet: r.payer_wallet,
  qrString: r.qr_string,
  merchantName: r.merchant_name,
  expiresAt: r.expires_at,
  tendered: r.tendered === null ? null : rupiah(r.tendered),
  change: r.change_due === null ? null : rupiah(r.change_due),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  paidAt: r.paid_at,
  offlineRef: r.offline_ref,
});

export function insertPayment(db: Database, p: PaymentRecord): void {
  db.prepare(
    `INSERT INTO payments (${COLUMNS}) VALUES (@id, @saleId, @method, @status, @late, @amount, @provider,
       @providerRef, @payerWallet, @qrString, @merchantName, @expiresAt, @tendered, @change, @createdAt, @updatedAt, @paidAt, @offlineRef)`,
  ).run({ ...p, late: p.late ? 1 : 0 });
}

export function getPayment(db: Database, id: string): PaymentRecord | null {
  const r = db.prepare(`SELECT ${COLUMNS} FROM payments WHERE id = ?`).get(id) as Row | undefined;
  return r ? toRecord(r) : null;
}

export function listPaymentsOfSale(db: Database, saleId: string): PaymentRecord[] {
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM payments WHERE sale_id = ? ORDER BY created_at, id`)
    .all(saleId) as Row[];
  return rows.map(toRecord);
}

/** QRIS payments still waiting for the server's verdict (what the polling fallback and expiry timers watch). */
export function listPendingQris(db: Database): PaymentRecord[] {
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM payments WHERE status = 'pending' AND method = 'qris' ORDER BY created_at`)
    .all() as Row[];
  return rows.map(toRecord);
}

export type PaymentUpdate = Partial<
  Pick<
    PaymentRecord,
    | 'status'
    | 'late'
    | 'provider'
    | 'providerRef'
    | 'payerWallet'
    | 'qrString'
    | 'merchantName'
    | 'expiresAt'
    | 'paidAt'
  >
>;

const UPDATABLE: Record<keyof PaymentUpdate, string> = {
  status: 'status',
  late: 'late',
  provider: 'provider',
  providerRef: 'provider_ref',
  payerWallet: 'payer_wallet',
  qrString: 'qr_string',
  merchantName: 'merchant_name',
  expiresAt: 'expires_at',
  paidAt: 'paid_at',
};

export function updatePayment(db: Database, id: string, u: PaymentUpdate, now: number): void {
  const keys = (Object.keys(u) as (keyof PaymentUpdate)[]).filter((k) => u[k] !== undefined);
  const sets = keys.map((k) => `${UPDATABLE[k]} = @${k}`);
  const params: Record<string, unknown> = { id, now };
  for (const k of keys) params[k] = k === 'late' ? (u.late ? 1 : 0) : u[k];
  db.prepare(`UPDATE payments SET ${[...sets, 'updated_at = @now'].join(', ')} WHERE id = @id`).run(params);
}

/** Offline QRIS money the cashier confirmed that no provider has confirmed yet. */
export function sumUnverified(db: Database): number {
  return (
    db.prepare(`SELECT coalesce(sum(amount), 0) AS total FROM payments WHERE status = 'unverified'`).get() as {
      total: number;
    }
  ).total;
}

/** Offline QRIS payments no provider has confirmed yet, oldest first (bounded for the manager's screen). */
export function listUnverified(db: Database, limit = 500): PaymentRecord[] {
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM payments WHERE status = 'unverified' ORDER BY created_at LIMIT ?`)
    .all(limit) as Row[];
  return rows.map(toRecord);
}
