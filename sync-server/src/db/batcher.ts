/**
 * Group commit for SQLite. Every webhook must be durable (fsync) before it is acknowledged, and an fsync costs
 * more than everything else a webhook does; so concurrent writers are gathered into one transaction and share
 * one commit. Nobody is answered before that commit has succeeded.
 * If any job of a batch throws, the whole batch is rolled back and each of its jobs is run again alone, so a
 * failing job fails only itself (cheaper on the common path than a savepoint around every job).
 * PostgreSQL does its own group commit across connections, so there each job simply gets its own transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

type Job = {
  run: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

class BatchAborted extends Error {}

export class TransactionBatcher {
  private queue: Job[] = [];
  private flushing = false;
  private readonly db: Kysely<DB>;
  private readonly batching: boolean;
  private readonly maxBatch: number;

  constructor(db: Kysely<DB>, dialect: 'sqlite' | 'postgres', maxBatch = 64) {
    this.db = db;
    this.batching = dialect === 'sqlite';
    this.maxBatch = maxBatch;
  }

  run<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    if (!this.batching) return this.db.transaction().execute(fn);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let writers that arrive in the same turn of the event loop join this batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      if (batch.length === 1 || !(await this.runTogether(batch))) {
        for (const job of batch) {
          try {
            job.resolve(await this.db.transaction().execute(job.run));
          } catch (error) {
            job.reject(error);
          }
        }
      }
    }
    this.flushing = false;
  }

  /** Runs the jobs in one transaction; false (and nothing stored) if any of them threw. */
  private async runTogether(batch: Job[]): Promise<boolean> {
    const values: unknown[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const job of batch) {
          try {
            values.push(await job.run(trx));
          } catch {
            throw new BatchAborted();
          }
        }
      });
    } catch (error) {
      if (error instanceof BatchAborted) return false;
      // The shared commit failed: nothing of this batch is stored, so nobody may be told otherwise.
      for (const job of batch) job.reject(error);
      return true;
    }
    for (const [i, job] of batch.entries()) job.resolve(values[i]);
    return true;
  }
}
