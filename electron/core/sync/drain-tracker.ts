/**
 * Follows a drain of the outbox for the sync screen's progress bar: "entries the server acknowledged since
 * the drain began / entries queued when it began (plus any added meanwhile)". Mutation ids are gap-free per
 * device, so the acknowledged id's growth is exactly the number of entries the server took (parked ones too:
 * they were answered). Fed with each status snapshot; a drain begins when the till is online with entries
 * queued — or, when the server acknowledged entries before a snapshot saw the till online (the push can
 * beat the connectivity monitor), at the previous snapshot — and finishes when the queue is empty. The last
 * drain stays visible after it finished.
 */
import type { DrainView } from '../../../shared/ipc.ts';

export type DrainSample = { online: boolean; pending: number; ackedMutationId: number; now: number };

export class DrainTracker {
  #active: { ackedAtStart: number; total: number; startedAt: number } | null = null;
  #last: DrainView | null = null;
  #prev: DrainSample | null = null;

  observe(s: DrainSample): DrainView | null {
    const prev = this.#prev;
    this.#prev = s;
    if (!this.#active) {
      if (prev && s.ackedMutationId > prev.ackedMutationId) {
        this.#active = { ackedAtStart: prev.ackedMutationId, total: prev.pending, startedAt: prev.now };
      } else if (s.pending > 0 && s.online) {
        this.#active = { ackedAtStart: s.ackedMutationId, total: s.pending, startedAt: s.now };
      } else {
        return this.#last;
      }
    }
    const a = this.#active;
    const done = Math.max(0, s.ackedMutationId - a.ackedAtStart);
    a.total = Math.max(a.total, done + s.pending);
    if (s.pending === 0) {
      this.#active = null;
      this.#last = { done, total: a.total, finished: true, startedAt: a.startedAt, endedAt: s.now };
    } else {
      this.#last = { done, total: a.total, finished: false, startedAt: a.startedAt, endedAt: null };
    }
    return this.#last;
  }

  /** Another server: its drain starts from nothing. */
  reset(): void {
    this.#active = null;
    this.#prev = null;
    this.#last = null;
  }
}
