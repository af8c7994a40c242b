/**
 * Prices a draft from the till's own catalog. The renderer sends product ids and quantities only, so a
 * tampered or stale screen cannot change what a sale costs.
 */

import { newId } from '../../../shared/ids.ts';
import type { DiscountSpec, IpcParsed, Product, SaleLine } from '../../../shared/ipc.ts';
import { addRupiah, applyBasisPoints, mulRupiah, type Rupiah, rupiah } from '../../../shared/money.ts';
import { fail } from '../errors.ts';

export type PricedSale = {
  lines: SaleLine[];
  subtotal: Rupiah;
  discount: DiscountSpec | null;
  discountAmount: Rupiah;
  total: Rupiah;
};

export function priceDraft(draft: IpcParsed<'sale:create'>, productOf: (id: string) => Product | null): PricedSale {
  const lines = draft.lines.map((l): SaleLine => {
    const p = productOf(l.productId);
    if (!p) throw fail('INVALID_INPUT', `unknown product ${l.productId}`);
    if (!p.active) throw fail('INVALID_INPUT', `product ${p.sku} is no longer sold`);
    return {
      id: newId(),
      productId: p.id,
      sku: p.sku,
      name: p.name,
      qty: l.qty,
      unitPrice: p.price,
      lineTotal: mulRupiah(p.price, l.qty),
    };
  });
  const subtotal = addRupiah(rupiah(0), ...lines.map((l) => l.lineTotal));
  const d = draft.discount ?? null;
  const discountAmount =
    d === null ? rupiah(0) : d.kind === 'amount' ? rupiah(d.value) : applyBasisPoints(subtotal, d.value);
  if (discountAmount > subtotal) throw fail('INVALID_INPUT', 'the discount is larger than the sale');
  return { lines, subtotal, discount: d, discountAmount, total: rupiah(subtotal - discountAmount) };
}
