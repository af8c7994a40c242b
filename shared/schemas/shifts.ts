/**
 * Till ⇄ sync-server: a closed shift's report, pushed as the `shift.closed` mutation (and readable or postable
 * on `/v1/shifts`, device-authenticated). Idempotent on
 * `shift_id`: the same report again is answered 200 with the stored one; a different report under the same id
 * is a 409. Money is whole rupiah, times UTC epoch ms.
 */
import { z } from 'zod';

/** The till's client id of the shift (UUIDv7); spelled here because sync-api.ts imports this file. */
const IdSchema = z.uuid({ error: 'must be a UUID' });
const Money = z.number().int({ error: 'must be whole rupiah' }).min(0).max(1_000_000_000_000);
const Time = z.number().int().min(0).max(8_640_000_000_000_000);

export const ShiftReportRequestSchema = z
  .strictObject({
    shift_id: IdSchema,
    opened_at: Time,
    closed_at: Time,
    opening_float: Money,
    cash_sales: Money,
    expected_cash: Money,
    counted_cash: Money,
    difference: z.number().int().min(-1_000_000_000_000).max(1_000_000_000_000),
    qris_by_provider: z
      .record(z.string().min(1).max(40), Money)
      .refine((r) => Object.keys(r).length <= 10, { error: 'at most 10 providers' }),
    unverified: Money,
    refunded: Money,
    sales_count: z.number().int().min(0).max(10_000_000),
    /** Who worked the shift, as named on the till; absent from tills older than the cashier name. */
    cashier: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), { error: 'a name is printable text on one line' })
      .nullable()
      .optional(),
  })
  .refine((s) => s.closed_at >= s.opened_at, { error: 'closed_at is before opened_at' })
  .refine((s) => s.expected_cash === s.opening_float + s.cash_sales, {
    error: 'expected_cash must be opening_float + cash_sales',
  })
  .refine((s) => s.difference === s.counted_cash - s.expected_cash, {
    error: 'difference must be counted_cash - expected_cash',
  });
export type ShiftReportRequest = z.infer<typeof ShiftReportRequestSchema>;

export const ShiftRecordSchema = z.object({
  shift_id: IdSchema,
  store_id: z.string(),
  device_id: z.string(),
  opened_at: z.number().int(),
  closed_at: z.number().int(),
  opening_float: z.number().int(),
  cash_sales: z.number().int(),
  expected_cash: z.number().int(),
  counted_cash: z.number().int(),
  difference: z.number().int(),
  qris_by_provider: z.record(z.string(), z.number().int()),
  unverified: z.number().int(),
  refunded: z.number().int(),
  sales_count: z.number().int(),
  cashier: z.string().nullable(),
  received_at: z.number().int(),
});
export type ShiftRecord = z.infer<typeof ShiftRecordSchema>;
