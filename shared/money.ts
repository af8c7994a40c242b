/**
 * Money is integer rupiah. A `Rupiah` is only ever made by `rupiah()`, which refuses anything that is not a
 * safe integer, so a float or a string can never reach a total, a ledger row or a provider request.
 */
declare const rupiahBrand: unique symbol;
export type Rupiah = number & { readonly [rupiahBrand]: true };

export class MoneyError extends Error {
  readonly code = 'INVALID_AMOUNT';
  override readonly name = 'MoneyError';
}

export function rupiah(n: number): Rupiah {
  if (!Number.isSafeInteger(n)) throw new MoneyError(`not a whole rupiah amount: ${String(n)}`);
  return n as Rupiah;
}

/** Bank Indonesia's per-transaction QRIS limit (in force since 1 March 2022); the minimum is ours: never zero. */
export const QRIS_MIN_AMOUNT = rupiah(1);
export const QRIS_MAX_AMOUNT = rupiah(10_000_000);

export function isQrisAmount(n: number): n is Rupiah {
  return Number.isSafeInteger(n) && n >= QRIS_MIN_AMOUNT && n <= QRIS_MAX_AMOUNT;
}

/** Throws a MoneyError with a message a cashier can read when the amount cannot be paid by QRIS. */
export function assertQrisAmount(n: number): Rupiah {
  if (!Number.isSafeInteger(n)) throw new MoneyError(`QRIS amount must be whole rupiah, got ${String(n)}`);
  if (n < QRIS_MIN_AMOUNT) throw new MoneyError(`QRIS amount must be at least Rp 1, got ${n}`);
  if (n > QRIS_MAX_AMOUNT) throw new MoneyError(`QRIS amount must be at most Rp 10.000.000, got ${n}`);
  return n as Rupiah;
}

export function addRupiah(...xs: Rupiah[]): Rupiah {
  return rupiah(xs.reduce<number>((a, b) => a + b, 0));
}

export function mulRupiah(a: Rupiah, qty: number): Rupiah {
  if (!Number.isSafeInteger(qty)) throw new MoneyError(`quantity must be a whole number, got ${qty}`);
  return rupiah(a * qty);
}

/** Applies a rate in basis points (1 bp = 0.01 %), rounding half away from zero to whole rupiah. */
export function applyBasisPoints(a: Rupiah, bp: number): Rupiah {
  if (!Number.isSafeInteger(bp)) throw new MoneyError(`basis points must be whole, got ${bp}`);
  const scaled = a * bp;
  const q = Math.trunc(scaled / 10_000);
  const r = scaled - q * 10_000;
  return rupiah(Math.abs(r) * 2 >= 10_000 ? q + Math.sign(scaled) : q);
}

const idr = new Intl.NumberFormat('id-ID', { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 });

/** `Rp 33.000`: the id-ID currency format, with a normal space (Intl gives a no-break space). */
export function formatRupiah(a: Rupiah | number): string {
  return idr.format(a).replace(/\u00a0/g, ' ');
}
