/**
 * One Kysely database over better-sqlite3 (default, a file under DATA_DIR) or PostgreSQL (DATABASE_URL).
 * SQL lives only in ../repos; this file sets connections up, migrates, and on PostgreSQL provides the
 * LISTEN/NOTIFY channel that lets several server instances relay events to each other's tills.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import pgListen from 'pg-listen';
import { type Dialect, migrationsFor } from './migrations/index.ts';
import type { DB } from './schema.ts';

// int8 (bigint) and numeric come back from pg as strings; every such value of ours is a safe integer
// (epoch ms, rupiah, sequence numbers, counts).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
export const NOTIFY_CHANNEL = 'kasir_sync_events';
/** The LISTEN connection's application_name, so operators (and tests) can find it in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'kasir-relay-listen';

export type Database = {
  readonly kind: Dialect;
  readonly db: Kysely<DB>;
  migrate(): Promise<string[]>;
  /**
   * PostgreSQL only: subscribe to NOTIFYs on the relay channel; returns an unsubscribe function. The connection
   * is re-established whenever it is lost; NOTIFYs sent while it was down are gone, so `onReconnected` runs
   * once it listens again and must make every subscriber re-read what it may have missed.
   */
  listen(handlers: ListenHandlers): Promise<() => Promise<void>>;
  /** PostgreSQL: the LISTEN connection's application_name (unique per process and database), to find it in
   * pg_stat_activity; null on SQLite. */
  readonly listenerName: string | null;
  close(): Promise<void>;
};

export type ListenHandlers = {
  onPayload: (payload: string) => void;
  onReconnected: () => void;
  onError: (e: Error) => void;
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
      listenerName: null,
      close: () => db.destroy(),
    };
  }

  const pool = new pg.Pool({ connectionString: cfg.url, max: 10 });
  const prepared = preparedStatements(pool);
  const listenerName = `${LISTEN_APPLICATION_NAME}-${randomBytes(4).toString('hex')}`;
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    async migrate() {
      const applied = await migrate(db, 'postgres');
      prepared.enable();
      return applied;
    },
    listen: (handlers) => listenWithReconnect(cfg.url, listenerName, handlers),
    listenerName,
    close: () => db.destroy(),
  };
}

/**
 * Kysely sends every statement unnamed, so PostgreSQL parses and plans it anew each time; for the short
 * statements of the webhook path that is a large share of the server's work. The set of distinct SQL texts is
 * small and fixed (values are bound), so each gets a name and node-postgres prepares it once per connection.
 * Only data statements, and only after migrating (a schema change under a prepared statement would fail it).
 *
 * Not statements that look rows up by an array (`= any($n)`), which the batched paths use: after five runs
 * PostgreSQL settles on one generic plan, made while the table was small (a new server's empty table), and keeps
 * it as the table grows. For the stored-event lookup that plan scanned every event of the provider: 2.5 ms per
 * batch after a few seconds of load, and growing. Unnamed, each run is planned for its own arrays and uses the
 * index.
 */
function preparedStatements(pool: pg.Pool, max = 500): { enable(): void } {
  const arrayLookup = /=\s*any\s*\(/i;
  const names = new Map<string, string>();
  let enabled = false;
  let counter = 0;
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      if (names.size >= max) return undefined;
      name = `kq_${++counter}`;
      names.set(text, name);
    }
    return name;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as { query: unknown }).query = (config: unknown, values?: unknown, cb?: unknown) => {
      if (
        enabled &&
        typeof config === 'string' &&
        Array.isArray(values) &&
        /^\s*(select|insert|update|delete|with)\b/i.test(config) &&
        !arrayLookup.test(config)
      ) {
        const name = nameOf(config);
        if (name) return query({ name, text: config, values }, cb);
      }
      return query(config, values, cb);
    };
  });
  return {
    enable() {
      enabled = true;
    },
  };
}

/**
 * The LISTEN side of the relay, on its own connection (pg-listen): when the connection drops (PostgreSQL
 * restart, `pg_terminate_backend`, network) it reconnects with backoff, forever, and LISTENs again; a
 * `select pg_backend_pid()` every few seconds also notices a connection that died silently.
 */
async function listenWithReconnect(url: string, name: string, h: ListenHandlers): Promise<() => Promise<void>> {
  // pg-listen is CommonJS with `exports.default`: Node's ESM default import is the exports object.
  const subscriber = pgListen.default(
    { connectionString: url, application_name: name },
    {
      parse: (payload: string) => payload,
      paranoidChecking: 5_000,
      retryInterval: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
      retryLimit: Number.POSITIVE_INFINITY,
      // 0 = never give up (pg-listen otherwise stops after 3 s and the relay would stay deaf).
      retryTimeout: 0,
    },
  );
  let initial = true;
  subscriber.notifications.on(NOTIFY_CHANNEL, (payload: unknown) => {
    if (typeof payload === 'string' && payload) h.onPayload(payload);
  });
  subscriber.events.on('connected', () => {
    if (initial) return;
    h.onReconnected();
  });
  subscriber.events.on('error', h.onError);
  await subscriber.connect();
  await subscriber.listenTo(NOTIFY_CHANNEL);
  initial = false;
  return async () => {
    await subscriber.close().catch(() => {});
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
