import { sql } from 'kysely';
import { NOTIFY_CHANNEL } from '../db/database.ts';
import type { SyncEventRow } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/**
 * Appends an event for a store's tills inside the caller's transaction. On PostgreSQL it first takes a
 * per-store transaction lock, so a store's events commit in `seq` order and a reader resuming from a cursor
 * can never skip one that commits late; then it NOTIFYs, which PostgreSQL delivers only on commit.
 */
export async function appendSyncEvent(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  e: { store_id: string; type: string; payload: string; created_at: number },
): Promise<number> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${e.store_id}))`.execute(db);
  const r = await db.insertInto('sync_events').values(e).returning('seq').executeTakeFirstOrThrow();
  if (dialect === 'postgres') await sql`select pg_notify(${NOTIFY_CHANNEL}, ${e.store_id})`.execute(db);
  return r.seq;
}

export async function listSyncEventsAfter(
  db: Executor,
  storeId: string,
  cursor: number,
  limit: number,
): Promise<SyncEventRow[]> {
  return db
    .selectFrom('sync_events')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('seq', '>', cursor)
    .orderBy('seq')
    .limit(limit)
    .execute();
}
