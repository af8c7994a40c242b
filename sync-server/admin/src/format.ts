import { formatRupiah } from '../../../shared/money.ts';

export { formatRupiah };

/** A moment in the manager's own time zone, in the page language (`4 Des 2026 14.05.09` / `Dec 4, 2026, 2:05:09 PM`). */
export function formatTime(ms: number | null | undefined, lng: string): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(lng === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

/** A duration for lag and ages: `0 s`, `42 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Basis points or a 0…1 ratio as a percentage with one decimal: `97,5 %` / `97.5%`. */
export function formatPercent(ratio: number | null | undefined, lng: string): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return new Intl.NumberFormat(lng === 'id' ? 'id-ID' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 1,
  }).format(ratio);
}

/**
 * Today's date (YYYY-MM-DD) in WIB (UTC+7, no daylight saving): the server's reconciliation days are WIB
 * calendar days, whatever time zone the manager's browser is in.
 */
export function todayWib(now = Date.now()): string {
  return new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
}
