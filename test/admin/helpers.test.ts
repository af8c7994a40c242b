/** The dashboard's pure pieces: hash routes, typed amounts, WIB dates, durations and the hourly series. */
import { describe, expect, it } from 'vitest';
import { hourSeries } from '../../sync-server/admin/src/chart-series.ts';
import { formatDuration, todayWib } from '../../sync-server/admin/src/format.ts';
import { formatTyped, parseTyped } from '../../sync-server/admin/src/money-input.ts';
import { href, parseHash } from '../../sync-server/admin/src/router.ts';

const bucket = (hour: number, count: number) => ({
  hour,
  count,
  amount: count * 1000,
  paid_count: count,
  paid_amount: count * 1000,
  failed_count: 0,
  success_rate: count ? 1 : null,
  cash_count: 0,
  cash_amount: 0,
});

describe('dashboard helpers', () => {
  it('reads and writes hash routes, ids and filters included', () => {
    expect(parseHash('')).toMatchObject({ page: 'tills', id: null });
    const r = parseHash(href('payments', 'a/b c', { status: 'paid', q: '' }));
    expect(r.page).toBe('payments');
    expect(r.id).toBe('a/b c');
    expect(r.params.get('status')).toBe('paid');
    expect(r.params.has('q')).toBe(false);
  });

  it('shows typed amounts as rupiah and parses them back as whole rupiah', () => {
    expect(formatTyped('33000')).toBe('Rp 33.000');
    expect(formatTyped('Rp 1.2a3')).toBe('Rp 123');
    expect(formatTyped('')).toBe('');
    expect(parseTyped('Rp 120.000')).toBe(120_000);
    expect(parseTyped('abc')).toBeNull();
    expect(parseTyped('9'.repeat(20))).toBe(999_999_999_999);
  });

  it('takes the reconciliation day in WIB, not in the browser’s zone', () => {
    expect(todayWib(Date.UTC(2026, 11, 4, 16, 59))).toBe('2026-12-04');
    expect(todayWib(Date.UTC(2026, 11, 4, 17, 0))).toBe('2026-12-05');
  });

  it('writes durations a manager reads at a glance', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(90_400)).toBe('1 min 30 s');
    expect(formatDuration(2 * 3_600_000 + 4 * 60_000)).toBe('2 h 4 min');
    expect(formatDuration(null)).toBe('—');
  });

  it('lays the server’s non-empty hours on every hour of the range', () => {
    const from = Date.UTC(2026, 11, 4, 0);
    const s = hourSeries([bucket(from + 2 * 3_600_000, 3), bucket(from + 5 * 3_600_000, 1)], from, 6);
    expect(s.map((b) => b?.count ?? 0)).toEqual([0, 0, 3, 0, 0, 1]);
    // A bucket outside the range is not drawn.
    expect(hourSeries([bucket(from - 3_600_000, 9)], from, 2)).toEqual([null, null]);
  });
});
