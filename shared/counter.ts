/**
 * The till API's counter part (issue 9): receipt printer, print queue, cashier shifts, customer display.
 * Merged into shared/ipc.ts's channel table, method table and event table; kept in its own file so the
 * contract of each feature reads in one place.
 */
import { z } from 'zod';
import type { Rupiah } from './money.ts';

// ------------------------------------------------------------------------------------------------- views

export type PaperMm = 58 | 80;
/** `device`: a character device the OS gives the printer (Linux `/dev/usb/lp0`, a serial `/dev/ttyUSB0`). */
export type PrinterTransportKind = 'none' | 'tcp' | 'device';

export type PrinterView = {
  transport: PrinterTransportKind;
  /** tcp: host name or IP; device: the device path. */
  host: string | null;
  port: number | null;
  paperMm: PaperMm;
  /** Print the receipt by itself when a sale is paid. */
  autoPrint: boolean;
};

export type PrintJobView = {
  id: string;
  kind: 'receipt' | 'shift_report';
  refId: string;
  paperMm: PaperMm;
  status: 'queued' | 'printed';
  attempts: number;
  lastError: string | null;
  createdAt: number;
  printedAt: number | null;
};

/** What the screen shows of the print queue; pushed on every change. */
export type PrintQueueView = { queued: PrintJobView[]; lastPrinted: PrintJobView | null };

export type ShiftReport = {
  openingFloat: Rupiah;
  cashSales: Rupiah;
  /** opening float + cash sales (change already given back is not in the drawer, so it is not counted). */
  expectedCash: Rupiah;
  countedCash: Rupiah | null;
  /** counted − expected; negative = cash missing. */
  difference: number | null;
  qrisByProvider: Record<string, Rupiah>;
  unverified: Rupiah;
  refunded: Rupiah;
  salesCount: number;
};

export type ShiftView = {
  id: string;
  status: 'open' | 'closed';
  openedAt: number;
  closedAt: number | null;
  /** Who opened the shift; the sales rung up during it carry this name. */
  cashier: string | null;
  /** Running totals while open; frozen at close. */
  report: ShiftReport;
  /** closed only: whether the server has acknowledged the report. */
  synced: boolean;
};

export type DisplayLine = { name: string; qty: number; lineTotal: Rupiah };

/** The customer display: what the customer may see, nothing they could act on. */
export type DisplayState =
  | { phase: 'idle'; storeName: string }
  | {
      phase: 'cart';
      storeName: string;
      lines: DisplayLine[];
      subtotal: Rupiah;
      discountAmount: Rupiah;
      total: Rupiah;
    }
  | {
      phase: 'qris';
      storeName: string;
      lines: DisplayLine[];
      total: Rupiah;
      qrString: string | null;
      merchantName: string | null;
      expiresAt: number | null;
    }
  | { phase: 'paid'; storeName: string; total: Rupiah; method: 'cash' | 'qris'; change: Rupiah | null };

// ------------------------------------------------------------------------------------------------ inputs

const Money = z.number().int({ error: 'must be whole rupiah' }).min(0).max(10_000_000_000);

export const PrinterInput = z
  .strictObject({
    transport: z.enum(['none', 'tcp', 'device']),
    host: z.string().trim().min(1).max(200).nullable().optional(),
    port: z.number().int().min(1).max(65_535).nullable().optional(),
    paperMm: z.union([z.literal(58), z.literal(80)]).optional(),
    autoPrint: z.boolean().optional(),
  })
  .refine((p) => p.transport !== 'tcp' || (!!p.host && !!p.port), { error: 'a network printer needs host and port' })
  .refine((p) => p.transport !== 'device' || (!!p.host && p.host.startsWith('/dev/')), {
    error: 'a device printer needs a /dev/ path',
  });
export const PrintReceiptInput = z.strictObject({ saleId: z.uuid({ error: 'must be an id' }) });
/** A cashier's name as typed: one line of printable text (it is printed on receipts and shift reports). */
export const CashierName = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), { error: 'a name is printable text on one line' });
export const ShiftOpenInput = z.strictObject({ openingFloat: Money, cashier: CashierName.optional() });
export const ShiftCloseInput = z.strictObject({ countedCash: Money });
export const DisplayCartInput = z.strictObject({
  lines: z.array(z.strictObject({ productId: z.uuid(), qty: z.number().int().min(1).max(999) })).max(200),
  discount: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('amount'), value: z.number().int().min(0).max(10_000_000_000) }),
      z.strictObject({ kind: z.literal('percent_bp'), value: z.number().int().min(0).max(10_000) }),
    ])
    .optional(),
});

const None = z.undefined();

export const counterRequests = {
  'printer:get': None,
  'printer:set': PrinterInput,
  'print:receipt': PrintReceiptInput,
  'print:queue': None,
  /** Tries every queued job again, in order (the retry button). */
  'print:retry': None,
  'shift:current': None,
  'shift:open': ShiftOpenInput,
  'shift:close': ShiftCloseInput,
  /** The cashier's cart as it is being built, priced by the core, for the customer display. */
  'display:cart': DisplayCartInput,
} as const;

export type CounterResponses = {
  'printer:get': PrinterView;
  'printer:set': PrinterView;
  'print:receipt': PrintJobView;
  'print:queue': PrintQueueView;
  'print:retry': PrintQueueView;
  'shift:current': ShiftView | null;
  'shift:open': ShiftView;
  'shift:close': ShiftView;
  'display:cart': DisplayState;
};

export const COUNTER_METHODS = {
  getPrinter: 'printer:get',
  savePrinter: 'printer:set',
  printReceipt: 'print:receipt',
  printQueue: 'print:queue',
  retryPrints: 'print:retry',
  currentShift: 'shift:current',
  openShift: 'shift:open',
  closeShift: 'shift:close',
  showCart: 'display:cart',
} as const;

export const COUNTER_EVENTS = {
  displayChanged: 'display:changed',
  printChanged: 'print:changed',
  shiftChanged: 'shift:changed',
} as const;
export type CounterEventPayloads = {
  'display:changed': DisplayState;
  'print:changed': PrintQueueView;
  'shift:changed': ShiftView | null;
};
