/**
 * Numbered, forward-only SQL migrations (STYLE.md convention 6). Files are `NNNN_name.sql` in one folder; each
 * runs in its own transaction together with its `schema_migrations` row, so a crash leaves either the whole
 * migration or none of it. Startup refuses a database whose applied ids are not a prefix of the files: that is
 * a database from a newer build or a different branch, and guessing would corrupt it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { listAppliedMigrations, recordMigration } from './repos/migrations-repo.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export type MigrationFile = { id: string; sql: string };

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((f) => {
    if (!/^\d{4}_[a-z0-9_]+\.sql$/.test(f)) throw new MigrationError(`migration file name must be NNNN_name.sql: ${f}`);
    return { id: f.slice(0, -4), sql: readFileSync(join(dir, f), 'utf8') };
  });
}

/** Applies the missing migrations in order; returns the ids it applied. */
export function migrate(db: Database, files: MigrationFile[] = readMigrations(), now = Date.now()): string[] {
  const applied = listAppliedMigrations(db);
  for (const [i, id] of applied.entries()) {
    if (files[i]?.id !== id) {
      throw new MigrationError(
        `database migrations [${applied.join(', ')}] are not a prefix of this build's [${files.map((f) => f.id).join(', ')}]; refusing to start`,
      );
    }
  }
  const todo = files.slice(applied.length);
  for (const m of todo) {
    db.transaction(() => {
      db.exec(m.sql);
      recordMigration(db, m.id, now);
    })();
  }
  return todo.map((m) => m.id);
}
