/**
 * The day's money of a store, as a manager reconciles it: what is verified (paid, cash included), what is still
 * pending or unverified, and what needs a decision (needs_review, or paid late / for another amount). Days are
 * Indonesian western time (WIB, UTC+7, no DST), the shops' own calendar.
 */
import type { ReconciliationReport } from '../../../shared/schemas/sync-api.ts';
import { listStoreMoney, type MoneyItem } from '../repos/reconciliation-repo.ts';
import type { ServerContext } from './context.ts';

const WIB_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

type Category = ReconciliationReport['items'][number]['category'];

function categoryOf(i: MoneyItem): Category | null {
  if (i.status === 'needs_review' || i.late === 1) return 'review';
  if (i.status === 'paid' || i.status === 'refunded' || i.status === 'partially_refunded') return 'verified';
  if (i.status === 'pending' || i.status === 'unverified') return 'pending';
  return null; // expired, cancelled, failed: no money changed hands
}

export async function reconciliation(ctx: ServerContext, storeId: string, date: string): Promise<ReconciliationReport> {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const from = Date.UTC(y, m - 1, d) - WIB_MS;
  const money = await listStoreMoney(ctx.database.db, storeId, from, from + DAY_MS);
  const items = money.flatMap((i) => {
    const category = categoryOf(i);
    return category === null ? [] : [{ ...i, late: i.late === 1, category }];
  });
  const total = (c: Category) => {
    const xs = items.filter((i) => i.category === c);
    return { count: xs.length, amount: xs.reduce((s, i) => s + i.amount - i.refunded_amount, 0) };
  };
  return {
    store_id: storeId,
    date,
    totals: { verified: total('verified'), pending: total('pending'), review: total('review') },
    items,
  };
}

const CSV_COLUMNS = [
  'category',
  'kind',
  'payment_id',
  'sale_id',
  'device_id',
  'status',
  'late',
  'amount',
  'refunded_amount',
  'provider',
  'created_at',
  'paid_at',
] as const;

/** RFC 4180 CSV, times as ISO-8601 UTC; amounts in whole rupiah. */
export function reconciliationCsv(r: ReconciliationReport): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const time = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
  const rows = r.items.map((i) =>
    [
      i.category,
      i.kind,
      i.payment_id,
      i.sale_id,
      i.device_id,
      i.status,
      i.late,
      i.amount,
      i.refunded_amount,
      i.provider,
      time(i.created_at),
      time(i.paid_at),
    ]
      .map(cell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
