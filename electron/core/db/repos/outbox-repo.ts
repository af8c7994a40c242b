import type { Database } from 'better-sqlite3';

/** Kinds of outbox entries; the server keys idempotency on the entry id and the entity id. */
export type OutboxKind =
  | 'sale.created'
  | 'payment.created'
  | 'payment.cash'
  | 'payment.cancel_requested'
  | 'shift.closed';

export type OutboxEntry = {
  id: string;
  kind: OutboxKind;
  entityId: string;
  payload: unknown;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  parked: boolean;
};

type Row = {
  id: string;
  kind: OutboxKind;
  entity_id: string;
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  parked: number;
};

/** Must be called inside the transaction that writes the entity: that is the whole point of an outbox. */
export function enqueue(
  db: Database,
  e: { id: string; kind: OutboxKind; entityId: string; payload: unknown },
  now: number,
): void {
  db.prepare(
    `INSERT INTO outbox (id, kind, entity_id, payload, created_at, attempts, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, 0, ?)`,
  ).run(e.id, e.kind, e.entityId, JSON.stringify(e.payload), now, now);
}

export function listOutbox(db: Database): OutboxEntry[] {
  const rows = db.prepare('SELECT * FROM outbox ORDER BY created_at, id').all() as Row[];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    entityId: r.entity_id,
    payload: JSON.parse(r.payload) as unknown,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    parked: r.parked === 1,
  }));
}

export function countOutbox(db: Database): { pending: number; parked: number } {
  const r = db
    .prepare('SELECT coalesce(sum(parked = 0), 0) AS pending, coalesce(sum(parked = 1), 0) AS parked FROM outbox')
    .get() as { pending: number; parked: number };
  return r;
}
