/**
 * Drains the outbox to the server (POST /v1/sync/push) in batches, in mutation order.
 *
 * - An entry leaves the outbox only after the server acknowledged it, in one SQLite transaction with the
 *   acknowledged id (outbox-repo `acknowledge`). A crash before that re-sends it; the server skips replays.
 * - Failures are classified: network errors, timeouts, 5xx and 429 are retried with exponential backoff and
 *   jitter; a 413 halves the batch; a refusal of the whole request (bad token, a server that does not know the
 *   route or the envelope, a gap the till cannot fill) blocks the queue at the longest backoff with the reason
 *   shown — parking would renumber nothing and leave a gap; a refusal of ONE mutation is fatal for that entry
 *   only: the server consumed its id and the entry is parked with the reason, never deleted.
 */
import type { Database } from 'better-sqlite3';
import type { PushMutation } from '../../../shared/schemas/sync-api.ts';
import { acknowledge, countOutbox, nextBatch, noteAttemptFailed, queueAfter } from '../db/repos/outbox-repo.ts';
import { sumUnverified } from '../db/repos/payments-repo.ts';
import type { Logger } from '../errors.ts';
import { toMutation } from './mutations.ts';
import type { ServerApi } from './server-api.ts';

export type DrainProgress = { done: number; total: number };

export type PusherOptions = {
  db: Database;
  api: () => ServerApi | null;
  now: () => number;
  log: Logger;
  /** The status snapshot may have changed (queue drained, error, progress). */
  onChange: () => void;
  /** A push reached the server (true) or could not (false): evidence for offline detection. */
  onReachability: (reachable: boolean) => void;
  batchSize?: number;
  maxBodyBytes?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
};

export type DrainStep = 'empty' | 'progress' | 'failed';

export class SyncPusher {
  readonly #o: Required<Omit<PusherOptions, 'db' | 'api' | 'now' | 'log' | 'onChange' | 'onReachability'>> &
    PusherOptions;
  #stopped = true;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #again = false;
  #holds = 0;
  #heldKick = false;
  #attempt = 0;
  #batchLimit: number;
  #progress: DrainProgress | null = null;
  #lastProgressNote = 0;
  lastError: string | null = null;
  clockSkewMs: number | null = null;

