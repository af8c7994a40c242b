import type { ChartBucket } from '../../../shared/schemas/admin-api.ts';

export const HOUR = 3_600_000;

/**
 * Every hour of the range, the ones without payments included (the server lists only hours that have some),
 * so the axis is time and a quiet hour shows as a gap, not as nothing.
 */
export function hourSeries(buckets: ChartBucket[], from: number, hours: number): (ChartBucket | null)[] {
  const byHour = new Map(buckets.map((b) => [b.hour, b]));
  return Array.from({ length: hours }, (_, i) => byHour.get(from + i * HOUR) ?? null);
}
