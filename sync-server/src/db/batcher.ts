/**
 * Group commit. Every webhook must be durable before it is acknowledged, and a commit (an fsync; on PostgreSQL
 * also the global queue lock every NOTIFYing transaction holds through its commit) costs more than everything
 * else a webhook does; so concurrent writers are gathered into one transaction and share one commit. Nobody is
 * answered before that commit has succeeded.
 *
 * SQLite: one batch at a time (it has one writer anyway). PostgreSQL: up to `concurrency` batches at once, each
 * on its own connection, so one batch runs its statements while another commits. Writers arriving while all
 * are busy queue up and form the next batch, so batches grow with load and stay at one job when idle.
 *
 * Failures never fail an innocent job:
 *  - a job that throws aborts its batch (PostgreSQL cannot go on in a failed transaction, and its partial
 *    writes must go); that job is then run alone, so its caller gets its own error, and the others are batched
 *    again without it (once; if another one fails, all the rest run alone);
 *  - a batch whose COMMIT (or BEGIN, or a lock wait) fails stored nothing that anybody was told about: each of
 *    its jobs is run again alone. Jobs are idempotent transactions (a webhook deduplicates on its event key),
 *    so even a COMMIT whose outcome is unknown (connection lost) is safe to run again.
 * Savepoints per job would avoid the re-run but cost two more round trips on every job of every batch.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

type Job = {
  run: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

class JobFailed extends Error {
  readonly index: number;
  constructor(index: number) {
    super('a job of the batch failed');
    this.index = index;
  }
}

export type BatcherOptions = {
  maxBatch?: number;
  /** Batches in flight at once; SQLite always 1. */
  concurrency?: number;
  /**
   * PostgreSQL: a batch waiting this long for a row lock gives up and its jobs run alone. Two batches that touch
   * the same rows in opposite order would otherwise wait for the deadlock detector (a second by default).
   */
  lockTimeoutMs?: number;
};

export class TransactionBatcher {
  private queue: Job[] = [];
  private scheduled = false;
  private active = 0;
  private readonly db: Kysely<DB>;
  private readonly dialect: 'sqlite' | 'postgres';
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private readonly lockTimeoutMs: number;

  constructor(db: Kysely<DB>, dialect: 'sqlite' | 'postgres', o: BatcherOptions = {}) {
    this.db = db;
    this.dialect = dialect;
    this.maxBatch = o.maxBatch ?? 64;
    this.concurrency = dialect === 'sqlite' ? 1 : (o.concurrency ?? 6);
    this.lockTimeoutMs = o.lockTimeoutMs ?? 200;
  }

  run<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.queue.length === 0 || this.active >= this.concurrency) return;
    this.scheduled = true;
    // Let writers that arrive in the same turn of the event loop join this batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.active < this.concurrency) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.active++;
        void this.settle(batch).finally(() => {
          this.active--;
          this.kick();
        });
      }
    });
  }

  /** Runs `batch` until every job is resolved or rejected with its own outcome. */
  private async settle(batch: Job[]): Promise<void> {
    let rest = batch;
    // A second failing job suggests more: stop re-running the survivors together and run everyone alone.
    for (let round = 0; rest.length > 1; round++) {
      const r = round < 2 ? await this.runTogether(rest) : 'commit-failed';
      if (r === 'done') return;
      if (r === 'commit-failed') {
        await Promise.all(rest.map((job) => this.runAlone(job)));
        return;
      }
      // Job r.failed broke the batch: it runs alone, the others go again together.
      await this.runAlone(rest[r.failed]!);
      rest = rest.filter((_, i) => i !== r.failed);
    }
    if (rest.length === 1) await this.runAlone(rest[0]!);
  }

  private async runAlone(job: Job): Promise<void> {
    try {
      job.resolve(await this.db.transaction().execute(job.run));
    } catch (error) {
      job.reject(error);
    }
  }

  /** Runs the jobs in one transaction and settles them all, or reports why nothing was stored. */
  private async runTogether(batch: Job[]): Promise<'done' | 'commit-failed' | { failed: number }> {
    const values: unknown[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        if (this.dialect === 'postgres') {
          await sql`select set_config('lock_timeout', ${`${this.lockTimeoutMs}ms`}, true)`.execute(trx);
        }
        for (const [i, job] of batch.entries()) {
          try {
            values.push(await job.run(trx));
          } catch {
            throw new JobFailed(i);
          }
        }
      });
    } catch (error) {
      if (error instanceof JobFailed) return { failed: error.index };
      return 'commit-failed';
    }
    for (const [i, job] of batch.entries()) job.resolve(values[i]);
    return 'done';
  }
}
