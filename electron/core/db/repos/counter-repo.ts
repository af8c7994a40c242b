/** Printer configuration, the print queue and cashier shifts (migration 0002_counter). */
import type { Database } from 'better-sqlite3';
import type {
  PaperMm,
  PrinterTransportKind,
  PrinterView,
  PrintJobView,
  ShiftReport,
} from '../../../../shared/counter.ts';
import { type Rupiah, rupiah } from '../../../../shared/money.ts';

// ------------------------------------------------------------------------------------------------ printer

type PrinterRow = {
  transport: PrinterTransportKind;
  host: string | null;
  port: number | null;
  paper_mm: number;
  auto_print: number;
};

export function readPrinterConfig(db: Database): PrinterView {
  const r = db
    .prepare('SELECT transport, host, port, paper_mm, auto_print FROM printer_config WHERE id = 1')
    .get() as PrinterRow;
  return {
    transport: r.transport,
    host: r.host,
    port: r.port,
    paperMm: r.paper_mm === 80 ? 80 : 58,
    autoPrint: r.auto_print === 1,
  };
}

export function writePrinterConfig(db: Database, p: PrinterView): void {
  db.prepare(
    'UPDATE printer_config SET transport = ?, host = ?, port = ?, paper_mm = ?, auto_print = ? WHERE id = 1',
  ).run(p.transport, p.host, p.port, p.paperMm, p.autoPrint ? 1 : 0);
}

// -------------------------------------------------------------------------------------------------- jobs

type JobRow = {
  id: string;
  kind: PrintJobView['kind'];
  ref_id: string;
  paper_mm: number;
  status: PrintJobView['status'];
  attempts: number;
  last_error: string | null;
  created_at: number;
  printed_at: number | null;
};
const JOB_COLUMNS = 'id, kind, ref_id, paper_mm, status, attempts, last_error, created_at, printed_at';
const toJob = (r: JobRow): PrintJobView => ({
  id: r.id,
  kind: r.kind,
  refId: r.ref_id,
  paperMm: r.paper_mm === 80 ? 80 : 58,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  printedAt: r.printed_at,
});

