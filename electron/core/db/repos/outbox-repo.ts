import type { Database } from 'better-sqlite3';

/** Kinds of outbox entries; the server keys idempotency on the entity's client id and the mutation id. */
export type OutboxKind =
  | 'sale.created'
  | 'payment.created'
  | 'payment.cash'
  | 'payment.offline_qris'
  | 'payment.cancel_requested'
  | 'shift.closed';

export type OutboxEntry = {
  id: string;
  /** Per-device, gap-free, assigned in the transaction that wrote the row (see 0003_sync.sql). */
  mutationId: number;
  kind: OutboxKind;
  entityId: string;
  payload: unknown;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  parked: boolean;
  parkedAt: number | null;
};

type Row = {
  id: string;
  mutation_id: number;
  kind: OutboxKind;
  entity_id: string;
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  parked: number;
  parked_at: number | null;
};

const toEntry = (r: Row): OutboxEntry => ({
  id: r.id,
  mutationId: r.mutation_id,
  kind: r.kind,
  entityId: r.entity_id,
  payload: JSON.parse(r.payload) as unknown,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  parked: r.parked === 1,
  parkedAt: r.parked_at,
});

/** Hands out the next mutation id; only ever called inside the transaction that inserts its outbox row. */
function nextMutationId(db: Database): number {
  const r = db
    .prepare('UPDATE sync_state SET last_mutation_id = last_mutation_id + 1 WHERE id = 1 RETURNING last_mutation_id')
    .get() as { last_mutation_id: number };
  return r.last_mutation_id;
}

/** Must be called inside the transaction that writes the entity: that is the whole point of an outbox. */
export function enqueue(
  db: Database,
  e: { id: string; kind: OutboxKind; entityId: string; payload: unknown },
  now: number,
): number {
  if (!db.inTransaction) throw new Error('outbox entries are written in the transaction of their entity');
  const mutationId = nextMutationId(db);
  db.prepare(
    `INSERT INTO outbox (id, mutation_id, kind, entity_id, payload, created_at, attempts, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
  ).run(e.id, mutationId, e.kind, e.entityId, JSON.stringify(e.payload), now, now);
  return mutationId;
}

export function listOutbox(db: Database): OutboxEntry[] {
  const rows = db.prepare('SELECT * FROM outbox ORDER BY mutation_id').all() as Row[];
  return rows.map(toEntry);
}

/** The oldest entries still to send, in mutation order (the server applies them in that order). */
export function nextBatch(db: Database, limit: number): OutboxEntry[] {
  const rows = db.prepare('SELECT * FROM outbox WHERE parked = 0 ORDER BY mutation_id LIMIT ?').all(limit) as Row[];
  return rows.map(toEntry);
}

export function listParked(db: Database): OutboxEntry[] {
  return (db.prepare('SELECT * FROM outbox WHERE parked = 1 ORDER BY mutation_id').all() as Row[]).map(toEntry);
}

export function countOutbox(db: Database): { pending: number; parked: number } {
  const r = db
    .prepare('SELECT coalesce(sum(parked = 0), 0) AS pending, coalesce(sum(parked = 1), 0) AS parked FROM outbox')
    .get() as { pending: number; parked: number };
  return r;
}

/**
 * The queue as it will stand once the entries up to `lastMutationId` are acknowledged: what a push reports to
 * the server as its client_state (the manager dashboard's sync lag). Uses the drain-order index.
 */
export function queueAfter(
  db: Database,
  lastMutationId: number,
): { pending: number; parked: number; oldestCreatedAt: number | null } {
  // Each is a range of the (parked, mutation_id) index, not a scan of the queue; the entry first in drain order
  // is the oldest waiting one (ids are handed out as entries are written).
  const pending = db
    .prepare('SELECT count(*) AS n FROM outbox WHERE parked = 0 AND mutation_id > ?')
    .get(lastMutationId) as { n: number };
  const parked = db.prepare('SELECT count(*) AS n FROM outbox WHERE parked = 1').get() as { n: number };
  const oldest = db
    .prepare('SELECT created_at FROM outbox WHERE parked = 0 AND mutation_id > ? ORDER BY mutation_id LIMIT 1')
    .get(lastMutationId) as { created_at: number } | undefined;
  return { pending: pending.n, parked: parked.n, oldestCreatedAt: oldest?.created_at ?? null };
}

/** Sales the server does not have yet (queued or parked), with their total: what the banner shows. */
export function unsyncedSales(db: Database): { count: number; total: number } {
  return db
    .prepare(
      `SELECT count(*) AS count, coalesce(sum(s.total), 0) AS total
       FROM outbox o JOIN sales s ON s.id = o.entity_id WHERE o.kind = 'sale.created'`,
    )
    .get() as { count: number; total: number };
}

export function ackState(db: Database): { lastMutationId: number; ackedMutationId: number } {
  const r = db.prepare('SELECT last_mutation_id, acked_mutation_id FROM sync_state WHERE id = 1').get() as {
    last_mutation_id: number;
    acked_mutation_id: number;
  };
  return { lastMutationId: r.last_mutation_id, ackedMutationId: r.acked_mutation_id };
}

/**
 * The server acknowledged every mutation up to `lastMutationId`: in ONE transaction, entries it refused are
 * parked with its reason (never deleted), the rest leave the outbox, and the acknowledged id is stored.
 * Returns how many entries left the queue.
 */
export function acknowledge(
  db: Database,
  a: { lastMutationId: number; rejected: { mutationId: number; reason: string }[] },
  now: number,
): { removed: number; parked: number } {
  return db.transaction(() => {
    const park = db.prepare(
      'UPDATE outbox SET parked = 1, parked_at = ?, last_error = ? WHERE mutation_id = ? AND parked = 0',
    );
    let parked = 0;
    for (const r of a.rejected) {
      if (r.mutationId <= a.lastMutationId) parked += park.run(now, r.reason, r.mutationId).changes;
    }
    const removed = db
      .prepare('DELETE FROM outbox WHERE mutation_id <= ? AND parked = 0')
      .run(a.lastMutationId).changes;
    db.prepare(
      `UPDATE sync_state SET acked_mutation_id = max(acked_mutation_id, ?), last_synced_at = ?, last_pushed_at = ?
       WHERE id = 1`,
    ).run(a.lastMutationId, now, now);
    return { removed, parked };
  })();
}

/** A failed attempt: counted on the entries for the manager screen; the queue itself backs off in memory. */
export function noteAttemptFailed(db: Database, fromId: number, toId: number, error: string, retryAt: number): void {
  db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
     WHERE mutation_id BETWEEN ? AND ? AND parked = 0`,
  ).run(error.slice(0, 500), retryAt, fromId, toId);
}

