import type { Database } from 'better-sqlite3';

export function readSyncState(db: Database): { cursor: number; lastSyncedAt: number | null } {
  const r = db.prepare('SELECT cursor, last_synced_at FROM sync_state WHERE id = 1').get() as {
    cursor: number;
    last_synced_at: number | null;
  };
  return { cursor: r.cursor, lastSyncedAt: r.last_synced_at };
}

/** Only ever moves the cursor forward: a replayed or reordered frame must not rewind it. */
export function advanceCursor(db: Database, cursor: number, now: number): void {
  db.prepare('UPDATE sync_state SET cursor = max(cursor, ?), last_synced_at = ? WHERE id = 1').run(cursor, now);
}

export function touchSynced(db: Database, now: number): void {
  db.prepare('UPDATE sync_state SET last_synced_at = ? WHERE id = 1').run(now);
}

/** A different server or store means a different event stream: start from its beginning. */
export function resetCursor(db: Database): void {
  db.prepare('UPDATE sync_state SET cursor = 0 WHERE id = 1').run();
}
