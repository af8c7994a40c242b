/**
 * The per-store live reader (relay/store-feed.ts): one read per signal serves every socket of the store, yet each
 * socket gets exactly the events after its own cursor, in order, whenever it joined.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SyncEventRow } from '../../sync-server/src/db/schema.ts';
import { RelayHub } from '../../sync-server/src/relay/hub.ts';
import { type FeedSubscriber, StoreFeeds } from '../../sync-server/src/relay/store-feed.ts';

function world() {
  const events: SyncEventRow[] = [];
  let reads = 0;
  let gate: Promise<void> | null = null;
  /** Per store, the first seq an "older open transaction" still hides (PostgreSQL's held-back events). */
  const hiddenFrom = new Map<string, number>();
  const hub = new RelayHub();
  const feeds = new StoreFeeds(
    hub,
    async (storeId, cursor, limit) => {
      reads++;
      const all = events.filter((e) => e.store_id === storeId && e.seq > cursor);
      const hidden = hiddenFrom.get(storeId) ?? Number.POSITIVE_INFINITY;
      const rows = all.filter((e) => e.seq < hidden).slice(0, limit);
      if (gate) await gate;
      return { rows, heldBack: all.some((e) => e.seq >= hidden) };
    },
    (row) => Buffer.from(String(row.seq)),
  );
  const append = (storeId: string, n = 1) => {
    for (let i = 0; i < n; i++) {
      events.push({ seq: events.length + 1, store_id: storeId, type: 'payment.updated', payload: '{}', created_at: 0 });
    }
    hub.storeChanged(storeId);
  };
  const socket = (cursor: number) => {
    const got: number[] = [];
    const sub: FeedSubscriber = { cursor, send: (f) => got.push(Number(String(f))), fail: () => {} };
    return { sub, got };
  };
  const hold = () => {
    let release = () => {};
    gate = new Promise<void>((r) => {
      release = () => {
        gate = null;
        r();
      };
    });
    return release;
  };
  return { feeds, append, socket, hold, hiddenFrom, reads: () => reads };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const flush = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

describe('store feed', () => {
  it('reads once per signal for all sockets of a store and sends each its missing events in order', async () => {
    const w = world();
    w.append('a', 3);
    w.append('b', 2); // seq 4, 5: another store's
    const one = w.socket(0);
    const two = w.socket(2);
    w.feeds.subscribe('a', one.sub);
    w.feeds.subscribe('a', two.sub);
    await settle();
    expect(one.got).toEqual([1, 2, 3]);
    expect(two.got).toEqual([3]);
    const before = w.reads();
    w.append('a', 2); // 6, 7
    await settle();
    expect(w.reads() - before).toBe(1);
    expect(one.got).toEqual([1, 2, 3, 6, 7]);
    expect(two.got).toEqual([3, 6, 7]);
  });

  it('a socket that joins during a read, behind the others, still gets everything after its cursor once', async () => {
    const w = world();
    w.append('a', 5);
    const ahead = w.socket(4);
    w.feeds.subscribe('a', ahead.sub);
    await settle();
    const release = w.hold();
    w.append('a', 1); // seq 6: a read from 4 starts and waits
    const behind = w.socket(1);
    w.feeds.subscribe('a', behind.sub);
    release();
    await settle();
    await settle();
    expect(ahead.got).toEqual([5, 6]);
    expect(behind.got).toEqual([2, 3, 4, 5, 6]);
  });

  it('a store held back behind an open transaction reads again when any store commits, not only on its timer', async () => {
    vi.useFakeTimers();
    try {
      const w = world();
      const s = w.socket(0);
      w.feeds.subscribe('a', s.sub);
      await flush();
      w.hiddenFrom.set('a', 2);
      w.append('a', 2); // seq 1 is final; seq 2 is held back
      await flush();
      expect(s.got).toEqual([1]);
      w.hiddenFrom.delete('a'); // the older transaction ended...
      w.append('b'); // ...and another store's commit is heard; no timer has run
      await flush();
      expect(s.got).toEqual([1, 2]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops reading for a store once its last socket leaves', async () => {
    const w = world();
    const s = w.socket(0);
    const leave = w.feeds.subscribe('a', s.sub);
    await settle();
    leave();
    const before = w.reads();
    w.append('a', 3);
    await settle();
    expect(w.reads()).toBe(before);
    expect(w.feeds.sockets).toBe(0);
    expect(w.feeds.stores).toBe(0);
  });
});
