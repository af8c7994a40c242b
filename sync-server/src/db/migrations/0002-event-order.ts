import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * PostgreSQL only: sync events are numbered from their transaction's id instead of a sequence, so that a store's
 * events can be ordered without a per-store lock. See repos/sync-events-repo.ts for why this is commit-order
 * safe. SQLite needs nothing: it has one writer at a time, so its autoincrement order already is commit order.
 *
 * `seq = ((xid + offset) << 12) + n`, n = 0..4095 the event's index within its transaction. Tills keep the old
 * `seq` values as cursors, so every new number must exceed every existing one: `offset` lifts the numbering
 * above the largest existing `seq` (on a fresh database it is 0). Each transaction that appended an event also
 * used an xid, so in practice the offset stays 0; it is computed anyway so the guarantee does not rest on that.
 */
export const EVENTS_PER_TX_BITS = 12;

export const m0002EventOrder = (dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    if (dialect !== 'postgres') return;
    const { rows } = await sql<{ m: number | string; x: number | string }>`
      select coalesce(max(seq), 0) as m, pg_current_xact_id()::text::bigint as x from sync_events`.execute(db);
    const max = BigInt(rows[0]!.m);
    const xid = BigInt(rows[0]!.x);
    const needed = max / (1n << BigInt(EVENTS_PER_TX_BITS)) + 1n - xid;
    const offset = needed > 0n ? needed : 0n;
    // A constant, so IMMUTABLE is true; both the writer and the reader use it.
    await sql
      .raw(
        `create or replace function kasir_event_offset() returns bigint language sql immutable parallel safe as 'select ${offset}::bigint'`,
      )
      .execute(db);
    await sql`alter table sync_events alter column seq drop default`.execute(db);
    await sql`drop sequence if exists sync_events_seq_seq`.execute(db);
  },
});
