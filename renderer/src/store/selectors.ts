/** Pure selectors over the store. Use them with `useShallow` when they build a new object or array. */
import type { Rupiah } from '../../../shared/money.ts';
import type { Product } from '../bridge/index.ts';
import { discountAmount, parseRupiahInput, subtotalOf, totalOf } from '../lib/cart-math.ts';
import type { TillState } from './types.ts';

export function selectVisibleProducts(s: TillState): Product[] {
  const q = s.query.trim().toLowerCase();
  if (q === '') return s.products;
  return s.products.filter(
    (p) => p.name.toLowerCase().includes(q) || p.sku.toLowerCase().includes(q) || p.barcode === q,
  );
}

export function selectTotals(s: TillState): { subtotal: Rupiah; discount: Rupiah; total: Rupiah } {
  // Once the core has recorded the sale its numbers are the truth; before that the cart's preview is shown.
  if (s.openSale)
    return { subtotal: s.openSale.subtotal, discount: s.openSale.discountAmount, total: s.openSale.total };
  const subtotal = subtotalOf(s.lines);
  return { subtotal, discount: discountAmount(s.discount, subtotal), total: totalOf(s.lines, s.discount) };
}

/** Whether the discount box holds a usable discount: parsable and not more than the subtotal. */
export function selectDiscountOk(s: TillState): boolean {
  if (!s.discountValid) return false;
  return s.discount?.kind !== 'amount' || s.discount.value <= subtotalOf(s.lines);
}

export function selectCash(s: TillState): { due: Rupiah; tendered: Rupiah | null; change: number | null } {
  const due = selectTotals(s).total;
  const tendered = parseRupiahInput(s.tenderedInput);
  return { due, tendered, change: tendered === null ? null : tendered - due };
}
