/**
 * The append-only audit log: who or what did what to which subject. Rows are only ever inserted (the database
 * refuses UPDATE and DELETE on the table, migration 0009).
 */
import '../db/schema-admin.ts';
import type { ActorKind } from '../../../shared/schemas/admin-api.ts';
import type { AuditRow } from '../db/schema-admin.ts';
import type { Executor } from './executor.ts';

export type AuditEntryInput = {
  storeId: string | null;
  at: number;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  detail?: Record<string, unknown> | null;
};

/** PostgreSQL text cannot hold U+0000; audit details may quote what a caller sent. */
const noNul = (s: string | null | undefined): string | null =>
  s == null ? null : s.includes('\u0000') ? s.replaceAll('\u0000', '\\u0000') : s;

export async function appendAudit(trx: Executor, e: AuditEntryInput): Promise<number> {
  const r = await trx
    .insertInto('audit_log')
    .values({
      store_id: e.storeId,
      at: e.at,
      actor_kind: e.actorKind,
      actor_id: noNul(e.actorId),
      action: e.action,
      subject_type: e.subjectType ?? null,
      subject_id: noNul(e.subjectId ?? null),
      detail: e.detail == null ? null : noNul(JSON.stringify(e.detail)),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** One store's entries, newest first, from before `beforeId` when paging. */
export async function listAudit(
  db: Executor,
  storeId: string,
  q: { action?: string; subjectType?: string; subjectId?: string; beforeId?: number; limit: number },
): Promise<AuditRow[]> {
  let s = db.selectFrom('audit_log').selectAll().where('store_id', '=', storeId);
  if (q.action) s = s.where('action', '=', q.action);
  if (q.subjectType) s = s.where('subject_type', '=', q.subjectType);
  if (q.subjectId) s = s.where('subject_id', '=', q.subjectId);
  if (q.beforeId !== undefined) s = s.where('id', '<', q.beforeId);
  const rows = await s.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
}
