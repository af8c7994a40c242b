/**
 * Amounts typed by the cashier are shown as they will be read back, `Rp 120.000`, while typing: only digits
 * are kept from what was typed, then formatted. An empty field stays empty.
 */
import { formatRupiah, type Rupiah, rupiah } from '../../../shared/money.ts';

/** At most 12 digits (Rp 999.999.999.999): enough for a drawer, far below unsafe integers. */
export function formatTyped(typed: string): string {
  const digits = typed
    .replace(/\D/g, '')
    .replace(/^0+(?=\d)/, '')
    .slice(0, 12);
  return digits === '' ? '' : formatRupiah(Number(digits));
}

/**
 * Amounts worth one tap for the amount due: the next multiple of Rp 5.000, 10.000, 50.000 and 100.000 at or
 * above it (without repeats, and without the exact amount, which has its own button).
 */
export function followingAmounts(due: number): Rupiah[] {
  const out: number[] = [];
  for (const step of [5_000, 10_000, 50_000, 100_000]) {
    const up = Math.ceil(due / step) * step;
    if (up > due && !out.includes(up)) out.push(up);
    else if (up === due && !out.includes(up + step)) out.push(up + step);
  }
  return out.sort((a, b) => a - b).map((n) => rupiah(n));
}