export function insertPrintJob(
  db: Database,
  j: { id: string; kind: PrintJobView['kind']; refId: string; paperMm: PaperMm; bytes: Uint8Array },
  now: number,
): void {
  db.prepare(
    `INSERT INTO print_jobs (id, kind, ref_id, paper_mm, bytes, status, attempts, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
  ).run(j.id, j.kind, j.refId, j.paperMm, Buffer.from(j.bytes), now, now);
}

export function getPrintJob(db: Database, id: string): PrintJobView | null {
  const r = db.prepare(`SELECT ${JOB_COLUMNS} FROM print_jobs WHERE id = ?`).get(id) as JobRow | undefined;
  return r ? toJob(r) : null;
}

export function printJobBytes(db: Database, id: string): Buffer | null {
  const r = db.prepare('SELECT bytes FROM print_jobs WHERE id = ?').get(id) as { bytes: Buffer } | undefined;
  return r?.bytes ?? null;
}

export function hasPrintJob(db: Database, kind: PrintJobView['kind'], refId: string): boolean {
  return db.prepare('SELECT 1 FROM print_jobs WHERE kind = ? AND ref_id = ? LIMIT 1').get(kind, refId) !== undefined;
}

export function listQueuedPrintJobs(db: Database): PrintJobView[] {
  const rows = db
    .prepare(`SELECT ${JOB_COLUMNS} FROM print_jobs WHERE status = 'queued' ORDER BY created_at, id`)
    .all() as JobRow[];
  return rows.map(toJob);
}

export function lastPrintedJob(db: Database): PrintJobView | null {
  const r = db
    .prepare(`SELECT ${JOB_COLUMNS} FROM print_jobs WHERE status = 'printed' ORDER BY printed_at DESC, id DESC LIMIT 1`)
    .get() as JobRow | undefined;
  return r ? toJob(r) : null;
}

export function markPrinted(db: Database, id: string, now: number): void {
  db.prepare(
    `UPDATE print_jobs SET status = 'printed', attempts = attempts + 1, last_error = NULL, printed_at = ?, updated_at = ?
     WHERE id = ? AND status = 'queued'`,
  ).run(now, now, id);
}

export function markPrintFailed(db: Database, id: string, error: string, now: number): void {
  db.prepare('UPDATE print_jobs SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?').run(
    error.slice(0, 500),
    now,
    id,
  );
}

// ------------------------------------------------------------------------------------------------ shifts

export type ShiftRecord = {
  id: string;
  status: 'open' | 'closed';
  openedAt: number;
  openingFloat: Rupiah;
  cashier: string | null;
  closedAt: number | null;
  countedCash: Rupiah | null;
  report: ShiftReport | null;
};
type ShiftRow = {
  id: string;
  status: 'open' | 'closed';
  opened_at: number;
  opening_float: number;
  cashier: string | null;
  closed_at: number | null;
  counted_cash: number | null;
  report: string | null;
};
const toShift = (r: ShiftRow): ShiftRecord => ({
  id: r.id,
  status: r.status,
  openedAt: r.opened_at,
  openingFloat: rupiah(r.opening_float),
  cashier: r.cashier,
  closedAt: r.closed_at,
  countedCash: r.counted_cash === null ? null : rupiah(r.counted_cash),
  report: r.report === null ? null : (JSON.parse(r.report) as ShiftReport),
});
const SHIFT_COLUMNS = 'id, status, opened_at, opening_float, cashier, closed_at, counted_cash, report';

export function getOpenShift(db: Database): ShiftRecord | null {
  const r = db.prepare(`SELECT ${SHIFT_COLUMNS} FROM shifts WHERE status = 'open'`).get() as ShiftRow | undefined;
  return r ? toShift(r) : null;
}

export function getShift(db: Database, id: string): ShiftRecord | null {
  const r = db.prepare(`SELECT ${SHIFT_COLUMNS} FROM shifts WHERE id = ?`).get(id) as ShiftRow | undefined;
  return r ? toShift(r) : null;
}

export function lastClosedShift(db: Database): ShiftRecord | null {
  const r = db
    .prepare(`SELECT ${SHIFT_COLUMNS} FROM shifts WHERE status = 'closed' ORDER BY closed_at DESC, id DESC LIMIT 1`)
    .get() as ShiftRow | undefined;
  return r ? toShift(r) : null;
}

export function insertOpenShift(
  db: Database,
  id: string,
  openingFloat: Rupiah,
  cashier: string | null,
  now: number,
): void {
  db.prepare(`INSERT INTO shifts (id, status, opened_at, opening_float, cashier) VALUES (?, 'open', ?, ?, ?)`).run(
    id,
    now,
    openingFloat,
    cashier,
  );
}

/** The name of the cashier whose shift is open, if one is. */
export function cashierOnDuty(db: Database): string | null {
  const r = db.prepare(`SELECT cashier FROM shifts WHERE status = 'open'`).get() as
    | { cashier: string | null }
    | undefined;
  return r?.cashier ?? null;
}

export function closeShiftRow(
  db: Database,
  id: string,
  countedCash: Rupiah,
  report: ShiftReport,
  now: number,
): boolean {
  return (
    db
      .prepare(
        `UPDATE shifts SET status = 'closed', closed_at = ?, counted_cash = ?, report = ? WHERE id = ? AND status = 'open'`,
      )
      .run(now, countedCash, JSON.stringify(report), id).changes === 1
  );
}

/**
 * The money a shift saw, from the till's own payments in [from, to]: cash and QRIS by when they were paid,
 * unverified offline QRIS by when it was taken, refunds of payments paid in the window.
 */
export function shiftTotals(
  db: Database,
  from: number,
  to: number,
): {
  cashSales: Rupiah;
  qrisByProvider: Record<string, Rupiah>;
  unverified: Rupiah;
  refunded: Rupiah;
  salesCount: number;
} {
  const one = (sql: string) => (db.prepare(sql).get({ from, to }) as { n: number }).n;
  const cashSales = one(
    `SELECT coalesce(sum(amount), 0) AS n FROM payments
     WHERE method = 'cash' AND status = 'paid' AND paid_at BETWEEN @from AND @to`,
  );
  const byProvider = db
    .prepare(
      `SELECT coalesce(provider, 'unknown') AS provider, sum(amount) AS n FROM payments
       WHERE method = 'qris' AND status = 'paid' AND paid_at BETWEEN @from AND @to GROUP BY 1 ORDER BY 1`,
    )
    .all({ from, to }) as { provider: string; n: number }[];
  const unverified = one(
    `SELECT coalesce(sum(amount), 0) AS n FROM payments
     WHERE status IN ('unverified', 'needs_review') AND created_at BETWEEN @from AND @to`,
  );
  const refunded = one(
    `SELECT coalesce(sum(amount), 0) AS n FROM payments
     WHERE status IN ('refunded', 'partially_refunded') AND paid_at BETWEEN @from AND @to`,
  );
  const salesCount = one(
    `SELECT count(DISTINCT sale_id) AS n FROM payments
     WHERE status IN ('paid', 'unverified', 'needs_review', 'refunded', 'partially_refunded')
       AND coalesce(paid_at, created_at) BETWEEN @from AND @to`,
  );
  return {
    cashSales: rupiah(cashSales),
    qrisByProvider: Object.fromEntries(byProvider.map((r) => [r.provider, rupiah(r.n)])),
    unverified: rupiah(unverified),
    refunded: rupiah(refunded),
    salesCount,
  };
}

// ------------------------------------------------------------------------------- shift report sync

/** Whether the closed shift's report (outbox kind `shift.closed`) still waits to be pushed to the server. */
export function hasShiftOutbox(db: Database, shiftId: string): boolean {
  return db.prepare(`SELECT 1 FROM outbox WHERE kind = 'shift.closed' AND entity_id = ?`).get(shiftId) !== undefined;
}
