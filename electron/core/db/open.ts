/**
 * Opens the till's SQLite database. WAL lets the screen read while a sale commits; synchronous=FULL because a
 * sale the cashier saw as recorded must survive a power cut (NORMAL can lose the last commits in WAL mode);
 * busy_timeout because the web host and a maintenance script may briefly hold the write lock.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type MigrationFile, migrate, readMigrations } from './migrate.ts';

export type TillDb = Database.Database;

export const DB_FILE_NAME = 'till.sqlite';

export function openDatabase(
  o: { dataDir: string } | { file: string },
  migrations: MigrationFile[] = readMigrations(),
): TillDb {
  let file: string;
  if ('dataDir' in o) {
    mkdirSync(o.dataDir, { recursive: true });
    file = join(o.dataDir, DB_FILE_NAME);
  } else {
    file = o.file;
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  cacheStatements(db);
  return db;
}

/**
 * The repositories call `db.prepare(sql)` where they run it; preparing costs more than running a short statement
 * (a sale and its outbox entry are a dozen of them, on the Charge → QR path). Statements are reusable and the
 * set of SQL texts is small and fixed (values are bound), so the connection keeps each one it prepared.
 * No repository iterates a statement while running it again, which is the one thing a shared statement forbids.
 */
function cacheStatements(db: TillDb, max = 500): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, stmt);
    }
    return stmt;
  }) as TillDb['prepare'];
}
