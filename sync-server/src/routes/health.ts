import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Health } from '../../../shared/schemas/sync-api.ts';
import { ping } from '../db/database.ts';
import { HttpError } from '../http-errors.ts';
import type { ServerContext } from '../services/context.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
  return timingSafeEqual(sha256(given), sha256(token));
}

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/health', async (_request, reply) => {
    let dbOk = true;
    try {
      await ping(ctx.database.db);
    } catch {
      dbOk = false;
    }
    const providers = ctx.router.health();
    const allOpen = Object.values(providers).length > 0 && Object.values(providers).every((p) => p.breaker === 'open');
    const body: Health = {
      status: dbOk && !allOpen ? 'ok' : 'degraded',
      db: ctx.database.kind,
      server_time: ctx.now(),
      providers,
    };
    return reply.status(dbOk ? 200 : 503).send(body);
  });

  app.get('/metrics', async (request, reply) => {
    const token = ctx.config.metricsToken;
    if (token !== null && !bearerMatches(request.headers.authorization, token)) {
      throw new HttpError('UNAUTHORIZED', 'metrics need the operator token');
    }
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
