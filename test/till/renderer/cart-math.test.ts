import { describe, expect, it } from 'vitest';
import {
  discountAmount,
  formatCountdown,
  parseDiscount,
  parseRupiahInput,
  totalOf,
} from '../../../renderer/src/lib/cart-math.ts';
import { createScanDetector } from '../../../renderer/src/lib/scanner.ts';
import { rupiah } from '../../../shared/money.ts';

describe('discount box', () => {
  it.each([
    ['', { ok: true, discount: null }],
    ['5000', { ok: true, discount: { kind: 'amount', value: 5000 } }],
    ['5.000', { ok: true, discount: { kind: 'amount', value: 5000 } }],
    ['Rp 12.500', { ok: true, discount: { kind: 'amount', value: 12500 } }],
    ['10%', { ok: true, discount: { kind: 'percent_bp', value: 1000 } }],
    ['12,5%', { ok: true, discount: { kind: 'percent_bp', value: 1250 } }],
    ['0,75 %', { ok: true, discount: { kind: 'percent_bp', value: 75 } }],
    ['100%', { ok: true, discount: { kind: 'percent_bp', value: 10000 } }],
    ['0', { ok: true, discount: null }],
  ])('reads %j', (input, expected) => {
    expect(parseDiscount(input)).toEqual(expected);
  });

  it.each(['abc', '101%', '3,5', '1.00', '-500', '5.0000', '1e3', '12.345%'])('refuses %j', (input) => {
    expect(parseDiscount(input)).toEqual({ ok: false });
  });

  it('never discounts more than the subtotal and rounds percentages to whole rupiah', () => {
    expect(discountAmount({ kind: 'amount', value: 90_000 }, rupiah(50_000))).toBe(50_000);
    expect(discountAmount({ kind: 'percent_bp', value: 1250 }, rupiah(33_333))).toBe(4_167);
    const lines = [{ productId: 'p', sku: 'S', name: 'N', unitPrice: rupiah(11_000), qty: 3 }];
    expect(totalOf(lines, { kind: 'percent_bp', value: 1000 })).toBe(29_700);
    expect(totalOf(lines, null)).toBe(33_000);
  });
});

describe('tendered amount', () => {
  it.each([
    ['100000', 100000],
    ['100.000', 100000],
    ['Rp 50.000', 50000],
    ['', null],
    ['50,5', null],
    ['-1', null],
    ['99999999999999999999', null],
  ])('reads %j as %j', (input, expected) => {
    expect(parseRupiahInput(input)).toBe(expected);
  });
});

describe('countdown', () => {
  it.each([
    [900_000, '15:00'],
    [61_001, '01:02'],
    [999, '00:01'],
    [0, '00:00'],
    [-5_000, '00:00'],
    [3_600_000 * 2 + 5_000, '2:00:05'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe('scanner detection', () => {
  const typeAt = (d: ReturnType<typeof createScanDetector>, keys: string[], start: number, gap: number) =>
    keys.map((k, i) => d.feed(k, start + i * gap));

  it('recognises a fast burst that ends with Enter', () => {
    const d = createScanDetector();
    const out = typeAt(d, [...'8991002101234', 'Enter'], 1000, 8);
    expect(out.at(-1)).toBe('8991002101234');
    expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
  });

  it('ignores a person typing at human speed', () => {
    const d = createScanDetector();
    expect(typeAt(d, [...'KOPI', 'Enter'], 1000, 180).at(-1)).toBeNull();
  });

  it('drops slow keys typed before the burst and ignores too-short bursts', () => {
    const d = createScanDetector();
    d.feed('x', 0);
    expect(typeAt(d, [...'TEH-01', 'Enter'], 5000, 5).at(-1)).toBe('TEH-01');
    expect(typeAt(d, [...'ab', 'Enter'], 9000, 5).at(-1)).toBeNull();
  });
});
