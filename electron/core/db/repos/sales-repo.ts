import type { Database } from 'better-sqlite3';
import type { DiscountSpec, SaleLine, SaleStatus } from '../../../../shared/ipc.ts';
import { type Rupiah, rupiah } from '../../../../shared/money.ts';

export type SaleRecord = {
  id: string;
  status: SaleStatus;
  subtotal: Rupiah;
  discount: DiscountSpec | null;
  discountAmount: Rupiah;
  total: Rupiah;
  createdAt: number;
  paidAt: number | null;
  /** Who rang it up (the open shift's cashier), when the till knew. */
  cashier: string | null;
};

type SaleRow = {
  id: string;
  status: SaleStatus;
  subtotal: number;
  discount_kind: 'amount' | 'percent_bp' | null;
  discount_value: number | null;
  discount_amount: number;
  total: number;
  created_at: number;
  paid_at: number | null;
  cashier: string | null;
};

type LineRow = {
  id: string;
  product_id: string;
  sku: string;
  name: string;
  qty: number;
  unit_price: number;
  line_total: number;
};

const toSale = (r: SaleRow): SaleRecord => ({
  id: r.id,
  status: r.status,
  subtotal: rupiah(r.subtotal),
  discount:
    r.discount_kind === null || r.discount_value === null ? null : { kind: r.discount_kind, value: r.discount_value },
  discountAmount: rupiah(r.discount_amount),
  total: rupiah(r.total),
  createdAt: r.created_at,
  paidAt: r.paid_at,
  cashier: r.cashier,
});

const toLine = (r: LineRow): SaleLine => ({
  id: r.id,
  productId: r.product_id,
  sku: r.sku,
  name: r.name,
  qty: r.qty,
  unitPrice: rupiah(r.unit_price),
  lineTotal: rupiah(r.line_total),
});

const SALE_COLUMNS =
  'id, status, subtotal, discount_kind, discount_value, discount_amount, total, created_at, paid_at, cashier';

export function insertSale(db: Database, s: SaleRecord, lines: SaleLine[]): void {
  db.prepare(
    `INSERT INTO sales (${SALE_COLUMNS})
     VALUES (@id, @status, @subtotal, @discountKind, @discountValue, @discountAmount, @total, @createdAt, @paidAt,
       @cashier)`,
  ).run({
    id: s.id,
    status: s.status,
    subtotal: s.subtotal,
    discountKind: s.discount?.kind ?? null,
    discountValue: s.discount?.value ?? null,
    discountAmount: s.discountAmount,
    total: s.total,
    createdAt: s.createdAt,
    paidAt: s.paidAt,
    cashier: s.cashier,
  });
  const line = db.prepare(
    `INSERT INTO sale_lines (id, sale_id, line_no, product_id, sku, name, qty, unit_price, line_total)
     VALUES (@id, @saleId, @lineNo, @productId, @sku, @name, @qty, @unitPrice, @lineTotal)`,
  );
  lines.forEach((l, i) => {
    line.run({ ...l, saleId: s.id, lineNo: i + 1 });
  });
}

export function getSale(db: Database, id: string): SaleRecord | null {
  const r = db.prepare(`SELECT ${SALE_COLUMNS} FROM sales WHERE id = ?`).get(id) as SaleRow | undefined;
  return r ? toSale(r) : null;
}

export function getSaleLines(db: Database, saleId: string): SaleLine[] {
  const rows = db
    .prepare(
      `SELECT id, product_id, sku, name, qty, unit_price, line_total FROM sale_lines
       WHERE sale_id = ? ORDER BY line_no`,
    )
    .all(saleId) as LineRow[];
  return rows.map(toLine);
}

export function listRecentSales(db: Database, limit: number, from = 0, to = Number.MAX_SAFE_INTEGER): SaleRecord[] {
  const rows = db
    .prepare(
      `SELECT ${SALE_COLUMNS} FROM sales WHERE created_at BETWEEN ? AND ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .all(from, to, limit) as SaleRow[];
  return rows.map(toSale);
}

/** Marks an open sale paid; returns false when it was already paid (a duplicate is a no-op). */
export function markSalePaid(db: Database, id: string, paidAt: number): boolean {
  return (
    db.prepare(`UPDATE sales SET status = 'paid', paid_at = ? WHERE id = ? AND status = 'open'`).run(paidAt, id)
      .changes === 1
  );
}
