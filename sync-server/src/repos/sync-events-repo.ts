import { sql } from 'kysely';
import { NOTIFY_CHANNEL } from '../db/database.ts';
import { EVENTS_PER_TX_BITS } from '../db/migrations/0002-event-order.ts';
import type { SyncEventRow } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/*
 * How a store's events are ordered without serialising the store.
 *
 * A till resumes from a cursor (the last `seq` it saw), so a reader must never hand out an event while an event
 * with a smaller `seq` can still commit: the cursor would move past it and it would be skipped for good.
 *
 * SQLite has a single writer: `seq` (autoincrement) is taken under the write lock, which is held until commit,
 * so `seq` order is commit order and every committed row is final.
 *
 * PostgreSQL commits concurrently. Two alternatives were rejected:
 *  - a plain sequence: T1 takes seq 10, T2 takes 11 and commits first, a reader delivers 11, then 10 commits
 *    and is skipped (test/server/event-order.test.ts shows this);
 *  - a per-store lock or a per-store counter row updated in the transaction (the former
 *    `pg_advisory_xact_lock`): correct, but the lock is held through COMMIT, so one store's writes queue up
 *    behind each other's fsync, and two group-commit batches that touch the same stores in different order
 *    deadlock.
 * Instead `seq` is derived from the writing transaction's id, `((xid + offset) << 12) + n` (migration 0002),
 * and a reader only delivers rows below the horizon `(xmin + offset) << 12`, where xmin is
 * `pg_snapshot_xmin(pg_current_snapshot())` of the very statement that reads the rows: the oldest
 * transaction still running. Every transaction below xmin has ended, so its rows are final and visible to that
 * statement; every transaction that commits later has an xid ≥ xmin (running at the snapshot, or not yet
 * started), so all its rows lie above the horizon — above any cursor handed out. Nothing is skipped, nothing
 * repeats, and writers take no lock at all (the technique PgQ uses for its batches).
 * The price: a committed row waits below the horizon while an older writing transaction is still open. Readers
 * are told (`heldBack`) so they look again shortly (routes/sync.ts); transactions here are milliseconds long.
 */

/**
 * Appends an event for a store's tills inside the caller's transaction and NOTIFYs the relay channel in the same
 * statement; PostgreSQL delivers the NOTIFY only on commit, once per store and transaction.
 */
export async function appendSyncEvent(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  e: { store_id: string; type: string; payload: string; created_at: number },
): Promise<number> {
  if (dialect === 'sqlite') {
    const r = await db.insertInto('sync_events').values(e).returning('seq').executeTakeFirstOrThrow();
    return r.seq;
  }
  // Only this transaction can write rows in [base, base + 4096): the next index is one past its last one.
  const r = await sql<{ seq: number }>`
    with b as (
      select (pg_current_xact_id()::text::bigint + kasir_event_offset()) << ${sql.lit(EVENTS_PER_TX_BITS)} as base
    ),
    n as (
      select coalesce(max(s.seq) + 1, b.base) as seq, b.base
      from b left join sync_events s on s.seq >= b.base and s.seq < b.base + ${sql.lit(1 << EVENTS_PER_TX_BITS)}
      group by b.base
    ),
    ins as (
      insert into sync_events (seq, store_id, type, payload, created_at)
      select n.seq, ${e.store_id}::text, ${e.type}::text, ${e.payload}::text, ${e.created_at}::bigint
      from n where n.seq < n.base + ${sql.lit(1 << EVENTS_PER_TX_BITS)}
      returning seq
    )
    select ins.seq, pg_notify(${NOTIFY_CHANNEL}, ${e.store_id}::text) from ins`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error(`more than ${1 << EVENTS_PER_TX_BITS} sync events in one transaction`);
  return row.seq;
}

/** appendSyncEvent for several events at once, in order: one statement on PostgreSQL. */
export async function appendSyncEvents(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  events: { store_id: string; type: string; payload: string; created_at: number }[],
): Promise<void> {
  if (events.length === 0) return;
  if (dialect === 'sqlite') {
    for (const e of events) await db.insertInto('sync_events').values(e).execute();
    return;
  }
  const col = <K extends keyof (typeof events)[number]>(k: K) => events.map((e) => e[k]);
  const r = await sql<{ n: number }>`
    with b as (
      select (pg_current_xact_id()::text::bigint + kasir_event_offset()) << ${sql.lit(EVENTS_PER_TX_BITS)} as base
    ),
    n as (
      select coalesce(max(s.seq) + 1, b.base) as seq, b.base
      from b left join sync_events s on s.seq >= b.base and s.seq < b.base + ${sql.lit(1 << EVENTS_PER_TX_BITS)}
      group by b.base
    ),
    v as (
      select * from unnest(${col('store_id')}::text[], ${col('type')}::text[], ${col('payload')}::text[],
        ${col('created_at')}::bigint[]) with ordinality as v(store_id, type, payload, created_at, ord)
    ),
    ins as (
      insert into sync_events (seq, store_id, type, payload, created_at)
      select n.seq + v.ord - 1, v.store_id, v.type, v.payload, v.created_at
      from n, v where n.seq + v.ord - 1 < n.base + ${sql.lit(1 << EVENTS_PER_TX_BITS)}
      returning store_id
    ),
    notified as (select pg_notify(${NOTIFY_CHANNEL}, d.store_id) from (select distinct store_id from ins) d)
    select (select count(*)::int from ins) as n, (select count(*) from notified) as notified`.execute(db);
  if (Number(r.rows[0]?.n) !== events.length) {
    throw new Error(`more than ${1 << EVENTS_PER_TX_BITS} sync events in one transaction`);
  }
}

export type SyncEventPage = {
  /** Events after the cursor that may be delivered, in `seq` order. */
  rows: SyncEventRow[];
  /**
   * Committed events exist after `rows` that may not be delivered yet, because an older transaction is still
   * open (PostgreSQL only). Read again shortly; no NOTIFY is guaranteed to follow.
   */
  heldBack: boolean;
};

/** The events of a store after `cursor` that are final: no event with a smaller `seq` can still commit. */
export async function readSyncEvents(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  storeId: string,
  cursor: number,
  limit: number,
): Promise<SyncEventPage> {
  if (dialect === 'sqlite') {
    const rows = await db
      .selectFrom('sync_events')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('seq', '>', cursor)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return { rows, heldBack: false };
  }
  // The horizon must come from the same snapshot as the rows, so it is computed in the same statement (a
  // function would be free to take a newer snapshot).
  const r = await sql<SyncEventRow & { horizon: number }>`
    select seq, store_id, type, payload, created_at,
      (pg_snapshot_xmin(pg_current_snapshot())::text::bigint + kasir_event_offset())
        << ${sql.lit(EVENTS_PER_TX_BITS)} as horizon
    from sync_events
    where store_id = ${storeId} and seq > ${cursor}
    order by seq
    limit ${limit}`.execute(db);
  const rows: SyncEventRow[] = [];
  for (const { horizon, ...row } of r.rows) {
    if (row.seq >= horizon) return { rows, heldBack: true };
    rows.push(row);
  }
  return { rows, heldBack: false };
}
