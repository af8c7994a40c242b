import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionBatcher } from '../../sync-server/src/db/batcher.ts';
import { type Database, openDatabase } from '../../sync-server/src/db/database.ts';
import { getStore, insertStore } from '../../sync-server/src/repos/stores-repo.ts';
import { storedEventKeys } from '../../sync-server/src/repos/webhook-events-repo.ts';
import { DB_KIND, freshPgSchema } from './helpers.ts';

let database: Database | null = null;
let cleanup: () => Promise<void> = async () => {};
afterEach(async () => {
  await database?.close();
  database = null;
  await cleanup();
});

/** A database of the kind this suite runs on (SQLite file, or a fresh PostgreSQL schema). */
async function open() {
  if (DB_KIND === 'postgres') {
    const s = await freshPgSchema();
    cleanup = () => s.drop();
    database = openDatabase({ kind: 'postgres', url: s.url });
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'kasir-batch-'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    database = openDatabase({ kind: 'sqlite', file: join(dir, 's.sqlite') });
  }
  await database.migrate();
  return database;
}

/** Lets every job of a test join one batch: each waits for the others before it writes. */
function gate(n: number) {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return async () => {
    if (++arrived >= n) open();
    await Promise.race([opened, new Promise((r) => setTimeout(r, 50))]);
  };
}

describe(`group commit (${DB_KIND})`, () => {
  it('commits concurrent jobs together and fails only the job that threw', async () => {
    const d = await open();
    const batcher = new TransactionBatcher(d.db, d.kind);
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((i) =>
        batcher.run(async (trx) => {
          await insertStore(trx, { id: `s${i}`, name: `S${i}`, provider: 'xendit', created_at: i });
          if (i === 3) throw new Error('job 3 is broken');
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual([1, 2, null, 4, 5]);
    for (const i of [1, 2, 4, 5]) expect(await getStore(d.db, `s${i}`)).toBeDefined();
    expect(await getStore(d.db, 's3')).toBeUndefined();
  });

  it('a job whose SQL fails aborts only itself, even though the database aborted the whole transaction', async () => {
    const d = await open();
    const batcher = new TransactionBatcher(d.db, d.kind, { concurrency: 1 });
    await insertStore(d.db, { id: 'taken', name: 'T', provider: 'xendit', created_at: 0 });
    const ids = ['a1', 'taken', 'a3', 'a4'];
    const results = await Promise.allSettled(
      ids.map((id) => batcher.run((trx) => insertStore(trx, { id, name: id, provider: 'xendit', created_at: 1 }))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    for (const id of ['a1', 'a3', 'a4']) expect(await getStore(d.db, id)).toBeDefined();
  });

  it('a batch whose COMMIT fails re-runs its jobs alone: the innocent ones succeed, the guilty one fails', async () => {
    const d = await open();
    // A deferred foreign key is checked at COMMIT, so the shared commit of the batch is what fails.
    await sql`create table deferred_t (id integer primary key, ref integer references deferred_t (id) deferrable initially deferred)`.execute(
      d.db,
    );
    const batcher = new TransactionBatcher(d.db, d.kind, { concurrency: 1 });
    const arrive = gate(4);
    const ran: number[] = [];
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) =>
        batcher.run(async (trx) => {
          ran.push(i);
          await arrive();
          // Job 3 points at a row that never exists; the others point at themselves.
          await sql`insert into deferred_t (id, ref) values (${i}, ${i === 3 ? 999 : i})`.execute(trx);
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const rows = await sql<{ id: number }>`select id from deferred_t order by id`.execute(d.db);
    expect(rows.rows.map((r) => Number(r.id))).toEqual([1, 2, 4]);
    // They did share a batch first (each job ran once together, then once alone).
    expect(ran.filter((i) => i === 1).length).toBe(2);
  });

  it('resolves a job only after its write is committed', async () => {
    const d = await open();
    const batcher = new TransactionBatcher(d.db, d.kind);
    const seen = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) =>
        batcher
          .run((trx) => insertStore(trx, { id: `c${i}`, name: 'C', provider: 'xendit', created_at: i }))
          // A fresh read outside the transaction must see the row the moment the job resolves.
          .then(() => getStore(d.db, `c${i}`)),
      ),
    );
    expect(seen.every((s) => s !== undefined)).toBe(true);
  });
});

describe(`prepared statements (${DB_KIND})`, () => {
  it.skipIf(DB_KIND !== 'postgres')(
    'PostgreSQL: a look-up by an array is planned for its own arrays each time, never prepared on an empty table',
    async () => {
      const d = await open();
      await d.db.connection().execute(async (conn) => {
        // Past PostgreSQL's five custom plans: a prepared statement would now run one generic plan, made while
        // the table was empty, which scanned every stored event of the provider once the table had grown.
        for (let i = 0; i < 7; i++)
          expect(await storedEventKeys(conn, 'postgres', 'midtrans', [`k${i}`])).toEqual(new Set());
        expect(await getStore(conn, 'nobody')).toBeUndefined();
        const rows = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn);
        const texts = rows.rows.map((r) => r.statement);
        expect(texts.some((t) => t.includes('from "stores"'))).toBe(true);
        expect(texts.filter((t) => /=\s*any\s*\(/i.test(t))).toEqual([]);
      });
    },
  );
});
