/** Pure selectors over the store. Use them with `useShallow` when they build a new object or array. */
import type { Rupiah } from '../../../shared/money.ts';
import type { Product } from '../bridge/index.ts';
import { discountAmount, parseRupiahInput, subtotalOf, totalOf } from '../lib/cart-math.ts';
import type { TillState } from './types.ts';

export function selectVisibleProducts(s: TillState): Product[] {
  const q = s.query.trim().toLowerCase();
  const inCategory = s.category === null ? s.products : s.products.filter((p) => p.category === s.category);
  if (q === '') return inCategory;
  return inCategory.filter(
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

/** The categories present in the catalog, in name order (the filter's chips). */
export function selectCategories(s: TillState): string[] {
  return [...new Set(s.products.map((p) => p.category).filter((c): c is string => c !== null))].sort((a, b) =>
    a.localeCompare(b, 'id'),
  );
}
