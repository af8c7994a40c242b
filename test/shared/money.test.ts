import { describe, expect, it } from 'vitest';
import { applyBasisPoints, assertQrisAmount, formatRupiah, MoneyError, mulRupiah, rupiah } from '../../shared/money.ts';

describe('rupiah', () => {
  it('accepts whole amounts and refuses fractions, NaN and unsafe integers', () => {
    expect(rupiah(33_000)).toBe(33_000);
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => rupiah(bad)).toThrow(MoneyError);
    }
  });

  it('formats as Rp 33.000 with a plain space', () => {
    expect(formatRupiah(rupiah(33_000))).toBe('Rp 33.000');
    expect(formatRupiah(rupiah(10_000_000))).toBe('Rp 10.000.000');
    expect(formatRupiah(rupiah(0))).toBe('Rp 0');
  });

  it('refuses QRIS amounts outside 1…10,000,000 with a readable reason', () => {
    expect(assertQrisAmount(1)).toBe(1);
    expect(assertQrisAmount(10_000_000)).toBe(10_000_000);
    expect(() => assertQrisAmount(0)).toThrow(/at least Rp 1/);
    expect(() => assertQrisAmount(10_000_001)).toThrow(/at most Rp 10\.000\.000/);
    expect(() => assertQrisAmount(1.5)).toThrow(/whole rupiah/);
  });

  it('multiplies by whole quantities only and rounds basis points half away from zero', () => {
    expect(mulRupiah(rupiah(2_500), 3)).toBe(7_500);
    expect(() => mulRupiah(rupiah(2_500), 0.5)).toThrow(MoneyError);
    expect(applyBasisPoints(rupiah(10_000), 1_000)).toBe(1_000); // 10 %
    expect(applyBasisPoints(rupiah(15), 5_000)).toBe(8); // 7.5 → 8
    expect(applyBasisPoints(rupiah(-15), 5_000)).toBe(-8);
  });
});
