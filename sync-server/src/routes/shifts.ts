/**
 * Closed-shift reports from tills (issue 9). Device-authenticated and store-scoped: a till reports for its own
 * store and reads only its store's shifts. Idempotent on the shift id: the same report again answers 200 with
 * the stored record; a different report under the same id (or another store's id) is a 409.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type ShiftRecord, ShiftReportRequestSchema } from '../../../shared/schemas/shifts.ts';
import { IdSchema } from '../../../shared/schemas/sync-api.ts';
import type { ShiftRow } from '../db/schema.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import { getShift, insertShift } from '../repos/shifts-repo.ts';
import type { ServerContext } from '../services/context.ts';

const Params = z.strictObject({ shift_id: IdSchema });

function toRecord(r: ShiftRow): ShiftRecord {
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

export function shiftRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const requireDevice = deviceAuth(ctx);

  app.post('/v1/shifts', { preHandler: requireDevice }, async (request, reply) => {
    const device = deviceOf(request);
    const body = parseOr400(ShiftReportRequestSchema, request.body);
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
      received_at: ctx.now(),
    };
    if (await insertShift(ctx.database.db, row)) return reply.status(201).send(toRecord(row));
    const existing = await getShift(ctx.database.db, body.shift_id);
    // Another store's shift id is answered like a different body: nothing about it is revealed.
    if (!existing || existing.store_id !== device.store_id || existing.request_hash !== hash) {
      throw new HttpError('CONFLICT', 'a different report was already stored under this shift id');
    }
    return reply.status(200).send(toRecord(existing));
  });

  app.get('/v1/shifts/:shift_id', { preHandler: requireDevice }, async (request) => {
    const { shift_id } = parseOr400(Params, request.params);
    const s = await getShift(ctx.database.db, shift_id);
    if (!s || s.store_id !== deviceOf(request).store_id) throw new HttpError('NOT_FOUND', 'no such shift');
    return toRecord(s);
  });
}
