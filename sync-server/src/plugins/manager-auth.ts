/**
 * Session authentication for the manager dashboard (/admin). Routes use the pair as hooks:
 *
 *   app.post('/admin/api/x', { onRequest: [requireManager(ctx), requireCsrf] }, handler)
 *
 * (`preHandler` works too; `onRequest` refuses before the body is read.) `requireManager` reads the HttpOnly
 * session cookie and sets `request.manager = {id, storeId, email}`; a device Bearer token is not a session
 * and opens nothing here (401). `requireCsrf` then checks the `x-csrf-token` header against the session's
 * token in constant time (403): every mutating admin request needs both. Scope every query by
 * `managerOf(request).storeId` and answer 404 for another store's ids.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE } from '../../../shared/schemas/admin-api.ts';
import { HttpError } from '../http-errors.ts';
import type { ManagerIdentity } from '../services/audit.ts';
import type { ServerContext } from '../services/context.ts';
import { csrfMatches, resolveSession } from '../services/managers.ts';

export type { ManagerIdentity };

declare module 'fastify' {
  interface FastifyRequest {
    manager: ManagerIdentity | null;
    /** The session's CSRF token and expiry (set with `manager`). */
    managerSession: { csrfToken: string; expiresAt: number; storeName: string; sessionId: string } | null;
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function requireManager(ctx: ServerContext): Hook {
  return async function requireManagerHook(request) {
    const sessionId = request.cookies?.[SESSION_COOKIE];
    const s = sessionId ? await resolveSession(ctx.database.db, sessionId, ctx.now()) : null;
    if (!s || !sessionId) throw new HttpError('UNAUTHORIZED', 'sign in as a store manager');
    request.manager = { id: s.managerId, storeId: s.storeId, email: s.email };
    request.managerSession = {
      csrfToken: s.csrfSecret,
      expiresAt: s.expiresAt,
      storeName: s.storeName,
      sessionId,
    };
  };
}

/** Run after requireManager on every request that changes something. */
export async function requireCsrf(request: FastifyRequest): Promise<void> {
  const session = request.managerSession;
  if (!session) throw new HttpError('UNAUTHORIZED', 'sign in as a store manager');
  const h = request.headers[CSRF_HEADER];
  if (!csrfMatches(session.csrfToken, typeof h === 'string' ? h : undefined)) {
    throw new HttpError('FORBIDDEN', `missing or wrong ${CSRF_HEADER} header`);
  }
}

export function managerOf(request: FastifyRequest): ManagerIdentity {
  if (!request.manager) throw new HttpError('UNAUTHORIZED', 'sign in as a store manager');
  return request.manager;
}
