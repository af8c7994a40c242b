/**
 * The counter: receipt printing with a durable queue, cashier shifts, and the customer display state.
 * Owned by the till core (one instance), which calls the `on…` hooks when payments change.
 */
import type { Database } from 'better-sqlite3';
import {
  COUNTER_EVENTS,
  type DisplayLine,
  type DisplayState,
  type PaperMm,
  type PrinterView,
  type PrintJobView,
  type PrintQueueView,
  type ShiftReport,
  type ShiftView,
} from '../../../shared/counter.ts';
import { newId } from '../../../shared/ids.ts';
import type { IpcParsed } from '../../../shared/ipc.ts';
import { rupiah } from '../../../shared/money.ts';
import type { ShiftReportRequest } from '../../../shared/schemas/shifts.ts';
import {
  closeShiftRow,
  getOpenShift,
  getPrintJob,
  getShift,
  hasPrintJob,
  hasShiftOutbox,
  insertOpenShift,
  insertPrintJob,
  lastClosedShift,
  lastPrintedJob,
  listQueuedPrintJobs,
  markPrinted,
  markPrintFailed,
  printJobBytes,
  readPrinterConfig,
  type ShiftRecord,
  shiftTotals,
  writePrinterConfig,
} from '../db/repos/counter-repo.ts';
import { enqueue } from '../db/repos/outbox-repo.ts';
import { listPaymentsOfSale, type PaymentRecord } from '../db/repos/payments-repo.ts';
import { getProduct } from '../db/repos/products-repo.ts';
import { getSaleLines } from '../db/repos/sales-repo.ts';
import { fail, type Logger } from '../errors.ts';
import type { TillEventBus } from '../events.ts';
import { priceDraft } from '../sales/pricing.ts';
import { requireSale } from '../sales/sales.ts';
import type { DeviceConfig } from '../settings.ts';
import { encodeReceipt, encodeShiftReport, type ReceiptDoc } from './escpos.ts';
import { type PrinterTransport, transportFor } from './printer-transport.ts';

export type CounterHost = {
  db: Database;
  events: TillEventBus;
  log: Logger;
  now: () => number;
  config: () => DeviceConfig;
  fetch?: typeof fetch;
  /** Tests swap the transport (e.g. to count sends); default: from the printer configuration. */
  transport?: (p: PrinterView) => PrinterTransport | null;
  /** Something was added to the outbox (a closed shift's report): send it now rather than at the next drain. */
  outboxChanged?: () => void;
};

const MONEY_IN = new Set(['paid', 'unverified', 'needs_review']);

/** A short, readable sale number for the slip (the same as the screen's); the QR carries the full id. */
export const saleNumber = (id: string) => id.replace(/-/g, '').slice(-8).toUpperCase();

export class Counter {
  readonly #h: CounterHost;
  #display: DisplayState;
  /** The sale the display follows once it was charged; its cart is what "back to the cart" shows. */
  #displaySaleId: string | null = null;
  #printing: Promise<void> = Promise.resolve();
  #lastAutoRetry = 0;
  /** Whether the shown shift's report had reached the server, as last told to the screen. */
  #shownSynced: boolean | null = null;

  constructor(h: CounterHost) {
    this.#h = h;
    this.#display = { phase: 'idle', storeName: h.config().storeName };
  }

  // ---------------------------------------------------------------------------------------------- printer

