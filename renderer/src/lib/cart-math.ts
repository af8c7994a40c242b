/**
 * Cart arithmetic for the screen. All money is whole rupiah through shared/money.ts; the till core recomputes
 * the totals from the lines when it records the sale, so these numbers are for display and for the charge
 * button's limits, never the only source of truth.
 */
import type { DiscountSpec } from '../../../shared/ipc.ts';
import { addRupiah, applyBasisPoints, mulRupiah, type Rupiah, rupiah } from '../../../shared/money.ts';

export type CartLine = { productId: string; sku: string; name: string; unitPrice: Rupiah; qty: number };

export function lineTotal(l: CartLine): Rupiah {
  return mulRupiah(l.unitPrice, l.qty);
}

export function subtotalOf(lines: readonly CartLine[]): Rupiah {
  return addRupiah(rupiah(0), ...lines.map(lineTotal));
}

export function itemCount(lines: readonly CartLine[]): number {
  return lines.reduce((n, l) => n + l.qty, 0);
}

/** The discount in rupiah for this subtotal, never more than the subtotal (a sale is never negative). */
export function discountAmount(d: DiscountSpec | null, subtotal: Rupiah): Rupiah {
  if (!d) return rupiah(0);
  const raw = d.kind === 'amount' ? d.value : applyBasisPoints(subtotal, d.value);
  return rupiah(Math.min(raw, subtotal));
}

export function totalOf(lines: readonly CartLine[], d: DiscountSpec | null): Rupiah {
  const sub = subtotalOf(lines);
  return rupiah(sub - discountAmount(d, sub));
}

export type ParsedDiscount = { ok: true; discount: DiscountSpec | null } | { ok: false };

/**
 * Parses the discount box. Rupiah has no minor unit, so `.` and spaces are thousands separators ("5.000");
 * a percentage may use `,` or `.` as its decimal mark ("12,5%") and keeps two decimals as basis points.
 * Anything else is refused, so the screen can say so instead of guessing.
 */
export function parseDiscount(input: string): ParsedDiscount {
  const s = input.trim().replace(/^rp\.?\s*/i, '');
  if (s === '') return { ok: true, discount: null };
  const pct = /^(\d{1,3})(?:[.,](\d{1,2}))?\s*%$/.exec(s);
  if (pct) {
    const bp = Number(pct[1]) * 100 + Number((pct[2] ?? '').padEnd(2, '0'));
    if (bp > 10_000) return { ok: false };
    return { ok: true, discount: bp === 0 ? null : { kind: 'percent_bp', value: bp } };
  }
  const amount = parseRupiahInput(s);
  if (amount === null) return { ok: false };
  return { ok: true, discount: amount === 0 ? null : { kind: 'amount', value: amount } };
}

/** Parses an amount typed on the cash screen: digits with optional thousands separators. */
export function parseRupiahInput(input: string): Rupiah | null {
  const s = input.trim().replace(/^rp\.?\s*/i, '');
  if (s === '') return null;
  if (!/^\d{1,3}(?:[.\s]\d{3})*$|^\d+$/.test(s)) return null;
  const n = Number(s.replace(/[.\s]/g, ''));
  return Number.isSafeInteger(n) ? rupiah(n) : null;
}

/** `mm:ss` (or `h:mm:ss`) until a deadline; zero once it has passed. */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Quick-tender buttons: the notes customers most often hand over (plus "exact", which the screen adds). */
export const QUICK_NOTES: readonly Rupiah[] = [rupiah(10_000), rupiah(20_000), rupiah(50_000), rupiah(100_000)];
