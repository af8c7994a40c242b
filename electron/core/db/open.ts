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
  return db;
}
