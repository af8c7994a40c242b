/** Bearer-token authentication for tills; the device decides which store's data a request may see. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeviceRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import { touchDevice } from '../repos/devices-repo.ts';
import type { ServerContext } from '../services/context.ts';
import { authenticateDevice } from '../services/devices.ts';

declare module 'fastify' {
  interface FastifyRequest {
    device: DeviceRow | null;
  }
}

export function deviceAuth(ctx: ServerContext) {
  return async function requireDevice(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const h = request.headers.authorization;
    const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
    const device = token ? await authenticateDevice(ctx.database.db, token) : null;
    if (!device) throw new HttpError('UNAUTHORIZED', 'a valid device token is required');
    request.device = device;
    // Last-seen is shown to managers; a failed write must not fail the request.
    touchDevice(ctx.database.db, device.id, ctx.now()).catch(() => {});
  };
}

export function deviceOf(request: FastifyRequest): DeviceRow {
  if (!request.device) throw new HttpError('UNAUTHORIZED', 'a valid device token is required');
  return request.device;
}
