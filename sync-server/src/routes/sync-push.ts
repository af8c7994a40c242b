import type { FastifyInstance } from 'fastify';
import { PushRequestSchema } from '../../../shared/schemas/sync-api.ts';
import { parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import type { ServerContext } from '../services/context.ts';
import { MutationGapError, pushMutations } from '../services/sync-push.ts';

/** A full batch of 1,000 mutations with many lines is far above the API's default body limit. */
export const PUSH_BODY_LIMIT = 8 * 1024 * 1024;

export function syncPushRoutes(app: FastifyInstance, ctx: ServerContext, guards: AbuseGuards): void {
  // Authenticated in onRequest, before a (large) body is read and parsed.
  app.post(
    '/v1/sync/push',
    { onRequest: deviceAuth(ctx, guards), bodyLimit: PUSH_BODY_LIMIT },
    async (request, reply) => {
      const body = parseOr400(PushRequestSchema, request.body);
      try {
        return await pushMutations(ctx, deviceOf(request), body);
      } catch (e) {
        if (!(e instanceof MutationGapError)) throw e;
        return reply.status(409).send({
          error: { code: 'MUTATION_GAP', message: e.message },
          last_mutation_id: e.lastMutationId,
        });
      }
    },
  );
}
