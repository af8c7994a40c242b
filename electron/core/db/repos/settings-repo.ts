import type { Database } from 'better-sqlite3';

/** A small key → JSON value table: device configuration that survives restarts. */
export function readSettings(db: Database): Record<string, unknown> {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
}

/** Writes all keys in one transaction; `null` stores null (cleared), `undefined` leaves the key alone. */
export function writeSettings(db: Database, values: Record<string, unknown>): void {
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const [k, v] of Object.entries(values)) if (v !== undefined) put.run(k, JSON.stringify(v));
  })();
}
