/**
 * Amounts a manager types are shown as they read back, `Rp 120.000`, while typing: only digits are kept. The
 * parsed value is whole rupiah or null when the field is empty.
 */
import { formatRupiah } from '../../../shared/money.ts';

const MAX_DIGITS = 12;

export function digitsOf(typed: string): string {
  return typed
    .replace(/\D/g, '')
    .replace(/^0+(?=\d)/, '')
    .slice(0, MAX_DIGITS);
}

export function formatTyped(typed: string): string {
  const d = digitsOf(typed);
  return d === '' ? '' : formatRupiah(Number(d));
}

export function parseTyped(typed: string): number | null {
  const d = digitsOf(typed);
  return d === '' ? null : Number(d);
}
