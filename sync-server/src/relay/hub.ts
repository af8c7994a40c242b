/**
 * In-process fan-out of "this store has new events". Subscribers (live sockets) then read the events from the
 * database by cursor, so the database stays the single source of order and nothing is lost or sent twice.
 * With PostgreSQL the signal arrives through LISTEN/NOTIFY, so an event committed on one instance reaches
 * tills connected to any instance.
 */
export class RelayHub {
  private readonly subs = new Map<string, Set<() => void>>();
  private readonly anyChange = new Set<() => void>();

  /** Hears every signal, of any store; returns the unsubscribe. */
  subscribeAll(onAny: () => void): () => void {
    this.anyChange.add(onAny);
    return () => this.anyChange.delete(onAny);
  }

  subscribe(storeId: string, onChange: () => void): () => void {
    let set = this.subs.get(storeId);
    if (!set) {
      set = new Set();
      this.subs.set(storeId, set);
    }
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.subs.delete(storeId);
    };
  }

  storeChanged(storeId: string): void {
    for (const fn of this.subs.get(storeId) ?? []) fn();
    for (const fn of this.anyChange) fn();
  }

  /** Every subscriber re-reads from its cursor: used when change signals may have been lost (LISTEN reconnect). */
  allStoresChanged(): void {
    for (const set of [...this.subs.values()]) for (const fn of [...set]) fn();
  }

  get connections(): number {
    let n = 0;
    for (const s of this.subs.values()) n += s.size;
    return n;
  }
}
