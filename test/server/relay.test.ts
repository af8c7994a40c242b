import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';
import { openLive, PG_URL, startTestSystem, type TestSystem } from './helpers.ts';

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
