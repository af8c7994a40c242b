/**
 * Event order on PostgreSQL, where writers commit concurrently: a reader resuming from a cursor must never skip
 * an event that commits late, nor see one twice. Transactions are driven by hand so that they commit out of
 * order with a reader in between.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../sync-server/src/db/database.ts';
import { insertStore } from '../../sync-server/src/repos/stores-repo.ts';
import { appendSyncEvent, readSyncEvents } from '../../sync-server/src/repos/sync-events-repo.ts';
import { settlementFields, signedMidtrans } from '../support/midtrans.ts';
import { freshPgSchema, PG_URL, startTestSystem, type TestSystem } from './helpers.ts';

const STORE = 'toko-order';

describe.runIf(PG_URL)('event order under concurrent commits (PostgreSQL)', () => {
  let schema: Awaited<ReturnType<typeof freshPgSchema>>;
  let database: Database;
  beforeAll(async () => {
    schema = await freshPgSchema();
    database = openDatabase({ kind: 'postgres', url: schema.url });
    await database.migrate();
    await insertStore(database.db, { id: STORE, name: 'Order', provider: 'xendit', created_at: 0 });
  });
  afterAll(async () => {
    await database?.close();
    await schema?.drop();
  });

  /** A reader as the live socket runs it: everything final after its cursor, page by page. It starts after
   * the events of earlier tests. */
  async function reader() {
    let cursor = 0;
    for (let page = await readSyncEvents(database.db, 'postgres', STORE, 0, 1000); page.rows.length > 0; ) {
      cursor = page.rows.at(-1)!.seq;
      page = await readSyncEvents(database.db, 'postgres', STORE, cursor, 1000);
    }
    const seen: number[] = [];
    return {
      seen,
      async read() {
        for (;;) {
          const { rows } = await readSyncEvents(database.db, 'postgres', STORE, cursor, 2);
          for (const r of rows) {
            seen.push(r.seq);
            cursor = r.seq;
          }
          if (rows.length < 2) return;
        }
      },
    };
  }

  const event = (type: string) => ({ store_id: STORE, type, payload: '{}', created_at: Date.now() });

  async function begin() {
    return database.db.startTransaction().execute();
  }

  it('does not skip an event whose transaction began first but commits last', async () => {
    const r = await reader();
    const t1 = await begin();
    const a = await appendSyncEvent(t1, 'postgres', event('a'));
    const t2 = await begin();
    const b = await appendSyncEvent(t2, 'postgres', event('b'));
    await t2.commit().execute();
    await r.read(); // b is committed, a is not yet
    await t1.commit().execute();
    await r.read();
    expect(r.seen.sort((x, y) => x - y)).toEqual([a, b].sort((x, y) => x - y));
    expect(new Set(r.seen).size).toBe(r.seen.length);
  });

  it('does not skip a late event when transaction ids and append order disagree', async () => {
    const r = await reader();
    // t2 gets its transaction id first (it writes something else), but t1 appends first.
    const t2 = await begin();
    await sql`select pg_current_xact_id()`.execute(t2);
    const t1 = await begin();
    const a = await appendSyncEvent(t1, 'postgres', event('a'));
    const b = await appendSyncEvent(t2, 'postgres', event('b'));
    const b2 = await appendSyncEvent(t2, 'postgres', event('b2'));
    await t2.commit().execute();
    await r.read();
    const t3 = await begin();
    const c = await appendSyncEvent(t3, 'postgres', event('c'));
    await t3.commit().execute();
    await r.read();
    await t1.commit().execute();
    await r.read();
    expect(r.seen).toHaveLength(4);
    expect(new Set(r.seen)).toEqual(new Set([a, b, b2, c]));
    // Delivered strictly in cursor order, and within one transaction in append order.
    expect([...r.seen].sort((x, y) => x - y)).toEqual(r.seen);
    expect(b2).toBeGreaterThan(b);
  });

  it('a rolled-back transaction leaves no event and does not block readers', async () => {
    const r = await reader();
    const t1 = await begin();
    await appendSyncEvent(t1, 'postgres', event('gone'));
    const t2 = await begin();
    const b = await appendSyncEvent(t2, 'postgres', event('kept'));
    await t2.commit().execute();
    await t1.rollback().execute();
    await r.read();
    expect(r.seen.filter((s) => s >= b)).toEqual([b]);
  });

  it('many concurrent writers: every reader sees every event exactly once, in order', async () => {
    const readers = await Promise.all([reader(), reader(), reader()]);
    let writing = true;
    const reading = Promise.all(
      readers.map(async (rd) => {
        while (writing) await rd.read();
        await rd.read();
      }),
    );
    const written = (
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          const mine: number[] = [];
          for (let i = 0; i < 15; i++) {
            const seqs = await database.db.transaction().execute(async (trx) => {
              const s1 = await appendSyncEvent(trx, 'postgres', event(`w${w}`));
              await new Promise((res) => setTimeout(res, Math.random() * 4));
              const s2 = await appendSyncEvent(trx, 'postgres', event(`w${w}`));
              return [s1, s2];
            });
            mine.push(...seqs);
          }
          return mine;
        }),
      )
    ).flat();
    writing = false;
    await reading;
    for (const rd of readers) {
      const got = rd.seen;
      expect(new Set(got).size).toBe(got.length);
      expect(new Set(got)).toEqual(new Set(written));
      expect([...got].sort((x, y) => x - y)).toEqual(got);
    }
  });
});

describe.runIf(PG_URL)('live socket with a held-back event (PostgreSQL)', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem();
  });
  afterAll(async () => {
    await sys?.close();
  });

  it('delivers an event held back by an older open transaction once it ends, without a NOTIFY', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const live = await till.live();
    const { body } = await till.createPayment(21_000);
    await live.waitFor((f) => f.kind === 'event' && f.event.payment.payment_id === body.payment_id);
    const db = sys.server.ctx.database.db;
    // An unrelated writer that stays open: it holds the horizon back and will send no NOTIFY for the store.
    const blocker = await db.startTransaction().execute();
    await insertStore(blocker, { id: `blocker-${Date.now()}`, name: 'B', provider: 'xendit', created_at: 0 });
    const hook = signedMidtrans(
      settlementFields({ orderId: body.payment_id, transactionId: body.provider_ref, amount: 21_000 }),
      sys.sandboxes.midtransServerKey,
    );
    const res = await fetch(`${sys.serverUrl}/v1/webhooks/midtrans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: hook,
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const paid = (f: (typeof live.frames)[number]) =>
      f.kind === 'event' && f.event.payment.payment_id === body.payment_id && f.event.payment.status === 'paid';
    expect(live.frames.some(paid)).toBe(false); // held back while the older transaction is open
    const pulled = await till.request('GET', '/v1/sync/pull?cursor=0');
    expect(pulled.body.events.some((e: { payment: { status: string } }) => e.payment.status === 'paid')).toBe(false);
    await blocker.commit().execute();
    await live.waitFor(paid, 5_000);
    const seqs = live.frames.flatMap((f) => (f.kind === 'event' ? [f.event.seq] : []));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    live.close();
  });
});
