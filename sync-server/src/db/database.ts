/**
 * One Kysely database over better-sqlite3 (default, a file under DATA_DIR) or PostgreSQL (DATABASE_URL).
 * SQL lives only in ../repos; this file sets connections up, migrates, and on PostgreSQL provides the
 * LISTEN/NOTIFY channel that lets several server instances relay events to each other's tills.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { type Dialect, migrationsFor } from './migrations/index.ts';
import type { DB } from './schema.ts';

// int8 (bigint) and numeric come back from pg as strings; every such value of ours is a safe integer
// (epoch ms, rupiah, sequence numbers, counts).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
export const NOTIFY_CHANNEL = 'kasir_sync_events';

export type Database = {
  readonly kind: Dialect;
  readonly db: Kysely<DB>;
  migrate(): Promise<string[]>;
  /** PostgreSQL only: subscribe to NOTIFYs on the relay channel; returns an unsubscribe function. */
  listen(onPayload: (payload: string) => void, onError: (e: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export function openDatabase(cfg: DatabaseConfig): Database {
  if (cfg.kind === 'sqlite') {
    if (cfg.file !== ':memory:') mkdirSync(dirname(cfg.file), { recursive: true });
    const native = new SQLite(cfg.file);
    native.pragma('journal_mode = WAL');
    // A webhook is answered 2xx only after its row is durable, so commits must survive power loss.
    native.pragma('synchronous = FULL');
    native.pragma('foreign_keys = ON');
    native.pragma('busy_timeout = 5000');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
    return {
      kind: 'sqlite',
      db,
      migrate: () => migrate(db, 'sqlite'),
      listen: async () => {
        throw new Error('LISTEN/NOTIFY is PostgreSQL only');
      },
      close: () => db.destroy(),
    };
  }

  const pool = new pg.Pool({ connectionString: cfg.url, max: 10 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    migrate: () => migrate(db, 'postgres'),
    async listen(onPayload, onError) {
      const client = new pg.Client({ connectionString: cfg.url });
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === NOTIFY_CHANNEL && n.payload) onPayload(n.payload);
      });
      client.on('error', onError);
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return async () => {
        await client.end().catch(() => {});
      };
    },
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every statement anew; better-sqlite3 statements are reusable, and preparing is a large share
 * of a short query's cost. The set of distinct SQL texts is small and fixed (parameters are bound), so a
 * bounded map keyed by text is enough.
 */
function withStatementCache(native: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => native.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = native.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

async function migrate(db: Kysely<DB>, dialect: Dialect): Promise<string[]> {
  const migrations = migrationsFor(dialect);
  // Kysely looks for its bookkeeping tables across all schemas unless told which one; name the current one so
  // that several deployments (or test runs) in one PostgreSQL database each keep their own.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: false,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new MigrationError(`database migration failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Used by health checks: a trivial round trip. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