/**
 * Sends parked entries again (the till's "retry" verb): each gets a NEW mutation id at the end of the queue,
 * because its old id was consumed by the server when it refused it. The entity's client id is unchanged, so
 * the server still applies it at most once. Returns how many were re-queued.
 */
export function requeueParked(db: Database, ids: string[] | null, now: number): number {
  return db.transaction(() => {
    const parked = (
      ids === null
        ? (db.prepare('SELECT id FROM outbox WHERE parked = 1 ORDER BY mutation_id').all() as { id: string }[])
        : ids.map((id) => ({ id }))
    ).map((r) => r.id);
    const move = db.prepare(
      `UPDATE outbox SET mutation_id = ?, parked = 0, parked_at = NULL, attempts = 0, last_error = NULL,
         next_attempt_at = ? WHERE id = ? AND parked = 1`,
    );
    let n = 0;
    for (const id of parked) {
      const exists = db.prepare('SELECT 1 FROM outbox WHERE id = ? AND parked = 1').get(id);
      if (!exists) continue;
      n += move.run(nextMutationId(db), now, id).changes;
    }
    return n;
  })();
}

/** When the oldest entry the server has not acknowledged (queued or parked) was written; null when none. */
export function oldestUnsyncedAt(db: Database): number | null {
  return (db.prepare('SELECT min(created_at) AS at FROM outbox').get() as { at: number | null }).at;
}

/**
 * Parked entries with the money they carry (a sale's total or a payment's amount), for the manager's screen.
 * Bounded: a till with thousands parked shows the oldest `limit`.
 */
export function listParkedWithAmounts(db: Database, limit = 500): (OutboxEntry & { amount: number | null })[] {
  const rows = db
    .prepare(
      `SELECT o.*, coalesce(s.total, p.amount) AS amount FROM outbox o
       LEFT JOIN sales s ON o.kind = 'sale.created' AND s.id = o.entity_id
       LEFT JOIN payments p ON o.kind LIKE 'payment.%' AND p.id = o.entity_id
       WHERE o.parked = 1 ORDER BY o.mutation_id LIMIT ?`,
    )
    .all(limit) as (Row & { amount: number | null })[];
  return rows.map((r) => ({ ...toEntry(r), amount: r.amount }));
}
