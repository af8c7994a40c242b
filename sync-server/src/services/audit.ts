/** Recording who did what: every manager action lands in the store's append-only audit log. */

import { appendAudit } from '../repos/audit-repo.ts';
import type { Executor } from '../repos/executor.ts';

/** The manager a session belongs to, as routes see it (request.manager). */
export type ManagerIdentity = { id: string; storeId: string; email: string };

/**
 * Appends one manager action to the manager's store's audit log, in the caller's transaction when it changes
 * data (so the action and its record commit together) or on the database for a read-only action.
 */
export async function recordManagerAction(
  db: Executor,
  manager: ManagerIdentity,
  a: {
    action: string;
    at: number;
    subjectType?: string | null;
    subjectId?: string | null;
    detail?: Record<string, unknown> | null;
  },
): Promise<number> {
  return appendAudit(db, {
    storeId: manager.storeId,
    at: a.at,
    actorKind: 'manager',
    actorId: manager.id,
    action: a.action,
    subjectType: a.subjectType ?? null,
    subjectId: a.subjectId ?? null,
    detail: { email: manager.email, ...(a.detail ?? {}) },
  });
}
