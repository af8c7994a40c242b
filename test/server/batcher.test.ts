import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionBatcher } from '../../sync-server/src/db/batcher.ts';
import { type Database, openDatabase } from '../../sync-server/src/db/database.ts';
import { getStore, insertStore } from '../../sync-server/src/repos/stores-repo.ts';

let database: Database | null = null;
let dir = '';
afterEach(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open() {
  dir = mkdtempSync(join(tmpdir(), 'kasir-batch-'));
  database = openDatabase({ kind: 'sqlite', file: join(dir, 's.sqlite') });
  await database.migrate();
  return database;
}

describe('group commit', () => {
  it('commits concurrent jobs together and fails only the job that threw', async () => {
    const d = await open();
    const batcher = new TransactionBatcher(d.db, 'sqlite');
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
    for (const i of [1, 2, 4, 5]) expect(await getStore(d.db, `s${i}`)).toBeDefined();
    expect(await getStore(d.db, 's3')).toBeUndefined();
  });

  it('resolves a job only after its write is committed', async () => {
    const d = await open();
    const batcher = new TransactionBatcher(d.db, 'sqlite');
    const seen = await Promise.all(
      [1, 2, 3].map((i) =>
        batcher
          .run((trx) => insertStore(trx, { id: `c${i}`, name: 'C', provider: 'xendit', created_at: i }))
          // A fresh read outside the transaction must see the row the moment the job resolves.
          .then(() => getStore(d.db, `c${i}`)),
      ),
    );
    expect(seen.every((s) => s !== undefined)).toBe(true);
  });
});