  constructor(o: PusherOptions) {
    this.#o = {
      batchSize: 1000,
      maxBodyBytes: 1_500_000,
      minBackoffMs: 500,
      maxBackoffMs: 30_000,
      random: Math.random,
      ...o,
    };
    this.#batchLimit = this.#o.batchSize;
  }

  get progress(): DrainProgress | null {
    return this.#progress;
  }

  start(): void {
    this.#stopped = false;
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * Something new to send, or the server looks reachable again. A new sale does not cut a backoff short (a
   * busy till would otherwise hammer a dead server); `reset` does, for a reconnect.
   */
  kick(reset = false, delayMs = 0): void {
    if (this.#stopped) return;
    if (reset) this.#attempt = 0;
    if (this.#timer && !reset) return;
    this.#schedule(delayMs);
  }

  /**
   * Keeps pushes from starting until the returned release is called (a push already on the wire goes on). The
   * till holds them while it asks the server for a QRIS, which the customer is waiting for: a push arriving at
   * the server beside the create would share its database and its event loop with it. Kicks meanwhile are kept.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0 && this.#heldKick) {
        this.#heldKick = false;
        this.kick();
      }
    };
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#holds > 0) this.#heldKick = true;
      else void this.#run();
    }, ms);
    this.#timer.unref?.();
  }

  async #run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      for (;;) {
        this.#again = false;
        if (this.#stopped || !this.#o.db.open) return;
        const step = await this.drainOnce();
        if (step === 'failed') {
          this.#schedule(this.#backoff());
          return;
        }
        if (step === 'empty' && !this.#again) return;
      }
    } catch (e) {
      this.#o.log.error('outbox drain failed', { err: e });
      this.lastError = e instanceof Error ? e.message : String(e);
      if (!this.#stopped) this.#schedule(this.#backoff());
    } finally {
      this.#running = false;
      this.#o.onChange();
    }
  }

  #backoff(): number {
    const cap = Math.min(this.#o.maxBackoffMs, this.#o.minBackoffMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    // "Equal jitter": never less than half the step, so tills that went offline together spread out.
    return Math.round(cap / 2 + (this.#o.random() * cap) / 2);
  }

  #block(message: string): DrainStep {
    this.#attempt = Math.max(this.#attempt, 30);
    this.lastError = message;
    return 'failed';
  }

  /** Sends one batch and records the outcome. Public for tests that step the drain by hand. */
  async drainOnce(): Promise<DrainStep> {
    const { db } = this.#o;
    const api = this.#o.api();
    const batch = nextBatch(db, this.#batchLimit);
    if (batch.length === 0) {
      this.#progress = null;
      return 'empty';
    }
    if (!api) return this.#block('set the server URL and the device token first');
    const mutations: PushMutation[] = [];
    let bytes = 0;
    for (const e of batch) {
      const m = toMutation(e);
      bytes += JSON.stringify(m).length;
      if (mutations.length > 0 && bytes > this.#o.maxBodyBytes) break;
      mutations.push(m);
    }
    const first = mutations[0]!.mutation_id;
    const last = mutations.at(-1)!.mutation_id;
    if (!this.#progress) this.#progress = { done: 0, total: countOutbox(db).pending };

    // What is left once this batch is acknowledged, so the manager dashboard sees a till that still holds items
    // as lagging even if it then goes quiet.
    const after = queueAfter(db, last);
    const client_state = {
      queue_depth: after.pending,
      parked: after.parked,
      oldest_unsynced_at: after.oldestCreatedAt,
      unverified_amount: sumUnverified(db),
    };
    const t0 = this.#o.now();
    const r = await api.push({ client_time: t0, mutations, client_state });
    const t1 = this.#o.now();
    if (!db.open) return 'failed';

    if (r.ok) {
      this.#o.onReachability(true);
      this.#attempt = 0;
      this.#batchLimit = this.#o.batchSize;
      this.lastError = null;
      // The server's clock at the middle of the round trip, against ours.
      this.clockSkewMs = Math.round(r.data.server_time - (t0 + t1) / 2);
      const res = acknowledge(
        db,
        {
          lastMutationId: r.data.last_mutation_id,
          rejected: r.data.rejected.map((x) => ({ mutationId: x.mutation_id, reason: `${x.code}: ${x.message}` })),
        },
        t1,
      );
      if (res.parked > 0) this.#o.log.warn('the server refused outbox entries; parked', { parked: res.parked });
      const pending = countOutbox(db).pending;
      const done = this.#progress.done + res.removed + res.parked;
      this.#progress = pending === 0 ? null : { done, total: Math.max(done + pending, this.#progress.total) };
      // Progress reaches the screen a few times a second, not after every batch: a status snapshot counts the
      // whole queue, and a large backlog must not spend its time describing itself. The end is always told.
      if (pending === 0 || t1 - this.#lastProgressNote >= 250) {
        this.#lastProgressNote = t1;
        this.#o.onChange();
      }
      // A server that acknowledged less than it was sent without saying why must not spin the loop.
      if (r.data.last_mutation_id < first) return this.#block('the server did not acknowledge the pushed entries');
      return 'progress';
    }

    const msg = `${r.code}: ${r.message}`;
    if (r.status === 0 || r.status === 429 || r.status >= 500) {
      this.#o.onReachability(false);
      this.lastError = r.message;
      noteAttemptFailed(db, first, last, msg, t1);
      return 'failed';
    }
    this.#o.onReachability(true);
    if (r.status === 413 && mutations.length > 1) {
      this.#batchLimit = Math.max(1, Math.floor(mutations.length / 2));
      return 'progress';
    }
    if (r.code === 'MUTATION_GAP' && r.lastMutationId !== undefined) {
      // The server misses ids between its last and our first, and they are no longer here to resend (a server
      // restored from an old backup): someone must look. Nothing is dropped.
      noteAttemptFailed(db, first, last, msg, t1);
      return this.#block(
        `the server has mutations up to ${r.lastMutationId} but this till's queue starts at ${first}; ask the operator`,
      );
    }
    noteAttemptFailed(db, first, last, msg, t1);
    return this.#block(r.message);
  }
}