  getPrinter(): PrinterView {
    return readPrinterConfig(this.#h.db);
  }

  savePrinter(i: IpcParsed<'printer:set'>): PrinterView {
    const before = this.getPrinter();
    const next: PrinterView = {
      transport: i.transport,
      host: i.transport === 'none' ? null : (i.host ?? null),
      port: i.transport === 'tcp' ? (i.port ?? null) : null,
      paperMm: i.paperMm ?? before.paperMm,
      autoPrint: i.autoPrint ?? before.autoPrint,
    };
    writePrinterConfig(this.#h.db, next);
    return next;
  }

  /** Renders the receipt now and queues it; the printer is tried in the background (the sale never waits). */
  printReceipt(i: IpcParsed<'print:receipt'>): PrintJobView {
    const printer = this.getPrinter();
    if (printer.transport === 'none') throw fail('NOT_CONFIGURED', 'no receipt printer is set up');
    const job = this.#queueReceipt(i.saleId, printer.paperMm);
    void this.flushPrints();
    return job;
  }

  printQueue(): PrintQueueView {
    return { queued: listQueuedPrintJobs(this.#h.db), lastPrinted: lastPrintedJob(this.#h.db) };
  }

  async retryPrints(): Promise<PrintQueueView> {
    await this.flushPrints();
    return this.printQueue();
  }

  /**
   * Sends queued jobs in order; stops at the first failure (the printer is off: the rest would fail the same
   * way and must not print out of order later). Runs one at a time.
   */
  flushPrints(): Promise<void> {
    const run = this.#printing.then(() => this.#flushOnce());
    this.#printing = run.catch(() => undefined);
    return this.#printing;
  }

  /**
   * Called by the core's watchdog: while jobs wait, the printer is tried again now and then, so a printer
   * switched back on prints its queue without anyone pressing retry.
   */
  autoRetryPrints(everyMs = 30_000): void {
    const now = this.#h.now();
    if (now - this.#lastAutoRetry < everyMs || !this.#h.db.open) return;
    if (listQueuedPrintJobs(this.#h.db).length === 0) return;
    this.#lastAutoRetry = now;
    void this.flushPrints();
  }

  /** The receipt as bytes, stored in the queue: returns the job (what "ready to print" means). */
  #queueReceipt(saleId: string, paper: PaperMm): PrintJobView {
    const bytes = encodeReceipt(this.receiptDoc(saleId), paper);
    const id = newId();
    insertPrintJob(this.#h.db, { id, kind: 'receipt', refId: saleId, paperMm: paper, bytes }, this.#h.now());
    this.#publishQueue();
    return getPrintJob(this.#h.db, id)!;
  }

  receiptDoc(saleId: string): ReceiptDoc {
    const db = this.#h.db;
    const c = this.#h.config();
    const sale = requireSale(db, saleId);
    const payments = listPaymentsOfSale(db, saleId);
    const p = payments.find((x) => x.status === 'paid') ?? payments.find((x) => MONEY_IN.has(x.status)) ?? null;
    return {
      storeName: c.storeName,
      deviceName: c.deviceName,
      saleId: sale.id,
      saleNo: saleNumber(sale.id),
      paidAt: sale.paidAt ?? p?.paidAt ?? sale.createdAt,
      lines: getSaleLines(db, saleId).map((l) => ({
        name: l.name,
        qty: l.qty,
        unitPrice: l.unitPrice,
        lineTotal: l.lineTotal,
      })),
      subtotal: sale.subtotal,
      discountAmount: sale.discountAmount,
      total: sale.total,
      payment: p
        ? {
            method: p.method,
            tendered: p.tendered,
            change: p.change,
            provider: p.provider,
            providerRef: p.providerRef,
            payerWallet: p.payerWallet,
            unverified: p.status === 'unverified' || p.status === 'needs_review',
          }
        : null,
      language: c.language,
    };
  }

  async #flushOnce(): Promise<void> {
    const db = this.#h.db;
    if (!db.open) return;
    const queued = listQueuedPrintJobs(db);
    if (queued.length === 0) return;
    const printer = this.getPrinter();
    const transport = (this.#h.transport ?? transportFor)(printer);
    for (const job of queued) {
      if (!transport) {
        markPrintFailed(db, job.id, 'no receipt printer is set up', this.#h.now());
        break;
      }
      const bytes = printJobBytes(db, job.id);
      if (!bytes) continue;
      try {
        await transport.send(bytes);
        if (!db.open) return;
        markPrinted(db, job.id, this.#h.now());
      } catch (e) {
        if (!db.open) return;
        markPrintFailed(db, job.id, e instanceof Error ? e.message : String(e), this.#h.now());
        this.#h.log.warn('receipt printer failed; the job stays queued', { job: job.id, err: e });
        break;
      }
    }
    this.#publishQueue();
  }

  #publishQueue(): void {
    if (this.#h.db.open) this.#h.events.emit(COUNTER_EVENTS.printChanged, this.printQueue());
  }

  // ----------------------------------------------------------------------------------------------- shifts

  /**
   * The outbox drain calls this after it changed something: a closed shift whose report has just reached the
   * server is shown as synced.
   */
  syncChanged(): void {
    if (!this.#h.db.open) return;
    const s = this.currentShift();
    const synced = s?.synced ?? null;
    if (s && synced !== this.#shownSynced) this.#h.events.emit(COUNTER_EVENTS.shiftChanged, s);
    this.#shownSynced = synced;
  }

  currentShift(): ShiftView | null {
    const db = this.#h.db;
    const open = getOpenShift(db);
    if (open) return this.#shiftView(open);
    const last = lastClosedShift(db);
    return last ? this.#shiftView(last) : null;
  }

  openShift(i: IpcParsed<'shift:open'>): ShiftView {
    const db = this.#h.db;
    const id = newId();
    db.transaction(() => {
      if (getOpenShift(db)) throw fail('CONFLICT', 'a shift is already open; close it first');
      insertOpenShift(db, id, rupiah(i.openingFloat), i.cashier ?? null, this.#h.now());
    })();
    const v = this.#shiftView(getShift(db, id)!);
    this.#h.events.emit(COUNTER_EVENTS.shiftChanged, v);
    return v;
  }

  /**
   * Closes the open shift: the report is computed and frozen, and written with its outbox row in one
   * transaction; then it is printed (when a printer is set up) and sent to the server in the background.
   */
  closeShift(i: IpcParsed<'shift:close'>): ShiftView {
    const db = this.#h.db;
    const now = this.#h.now();
    const counted = rupiah(i.countedCash);
    const id = db.transaction(() => {
      const open = getOpenShift(db);
      if (!open) throw fail('CONFLICT', 'no shift is open');
      const report = { ...this.#report(open, now), countedCash: counted };
      report.difference = counted - report.expectedCash;
      closeShiftRow(db, open.id, counted, report, now);
      const wire: ShiftReportRequest = {
        shift_id: open.id,
        opened_at: open.openedAt,
        closed_at: now,
        opening_float: report.openingFloat,
        cash_sales: report.cashSales,
        expected_cash: report.expectedCash,
        counted_cash: counted,
        difference: report.difference,
        qris_by_provider: report.qrisByProvider,
        unverified: report.unverified,
        refunded: report.refunded,
        sales_count: report.salesCount,
        cashier: open.cashier,
      };
      enqueue(db, { id: newId(), kind: 'shift.closed', entityId: open.id, payload: wire }, now);
      return open.id;
    })();
    const shift = getShift(db, id)!;
    const printer = this.getPrinter();
    if (printer.transport !== 'none' && shift.report) {
      const c = this.#h.config();
      const r = shift.report;
      const bytes = encodeShiftReport(
        {
          storeName: c.storeName,
          deviceName: c.deviceName,
          shiftId: shift.id,
          openedAt: shift.openedAt,
          closedAt: shift.closedAt ?? now,
          openingFloat: r.openingFloat,
          cashSales: r.cashSales,
          expectedCash: r.expectedCash,
          countedCash: counted,
          difference: r.difference ?? 0,
          qrisByProvider: r.qrisByProvider,
          unverified: r.unverified,
          refunded: r.refunded,
          salesCount: r.salesCount,
          language: c.language,
        },
        printer.paperMm,
      );
      insertPrintJob(db, { id: newId(), kind: 'shift_report', refId: shift.id, paperMm: printer.paperMm, bytes }, now);
      void this.flushPrints();
    }
    this.#h.outboxChanged?.();
    const v = this.#shiftView(shift);
    this.#h.events.emit(COUNTER_EVENTS.shiftChanged, v);
    return v;
  }

  #report(s: ShiftRecord, to: number): ShiftReport {
    const t = shiftTotals(this.#h.db, s.openedAt, to);
    return {
      openingFloat: s.openingFloat,
      cashSales: t.cashSales,
      expectedCash: rupiah(s.openingFloat + t.cashSales),
      countedCash: null,
      difference: null,
      qrisByProvider: t.qrisByProvider,
      unverified: t.unverified,
      refunded: t.refunded,
      salesCount: t.salesCount,
    };
  }

  #shiftView(s: ShiftRecord): ShiftView {
    return {
      id: s.id,
      status: s.status,
      openedAt: s.openedAt,
      closedAt: s.closedAt,
      cashier: s.cashier,
      report: s.report ?? this.#report(s, this.#h.now()),
      synced: s.status === 'closed' && !hasShiftOutbox(this.#h.db, s.id),
    };
  }

  // ---------------------------------------------------------------------------------------------- display

  display(): DisplayState {
    // The store's name can change in the settings after the last update; the customer sees the current one.
    return { ...this.#display, storeName: this.#h.config().storeName };
  }

  /** The cashier's cart, priced here from the catalog (the screen never sends prices). */
  showCart(i: IpcParsed<'display:cart'>): DisplayState {
    const storeName = this.#h.config().storeName;
    this.#displaySaleId = null;
    if (i.lines.length === 0) return this.#setDisplay({ phase: 'idle', storeName });
    const priced = priceDraft({ lines: i.lines, ...(i.discount ? { discount: i.discount } : {}) }, (id) =>
      getProduct(this.#h.db, id),
    );
    return this.#setDisplay({
      phase: 'cart',
      storeName,
      lines: priced.lines.map((l) => ({ name: l.name, qty: l.qty, lineTotal: l.lineTotal })),
      subtotal: priced.subtotal,
      discountAmount: priced.discountAmount,
      total: priced.total,
    });
  }

  // ------------------------------------------------------------------------------------------------ hooks

  /** Every payment change the core publishes passes here: display, and the receipt once a sale is paid. */
  onPayment(p: PaymentRecord): void {
    const db = this.#h.db;
    const sale = requireSale(db, p.saleId);
    const storeName = this.#h.config().storeName;
    const lines = (): DisplayLine[] =>
      getSaleLines(db, sale.id).map((l) => ({ name: l.name, qty: l.qty, lineTotal: l.lineTotal }));
    const followed = this.#displaySaleId === sale.id || this.#display.phase !== 'paid';
    if (sale.status === 'paid' && MONEY_IN.has(p.status)) {
      if (followed) {
        this.#displaySaleId = sale.id;
        this.#setDisplay({ phase: 'paid', storeName, total: sale.total, method: p.method, change: p.change });
      }
      this.#autoPrint(sale.id);
      // The open shift's running totals moved.
      if (getOpenShift(db)) this.#h.events.emit(COUNTER_EVENTS.shiftChanged, this.currentShift());
    } else if (p.method === 'qris' && p.status === 'pending' && followed) {
      this.#displaySaleId = sale.id;
      this.#setDisplay({
        phase: 'qris',
        storeName,
        lines: lines(),
        total: sale.total,
        qrString: p.qrString,
        merchantName: p.merchantName,
        expiresAt: p.expiresAt,
      });
    } else if (this.#displaySaleId === sale.id && sale.status === 'open') {
      // The QR ended without money (cancelled, expired, failed): the customer sees the cart again.
      this.#setDisplay({
        phase: 'cart',
        storeName,
        lines: lines(),
        subtotal: sale.subtotal,
        discountAmount: sale.discountAmount,
        total: sale.total,
      });
    }
  }

  #autoPrint(saleId: string): void {
    const printer = this.getPrinter();
    if (printer.transport === 'none' || !printer.autoPrint) return;
    // Once per sale, across restarts: a reprint is the cashier's explicit print:receipt.
    if (hasPrintJob(this.#h.db, 'receipt', saleId)) return;
    try {
      this.#queueReceipt(saleId, printer.paperMm);
      void this.flushPrints();
    } catch (e) {
      // The sale is paid and recorded; a receipt that cannot be rendered must not undo that.
      this.#h.log.error('receipt could not be queued', { saleId, err: e });
    }
  }

  #setDisplay(d: DisplayState): DisplayState {
    this.#display = d;
    this.#h.events.emit(COUNTER_EVENTS.displayChanged, d);
    return d;
  }
}
