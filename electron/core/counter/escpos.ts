/**
 * Receipts and shift reports as ESC/POS bytes, through @point-of-sale/receipt-printer-encoder (MIT, Niels
 * Leenheer; maintained, typed, no native code, knows the codepages and the QR command set of the cheap
 * 58/80 mm printers Indonesian shops own, e.g. the POS-5890 and POS-8360 families). Nothing here writes
 * escape sequences by hand; this module only lays out text.
 *
 * Widths: 58 mm paper = 32 columns (font A), 80 mm = 48 columns.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { Language } from '../../../shared/ipc.ts';
import { formatRupiah } from '../../../shared/money.ts';

export type PaperMm = 58 | 80;
export const COLUMNS: Record<PaperMm, number> = { 58: 32, 80: 48 };

/** Everything a printed receipt says; assembled by the core from its own records. */
export type ReceiptDoc = {
  storeName: string;
  deviceName: string;
  saleId: string;
  saleNo: string;
  paidAt: number;
  lines: { name: string; qty: number; unitPrice: number; lineTotal: number }[];
  subtotal: number;
  discountAmount: number;
  total: number;
  payment: {
    method: 'cash' | 'qris';
    tendered: number | null;
    change: number | null;
    provider: string | null;
    providerRef: string | null;
    payerWallet: string | null;
    /** Offline QRIS the server has not verified yet, or a payment a manager must review. */
    unverified: boolean;
  } | null;
  language: Language;
};

export type ShiftReportDoc = {
  storeName: string;
  deviceName: string;
  shiftId: string;
  openedAt: number;
  closedAt: number;
  openingFloat: number;
  cashSales: number;
  expectedCash: number;
  countedCash: number;
  difference: number;
  qrisByProvider: Record<string, number>;
  unverified: number;
  refunded: number;
  salesCount: number;
  language: Language;
};

const LABELS = {
  id: {
    sale: 'No. transaksi',
    subtotal: 'Subtotal',
    discount: 'Diskon',
    total: 'TOTAL',
    method: 'Pembayaran',
    cash: 'Tunai',
    qris: 'QRIS',
    tendered: 'Dibayar',
    change: 'Kembalian',
    provider: 'Penyedia',
    reference: 'Ref',
    wallet: 'Dompet',
    unverified: '** BELUM TERVERIFIKASI **',
    thanks: 'Terima kasih',
    shift: 'LAPORAN TUTUP SHIFT',
    opened: 'Buka',
    closed: 'Tutup',
    float: 'Modal awal',
    cashSales: 'Penjualan tunai',
    expected: 'Kas seharusnya',
    counted: 'Kas dihitung',
    difference: 'Selisih',
    refunded: 'Dikembalikan',
    sales: 'Jumlah transaksi',
  },
  en: {
    sale: 'Sale no.',
    subtotal: 'Subtotal',
    discount: 'Discount',
    total: 'TOTAL',
    method: 'Payment',
    cash: 'Cash',
    qris: 'QRIS',
    tendered: 'Tendered',
    change: 'Change',
    provider: 'Provider',
    reference: 'Ref',
    wallet: 'Wallet',
    unverified: '** NOT VERIFIED YET **',
    thanks: 'Thank you',
    shift: 'SHIFT CLOSE REPORT',
    opened: 'Opened',
    closed: 'Closed',
    float: 'Opening float',
    cashSales: 'Cash sales',
    expected: 'Expected cash',
    counted: 'Counted cash',
    difference: 'Difference',
    refunded: 'Refunded',
    sales: 'Sales',
  },
} as const;

/** Receipts are read in the shop's own time zone (WIB); the printer has no clock of its own to ask. */
function when(ms: number, language: Language): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'id-ID', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Asia/Jakarta',
  }).format(ms);
}

/** Printers have no Unicode: keep what the codepage can print, turn the rest into '?'. */
function printable(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

function encoder(paper: PaperMm): ReceiptPrinterEncoder {
  return new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: COLUMNS[paper],
    // Plain LF: every ESC/POS printer advances on it, and CR is ignored or doubled by some clones.
    newline: '\n',
    feedBeforeCut: 4,
  })
    .initialize()
    .codepage('cp437');
}

