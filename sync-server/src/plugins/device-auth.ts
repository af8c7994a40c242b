/**
 * Bearer-token authentication for tills; the device decides which store's data a request may see.
 *
 * Routes run it as an `onRequest` hook, before the body is read or parsed: a caller without a valid token is
 * refused without the server buffering or parsing up to 64 KB for it, and a connection carrying a large body is
 * closed rather than drained. Failures are counted per address; past AUTH_FAILURES_PER_IP in ABUSE_WINDOW_MS the answer is 429.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeviceRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import { touchDevice } from '../repos/devices-repo.ts';
import type { ServerContext } from '../services/context.ts';
import { authenticateDevice } from '../services/devices.ts';
import { type AbuseGuards, closeUnlessSmallBody, exceeded } from './abuse-limits.ts';

declare module 'fastify' {
  interface FastifyRequest {
    device: DeviceRow | null;
  }
}

/** Last-seen is shown to managers at minute resolution; writing it on every request only adds load. */
const TOUCH_EVERY_MS = 30_000;

export function deviceAuth(ctx: ServerContext, guards: AbuseGuards) {
  // deviceId → when last_seen_at was last written. One entry per enrolled device that has called in.
  const touched = new Map<string, number>();
  return async function requireDevice(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const h = request.headers.authorization;
    const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
    const device = token ? await authenticateDevice(ctx.database.db, token) : null;
    if (device) {
      request.device = device;
      const now = ctx.now();
      if (now - (touched.get(device.id) ?? Number.NEGATIVE_INFINITY) >= TOUCH_EVERY_MS) {
        touched.set(device.id, now);
        // A failed write must not fail the request.
        touchDevice(ctx.database.db, device.id, now).catch(() => {});
      }
      return;
    }
    closeUnlessSmallBody(request, reply);
    const limit = await guards.authFailures(request);
    if (exceeded(limit)) {
      ctx.metrics.deviceAuthFailures.inc({ answer: '429' });
      reply.header('retry-after', String(limit.ttlInSeconds));
      throw new HttpError('RATE_LIMITED', 'too many failed authentications from this address; retry later');
    }
    ctx.metrics.deviceAuthFailures.inc({ answer: '401' });
    throw new HttpError('UNAUTHORIZED', 'a valid device token is required');
  };
}

export function deviceOf(request: FastifyRequest): DeviceRow {
  if (!request.device) throw new HttpError('UNAUTHORIZED', 'a valid device token is required');
  return request.device;
}
