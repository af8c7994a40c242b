import type { FastifyInstance } from 'fastify';
import { ReconciliationQuerySchema } from '../../../shared/schemas/sync-api.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import type { ServerContext } from '../services/context.ts';
import { offlineSetup } from '../services/offline-qris.ts';
import { reconciliation, reconciliationCsv } from '../services/reconciliation.ts';

/** What a till needs to sell QRIS offline, and the store's day of money for reconciliation. */
export function offlineRoutes(app: FastifyInstance, ctx: ServerContext, guards: AbuseGuards): void {
  const requireDevice = deviceAuth(ctx, guards);

  app.get('/v1/store/offline', { onRequest: requireDevice }, async (request) => offlineSetup(ctx, deviceOf(request)));

  app.get('/v1/reconciliation', { onRequest: requireDevice }, async (request, reply) => {
    const q = parseOr400(ReconciliationQuerySchema, request.query);
    // A till sees only its own store; another store is indistinguishable from an unknown one.
    if (q.store !== deviceOf(request).store_id) throw new HttpError('NOT_FOUND', 'no such store');
    const report = await reconciliation(ctx, q.store, q.date);
    if (q.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="reconciliation-${q.store}-${q.date}.csv"`)
        .send(reconciliationCsv(report));
    }
    return report;
  });
}