/** A left label and a right amount on one line, the label cut (never the amount) when they do not fit. */
function pair(e: ReceiptPrinterEncoder, cols: number, left: string, right: string): void {
  const r = printable(right);
  const room = Math.max(1, cols - r.length - 1);
  const l = printable(left).slice(0, room);
  e.line(`${l}${' '.repeat(cols - l.length - r.length)}${r}`);
}

const rp = (n: number) => formatRupiah(n);

export function encodeReceipt(doc: ReceiptDoc, paper: PaperMm): Uint8Array {
  const L = LABELS[doc.language];
  const cols = COLUMNS[paper];
  const e = encoder(paper);
  e.align('center').bold(true).line(printable(doc.storeName)).bold(false);
  e.line(printable(`${doc.deviceName} - ${when(doc.paidAt, doc.language)}`));
  e.line(printable(`${L.sale} ${doc.saleNo}`));
  e.align('left').rule();
  for (const l of doc.lines) {
    e.line(printable(l.name).slice(0, cols));
    pair(e, cols, `  ${l.qty} x ${rp(l.unitPrice)}`, rp(l.lineTotal));
  }
  e.rule();
  pair(e, cols, L.subtotal, rp(doc.subtotal));
  if (doc.discountAmount > 0) pair(e, cols, L.discount, `-${rp(doc.discountAmount)}`);
  e.bold(true);
  pair(e, cols, L.total, rp(doc.total));
  e.bold(false);
  const p = doc.payment;
  if (p) {
    e.rule();
    pair(e, cols, L.method, p.method === 'cash' ? L.cash : L.qris);
    if (p.method === 'cash') {
      if (p.tendered !== null) pair(e, cols, L.tendered, rp(p.tendered));
      if (p.change !== null) pair(e, cols, L.change, rp(p.change));
    } else {
      if (p.provider) pair(e, cols, L.provider, p.provider);
      if (p.providerRef) {
        // A provider reference can be longer than a 58 mm line: it wraps rather than being cut.
        e.line(`${L.reference}:`);
        for (let i = 0; i < p.providerRef.length; i += cols) e.line(printable(p.providerRef.slice(i, i + cols)));
      }
      if (p.payerWallet) pair(e, cols, L.wallet, p.payerWallet);
    }
    if (p.unverified) e.align('center').bold(true).line(L.unverified).bold(false).align('left');
  }
  e.rule();
  e.align('center');
  // The receipt id as a QR: scanning it finds the sale (returns, disputes) without typing a UUID.
  e.qrcode(doc.saleId, { model: 2, size: paper === 58 ? 5 : 6, errorlevel: 'm' });
  e.line(L.thanks);
  return e.cut('partial').encode();
}

export function encodeShiftReport(doc: ShiftReportDoc, paper: PaperMm): Uint8Array {
  const L = LABELS[doc.language];
  const cols = COLUMNS[paper];
  const e = encoder(paper);
  e.align('center').bold(true).line(printable(doc.storeName)).line(L.shift).bold(false);
  e.line(printable(doc.deviceName));
  e.align('left').rule();
  pair(e, cols, L.opened, when(doc.openedAt, doc.language));
  pair(e, cols, L.closed, when(doc.closedAt, doc.language));
  pair(e, cols, L.sales, String(doc.salesCount));
  e.rule();
  pair(e, cols, L.float, rp(doc.openingFloat));
  pair(e, cols, L.cashSales, rp(doc.cashSales));
  pair(e, cols, L.expected, rp(doc.expectedCash));
  pair(e, cols, L.counted, rp(doc.countedCash));
  e.bold(true);
  pair(
    e,
    cols,
    L.difference,
    `${doc.difference > 0 ? '+' : doc.difference < 0 ? '-' : ''}${rp(Math.abs(doc.difference))}`,
  );
  e.bold(false).rule();
  for (const [provider, amount] of Object.entries(doc.qrisByProvider).sort()) {
    pair(e, cols, `QRIS ${provider}`, rp(amount));
  }
  pair(e, cols, L.unverified.replace(/\*/g, '').trim(), rp(doc.unverified));
  pair(e, cols, L.refunded, rp(doc.refunded));
  e.rule()
    .align('center')
    .qrcode(doc.shiftId, { model: 2, size: paper === 58 ? 5 : 6, errorlevel: 'm' });
  return e.cut('partial').encode();
}
