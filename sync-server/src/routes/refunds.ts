/**
 * Refunds, for a store's manager only (issue 8): `POST /v1/payments/:id/refund` and
 * `GET /v1/payments/:id/refunds`. The manager guard is the caller's `preHandler`; it must leave the signed-in
 * manager on `request.manager` (`{ id, storeId }` or `{ id, store_id }`). A request without one is refused with
 * 401 MANAGER_REQUIRED, so a till's device token can never refund: it is not a manager session.
 */
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { RefundRequestSchema } from '../../../shared/schemas/refund-api.ts';
import { IdSchema } from '../../../shared/schemas/sync-api.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import type { ServerContext } from '../services/context.ts';
import { listRefunds, type RefundActor, requestRefund } from '../services/refunds.ts';

const Params = z.strictObject({ payment_id: IdSchema });

const ManagerOnRequest = z.union([
  z
    .looseObject({ id: z.string().min(1), storeId: z.string().min(1) })
    .transform((m) => ({ id: m.id, storeId: m.storeId })),
  z
    .looseObject({ id: z.string().min(1), store_id: z.string().min(1) })
    .transform((m) => ({ id: m.id, storeId: m.store_id })),
]);

export type RefundAuth = {
  preHandler: preHandlerHookHandler[];
  /** Reads the manager the guard signed in; defaults to `request.manager`. */
  managerOf?: (request: FastifyRequest) => { id: string; storeId: string } | null;
};

function defaultManagerOf(request: FastifyRequest): { id: string; storeId: string } | null {
  const m = ManagerOnRequest.safeParse((request as FastifyRequest & { manager?: unknown }).manager);
  return m.success ? m.data : null;
}

export function refundRoutes(app: FastifyInstance, ctx: ServerContext, auth: RefundAuth): void {
  const managerOf = auth.managerOf ?? defaultManagerOf;
  const actorOf = (request: FastifyRequest): RefundActor => {
    const m = managerOf(request);
    if (!m) throw new HttpError('MANAGER_REQUIRED', 'a manager must be signed in to refund');
    return { kind: 'manager', id: m.id, storeId: m.storeId };
  };

  app.post('/v1/payments/:payment_id/refund', { preHandler: auth.preHandler }, async (request, reply) => {
    const actor = actorOf(request);
    const { payment_id } = parseOr400(Params, request.params);
    const body = parseOr400(RefundRequestSchema, request.body);
    const r = await requestRefund(ctx, {
      storeId: actor.storeId,
      paymentId: payment_id,
      ...(body.amount === undefined ? {} : { amount: body.amount }),
      reason: body.reason,
      idempotencyKey: body.idempotency_key,
      actor,
    });
    // 201: refunded now; 202: the provider is still processing it (ask again with the same key); 200: a repeat.
    const status = r.result === 'created' ? 201 : r.result === 'pending' ? 202 : 200;
    return reply.status(status).send({ refund: r.refund, payment: r.payment });
  });

  app.get('/v1/payments/:payment_id/refunds', { preHandler: auth.preHandler }, async (request) => {
    const actor = actorOf(request);
    const { payment_id } = parseOr400(Params, request.params);
    return { refunds: await listRefunds(ctx, actor.storeId, payment_id) };
  });
}

/**
 * The guard used until a manager sign-in exists on this server: it refuses every request. The lead replaces it
 * with the manager-session guard when the admin API lands.
 */
export const refuseAllManagers: preHandlerHookHandler = async () => {
  throw new HttpError('MANAGER_REQUIRED', 'manager sign-in is not available on this server yet');
};
