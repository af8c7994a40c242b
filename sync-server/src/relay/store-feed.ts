/**
 * One reader per store for the live sockets. Each "this store has new events" signal (relay/hub.ts) reads the
 * store's new events from the database once, from the smallest cursor among its sockets, serialises each frame
 * once, and hands it to every socket that has not seen it yet. Before, every socket read and serialised for
 * itself: a store with ten tills cost ten queries and ten JSON encodings per event, which is what limited how
 * many tills one instance could serve (test/bench/ws-fanout.ts).
 * The database stays the single source of order: a socket gets exactly the events after its cursor, in seq
 * order, whatever it joined mid-read or behind the others.
 */
import type { SyncEventRow } from '../db/schema.ts';
import type { SyncEventPage } from '../repos/sync-events-repo.ts';
import type { RelayHub } from './hub.ts';

export type FeedSubscriber = {
  /** The last seq this socket was sent (its resume cursor). */
  cursor: number;
  /** Sends one encoded frame (UTF-8 JSON text). */
  send(frame: Buffer): void;
  /** The store's read failed: the socket is closed so that its till resumes from its cursor. */
  fail(err: unknown): void;
};

type Reader = (storeId: string, cursor: number, limit: number) => Promise<SyncEventPage>;

const PAGE = 500;
const HELD_BACK_RETRY_MS = 5;
const HELD_BACK_RETRY_MAX_MS = 1_000;

class StoreFeed {
  readonly subs = new Set<FeedSubscriber>();
  private pumping = false;
  /** The last read stopped at events held back behind an older open transaction. */
  heldBack = false;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  private retryMs = HELD_BACK_RETRY_MS;
  unsubscribeHub: (() => void) | null = null;

  private readonly storeId: string;
  private readonly read: Reader;
  private readonly encode: (row: SyncEventRow) => Buffer;

  constructor(storeId: string, read: Reader, encode: (row: SyncEventRow) => Buffer) {
    this.storeId = storeId;
    this.read = read;
    this.encode = encode;
  }

  /** Reads new events once for all sockets; signals that arrive mid-read trigger one more pass. */
  async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    try {
      let page: SyncEventPage = { rows: [], heldBack: false };
      do {
        this.again = false;
        do {
          if (this.subs.size === 0) return;
          // Only the sockets present when the read starts are served by it: one that joins during the read
          // may be behind `from`, and waits for the next pass (its subscribe asked for one).
          const readers = [...this.subs];
          let from = Number.POSITIVE_INFINITY;
          for (const s of readers) from = Math.min(from, s.cursor);
          page = await this.read(this.storeId, from, PAGE);
          for (const row of page.rows) {
            let frame: Buffer | null = null;
            for (const s of readers) {
              if (s.cursor >= row.seq || !this.subs.has(s)) continue;
              frame ??= this.encode(row);
              s.send(frame);
              s.cursor = row.seq;
            }
          }
        } while (page.rows.length === PAGE);
      } while (this.again && this.subs.size > 0);
      // Events committed behind a still-open older transaction are held back (repos/sync-events-repo.ts). No
      // NOTIFY for this store need follow when that transaction ends: look again whenever any store's events
      // commit (StoreFeeds), since the horizon moves as transactions end, and after a short, growing pause.
      this.heldBack = page.heldBack && this.subs.size > 0;
      if (this.heldBack) {
        this.retry = setTimeout(() => void this.pump(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, HELD_BACK_RETRY_MAX_MS);
      } else {
        this.retryMs = HELD_BACK_RETRY_MS;
      }
    } catch (err) {
      for (const s of [...this.subs]) s.fail(err);
    } finally {
      this.pumping = false;
    }
  }

  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.unsubscribeHub?.();
  }
}

export class StoreFeeds {
  private readonly feeds = new Map<string, StoreFeed>();

  private readonly hub: RelayHub;
  private readonly read: Reader;
  private readonly encode: (row: SyncEventRow) => Buffer;

  constructor(hub: RelayHub, read: Reader, encode: (row: SyncEventRow) => Buffer) {
    this.hub = hub;
    this.read = read;
    this.encode = encode;
    // A commit anywhere may move the horizon a held-back store waits for; only held-back stores read again.
    hub.subscribeAll(() => {
      for (const f of this.heldBackFeeds()) void f.pump();
    });
  }

  private *heldBackFeeds(): Iterable<StoreFeed> {
    for (const f of this.feeds.values()) if (f.heldBack) yield f;
  }

  /** Adds a socket to its store's feed and sends it what it missed since its cursor. */
  subscribe(storeId: string, sub: FeedSubscriber): () => void {
    let feed = this.feeds.get(storeId);
    if (!feed) {
      const f = new StoreFeed(storeId, this.read, this.encode);
      f.unsubscribeHub = this.hub.subscribe(storeId, () => void f.pump());
      this.feeds.set(storeId, f);
      feed = f;
    }
    feed.subs.add(sub);
    void feed.pump();
    const joined = feed;
    return () => {
      joined.subs.delete(sub);
      if (joined.subs.size === 0 && this.feeds.get(storeId) === joined) {
        joined.stop();
        this.feeds.delete(storeId);
      }
    };
  }

  /** Stores with at least one live socket (each holds one subscription on the hub). */
  get stores(): number {
    return this.feeds.size;
  }

  get sockets(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.subs.size;
    return n;
  }
}
