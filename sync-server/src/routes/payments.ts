import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CreatePaymentRequestSchema, IdSchema } from '../../../shared/schemas/sync-api.ts';
import { parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import type { ServerContext } from '../services/context.ts';
import { cancelPayment, createPayment, getPaymentForDevice } from '../services/payments.ts';

const Params = z.strictObject({ payment_id: IdSchema });

export function paymentRoutes(app: FastifyInstance, ctx: ServerContext, guards: AbuseGuards): void {
  // onRequest: authenticated before the body is read (plugins/device-auth.ts).
  const requireDevice = deviceAuth(ctx, guards);

  app.post('/v1/payments', { onRequest: requireDevice }, async (request, reply) => {
    const body = parseOr400(CreatePaymentRequestSchema, request.body);
    const { payment, created } = await createPayment(ctx, deviceOf(request), body);
    return reply.status(created ? 201 : 200).send(payment);
  });

  app.get('/v1/payments/:payment_id', { onRequest: requireDevice }, async (request) => {
    const { payment_id } = parseOr400(Params, request.params);
    return getPaymentForDevice(ctx, deviceOf(request), payment_id);
  });

  app.post('/v1/payments/:payment_id/cancel', { onRequest: requireDevice }, async (request) => {
    const { payment_id } = parseOr400(Params, request.params);
    return cancelPayment(ctx, deviceOf(request), payment_id);
  });
}
