import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ProviderIdSchema } from '../../../shared/schemas/sync-api.ts';
import { HttpError } from '../http-errors.ts';
import type { ServerContext } from '../services/context.ts';
import { ingestWebhook } from '../services/webhook-intake.ts';

const Params = z.strictObject({ provider: ProviderIdSchema });

/**
 * `POST /v1/webhooks/:provider`. Registered in its own scope so that bodies stay raw bytes: signatures are
 * computed on exactly what the provider sent, and any content type is accepted and stored (a provider's odd
 * content type must not make us drop a payment notification).
 */
export async function webhookRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/v1/webhooks/:provider', async (request, reply) => {
      const parsed = Params.safeParse(request.params);
      if (!parsed.success) throw new HttpError('NOT_FOUND', 'unknown payment provider');
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const r = await ingestWebhook(ctx, parsed.data.provider, { rawBody, headers: request.headers });
      if (r.http === 200) return reply.status(200).send({ received: true, outcome: r.outcome });
      return reply.status(r.http).send({ error: { code: r.code, message: r.message } });
    });
  });
}
