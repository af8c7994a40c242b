/**
 * Closed-shift reports from tills (issue 9), arriving as the `shift.closed` push mutation (or POST /v1/shifts).
 * Store-scoped and idempotent on the shift id: the same report again is the stored one; a different report under
 * the same id, or another store's shift id, is a conflict that reveals nothing about the other store.
 */
import { createHash } from 'node:crypto';
import type { ShiftRecord, ShiftReportRequest } from '../../../shared/schemas/shifts.ts';
import type { DeviceRow, ShiftRow } from '../db/schema.ts';
import type { Executor } from '../repos/executor.ts';
import { getShift, insertShift } from '../repos/shifts-repo.ts';

export function toShiftRecord(r: ShiftRow): ShiftRecord {
  return {
    shift_id: r.id,
    store_id: r.store_id,
    device_id: r.device_id,
    opened_at: r.opened_at,
    closed_at: r.closed_at,
    opening_float: r.opening_float,
    cash_sales: r.cash_sales,
    expected_cash: r.expected_cash,
    counted_cash: r.counted_cash,
    difference: r.difference,
    qris_by_provider: JSON.parse(r.qris_by_provider) as Record<string, number>,
    unverified: r.unverified,
    refunded: r.refunded,
    sales_count: r.sales_count,
    cashier: r.cashier,
    received_at: r.received_at,
  };
}

/** Key order must not make two equal reports differ. */
function canonical(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export async function recordShift(
  db: Executor,
  device: DeviceRow,
  body: ShiftReportRequest,
  now: number,
): Promise<{ outcome: 'created' | 'existing'; record: ShiftRecord } | { outcome: 'conflict' }> {
  const hash = createHash('sha256').update(canonical(body)).digest('hex');
  const row: ShiftRow = {
    id: body.shift_id,
    store_id: device.store_id,
    device_id: device.id,
    opened_at: body.opened_at,
    closed_at: body.closed_at,
    opening_float: body.opening_float,
    cash_sales: body.cash_sales,
    expected_cash: body.expected_cash,
    counted_cash: body.counted_cash,
    difference: body.difference,
    qris_by_provider: canonical(body.qris_by_provider),
    unverified: body.unverified,
    refunded: body.refunded,
    sales_count: body.sales_count,
    request_hash: hash,
    received_at: now,
    cashier: body.cashier ?? null,
  };
  if (await insertShift(db, row)) return { outcome: 'created', record: toShiftRecord(row) };
  const existing = await getShift(db, body.shift_id);
  if (!existing || existing.store_id !== device.store_id || existing.request_hash !== hash)
    return { outcome: 'conflict' };
  return { outcome: 'existing', record: toShiftRecord(existing) };
}
