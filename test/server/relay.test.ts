import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';
import { appendSyncEvent } from '../../sync-server/src/repos/sync-events-repo.ts';
import { eventually, openLive, PG_URL, startTestSystem, type TestSystem } from './helpers.ts';

describe('live relay', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem();
  });
  afterAll(async () => {
    await sys?.close();
  });

  it('resumes from a cursor without missing or repeating an event', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const first = await till.live();
    const a = await till.createPayment(1_000);
    const evA = await first.waitFor((f) => f.kind === 'event' && f.event.payment.payment_id === a.body.payment_id);
    first.close();
    const seqA = evA.kind === 'event' ? evA.event.seq : 0;
    // While disconnected, two more payments change.
    const b = await till.createPayment(2_000);
    await sys.pay(b.body.qr_string);
    const c = await till.createPayment(3_000);
    const again = await till.live(seqA);
    await again.waitFor((f) => f.kind === 'event' && f.event.payment.payment_id === c.body.payment_id);
    await again.waitFor(
      (f) =>
        f.kind === 'event' && f.event.payment.payment_id === b.body.payment_id && f.event.payment.status === 'paid',
    );
    const seqs = again.frames.flatMap((f) => (f.kind === 'event' ? [f.event.seq] : []));
    expect(seqs.every((s) => s > seqA)).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    // Pull returns the same events by cursor.
    const pulled = await till.request('GET', `/v1/sync/pull?cursor=${seqA}`);
    expect(pulled.body.events.map((e: { seq: number }) => e.seq)).toEqual(seqs.slice(0, pulled.body.events.length));
    again.close();
  });
});

describe.runIf(PG_URL)('two server instances on one PostgreSQL', () => {
  it('relays a payment paid through instance A to a till connected to instance B', async () => {
    const sys = await startTestSystem();
    const b = await buildApp({
      config: loadConfig({ DATABASE_URL: sys.databaseUrl!, LOG_LEVEL: 'silent', PORT: '0' }),
      providers: {},
      sweeper: false,
    });
    try {
      const urlB = await b.app.listen({ host: '127.0.0.1', port: 0 });
      const till = await sys.till({ provider: 'xendit' });
      const onB = await openLive(urlB, till.token);
      const { body } = await till.createPayment(55_000); // created through A
      await sys.pay(body.qr_string); // webhook lands on A
      const f = await onB.waitFor(
        (x) =>
          x.kind === 'event' && x.event.payment.payment_id === body.payment_id && x.event.payment.status === 'paid',
      );
      expect(f.kind).toBe('event');
      onB.close();
    } finally {
      await b.app.close();
      await sys.close();
    }
  });
});

describe.runIf(PG_URL)('LISTEN connection loss (PostgreSQL)', () => {
  /** Terminates this instance's LISTEN backend (found by its unique application_name), as a restart would. */
  async function killListener(admin: pg.Client, name: string): Promise<number> {
    const r = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      name,
    ]);
    return r.rowCount ?? 0;
  }

  it('reconnects: a payment paid after the LISTEN backend was terminated still reaches the till socket', async () => {
    const sys = await startTestSystem();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const name = sys.server.ctx.database.listenerName!;
      const till = await sys.till({ provider: 'xendit' });
      const live = await till.live();
      expect(await killListener(admin, name)).toBe(1);
      // The listener comes back under the same name.
      await eventually(async () => {
        const r = await admin.query(
          "select 1 from pg_stat_activity where application_name = $1 and query ilike 'LISTEN%'",
          [name],
        );
        return (r.rowCount ?? 0) > 0;
      });
      const { body } = await till.createPayment(44_000);
      await sys.pay(body.qr_string);
      await live.waitFor(
        (x) =>
          x.kind === 'event' && x.event.payment.payment_id === body.payment_id && x.event.payment.status === 'paid',
      );
      live.close();
    } finally {
      await admin.end();
      await sys.close();
    }
  });

  it('re-reads after reconnecting: an event committed while LISTEN was down is not missed', async () => {
    const sys = await startTestSystem();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const name = sys.server.ctx.database.listenerName!;
      const till = await sys.till({ provider: 'xendit' });
      const live = await till.live();
      const { body } = await till.createPayment(33_000);
      const created = await live.waitFor((x) => x.kind === 'event' && x.event.payment.payment_id === body.payment_id);
      const view = created.kind === 'event' ? created.event.payment : null;
      // Keep the listener down: terminate every new LISTEN connection for a while, and commit an event (with its
      // NOTIFY, which nobody of this instance hears) in the middle of it.
      let killing = true;
      let kills = 0;
      const killer = (async () => {
        while (killing) {
          kills += await killListener(admin, name);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await new Promise((r) => setTimeout(r, 100));
      const db = sys.server.ctx.database.db;
      const seq = await db.transaction().execute((trx) =>
        appendSyncEvent(trx, 'postgres', {
          store_id: till.storeId,
          type: 'payment.updated',
          payload: JSON.stringify(view),
          created_at: Date.now(),
        }),
      );
      await new Promise((r) => setTimeout(r, 100));
      killing = false;
      await killer;
      expect(kills).toBeGreaterThan(0);
      const f = await live.waitFor((x) => x.kind === 'event' && x.event.seq === seq, 15_000);
      expect(f.kind).toBe('event');
      live.close();
    } finally {
      await admin.end();
      await sys.close();
    }
  }, 30_000);
});
