/**
 * Closed-shift reports from tills (issue 9). Device-authenticated and store-scoped: a till reports for its own
 * store and reads only its store's shifts. Idempotent on the shift id: the same report again answers 200 with
 * the stored record; a different report under the same id (or another store's id) is a 409.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ShiftReportRequestSchema } from '../../../shared/schemas/shifts.ts';
import { IdSchema } from '../../../shared/schemas/sync-api.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import { getShift } from '../repos/shifts-repo.ts';
import type { ServerContext } from '../services/context.ts';
import { recordShift, toShiftRecord } from '../services/shifts.ts';

const Params = z.strictObject({ shift_id: IdSchema });

export function shiftRoutes(app: FastifyInstance, ctx: ServerContext, guards: AbuseGuards): void {
  const requireDevice = deviceAuth(ctx, guards);

  app.post('/v1/shifts', { onRequest: requireDevice }, async (request, reply) => {
    const body = parseOr400(ShiftReportRequestSchema, request.body);
    const r = await recordShift(ctx.database.db, deviceOf(request), body, ctx.now());
    // Another store's shift id is answered like a different body: nothing about it is revealed.
    if (r.outcome === 'conflict')
      throw new HttpError('CONFLICT', 'a different report was already stored under this shift id');
    return reply.status(r.outcome === 'created' ? 201 : 200).send(r.record);
  });

  app.get('/v1/shifts/:shift_id', { onRequest: requireDevice }, async (request) => {
    const { shift_id } = parseOr400(Params, request.params);
    const s = await getShift(ctx.database.db, shift_id);
    if (!s || s.store_id !== deviceOf(request).store_id) throw new HttpError('NOT_FOUND', 'no such shift');
    return toShiftRecord(s);
  });
}
