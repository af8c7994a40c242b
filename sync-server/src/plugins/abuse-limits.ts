/**
 * Per-address limits on failures, built on @fastify/rate-limit's in-memory store (an LRU, so memory stays
 * bounded however many addresses an attacker uses). Only failures are counted: a till with a valid token and a
 * provider with a valid signature are never slowed down, even when they share an address with an attacker.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

export type AbuseGuards = {
  /** Counts one failed device authentication from the request's address. */
  authFailures: Limiter;
  /** Counts one webhook delivery that failed verification; `{ increment: false }` only looks. */
  webhookFailures: Limiter;
};

/** Whether a limiter's answer means "over the limit". */
export const exceeded = (r: Awaited<ReturnType<Limiter>>): r is Extract<typeof r, { isAllowed: false }> =>
  !r.isAllowed && r.isExceeded;

export async function registerAbuseGuards(app: FastifyInstance, config: Config): Promise<AbuseGuards> {
  // global: false — no route is limited as a whole; the guards below are called on failure paths only.
  await app.register(rateLimit, { global: false });
  const { windowMs, authFailuresPerIp, webhookFailuresPerIp } = config.abuse;
  return {
    authFailures: app.createRateLimit({ max: authFailuresPerIp, timeWindow: windowMs }),
    webhookFailures: app.createRateLimit({ max: webhookFailuresPerIp, timeWindow: windowMs }),
  };
}

/** Bodies up to this size are read and discarded after a refusal, so the client's keep-alive connection stays usable. */
const DRAIN_MAX_BYTES = 8 * 1024;

/**
 * Called when a request is refused before its body was read. Node would otherwise read and discard whatever
 * body follows so the connection can carry the next request: fine for a small one (cheaper than a new
 * connection), not for a large, unknown (chunked) or never-arriving one, so those connections are closed.
 */
export function closeUnlessSmallBody(request: FastifyRequest, reply: FastifyReply): void {
  const h = request.headers;
  const length = h['content-length'] === undefined ? 0 : Number(h['content-length']);
  if (h['transfer-encoding'] !== undefined || !(length <= DRAIN_MAX_BYTES)) reply.header('connection', 'close');
}
