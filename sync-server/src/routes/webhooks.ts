import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PROVIDER_IDS, ProviderIdSchema } from '../../../shared/schemas/sync-api.ts';
import { HttpError } from '../http-errors.ts';
import { type AbuseGuards, closeUnlessSmallBody, exceeded } from '../plugins/abuse-limits.ts';
import type { ServerContext } from '../services/context.ts';
import { ingestWebhook } from '../services/webhook-intake.ts';

const Params = z.strictObject({ provider: ProviderIdSchema });

/**
 * `POST /v1/webhooks/:provider`. Registered in its own scope so that bodies stay raw bytes: signatures are
 * computed on exactly what the provider sent, and any content type is accepted and stored (a provider's odd
 * content type must not make us drop a payment notification).
 *
 * Deliveries that fail verification are counted per address. Once an address passes WEBHOOK_FAILURES_PER_IP in
 * ABUSE_WINDOW_MS, everything it sends is answered 429 before its body is read, and nothing is stored; real
 * providers deliver from their own addresses and retry any non-2xx, so they are not held up by someone else's
 * flood. Every refused delivery is still counted in kasir_webhooks_total{outcome="rate_limited"}.
 */
export async function webhookRoutes(app: FastifyInstance, ctx: ServerContext, guards: AbuseGuards): Promise<void> {
  const RATE_LIMITED = {
    error: { code: 'RATE_LIMITED', message: 'too many unverifiable deliveries from this address; retry later' },
  } as const;
  // Answered directly rather than thrown: this is the path a flood takes thousands of times a second.
  const refuse = (request: FastifyRequest, reply: FastifyReply, retryAfter: number): FastifyReply => {
    const p = (request.params as { provider?: string }).provider;
    const provider = p !== undefined && (PROVIDER_IDS as readonly string[]).includes(p) ? p : 'unknown';
    ctx.metrics.webhooks.inc({ provider, outcome: 'rate_limited' });
    closeUnlessSmallBody(request, reply);
    return reply.status(429).header('retry-after', String(retryAfter)).send(RATE_LIMITED);
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post(
      '/v1/webhooks/:provider',
      {
        onRequest: async (request, reply) => {
          const seen = await guards.webhookFailures(request, { increment: false });
          if (exceeded(seen)) return refuse(request, reply, seen.ttlInSeconds);
        },
      },
      async (request, reply) => {
        const parsed = Params.safeParse(request.params);
        if (!parsed.success) throw new HttpError('NOT_FOUND', 'unknown payment provider');
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const r = await ingestWebhook(ctx, parsed.data.provider, { rawBody, headers: request.headers });
        if (r.http === 200) return reply.status(200).send({ received: true, outcome: r.outcome });
        if (r.outcome === 'rejected') {
          const limit = await guards.webhookFailures(request);
          if (exceeded(limit)) {
            // Already stored (within the row budget) and counted as rejected by the intake.
            return reply.status(429).header('retry-after', String(limit.ttlInSeconds)).send(RATE_LIMITED);
          }
        }
        return reply.status(r.http).send({ error: { code: r.code, message: r.message } });
      },
    );
  });
}
