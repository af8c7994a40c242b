import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { getPayment, insertPaymentIfAbsent } from '../../sync-server/src/repos/payments-repo.ts';
import { sweepOnce } from '../../sync-server/src/services/sweeper.ts';
import { startTestSystem, type TestSystem } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

describe('sweeper housekeeping', () => {
  it('fails a payment that never got a QR once its lifetime has passed, and leaves a fresh one alone', async () => {
    const till = await sys.till();
    const db = sys.server.ctx.database.db;
    const ttlMs = sys.server.ctx.config.paymentTtlSeconds * 1000;
    const row = (id: string, createdAt: number) => ({
      id,
      sale_id: newId(),
      store_id: till.storeId,
      device_id: till.deviceId,
      amount: 12_000,
      provider: 'xendit',
      provider_ref: null,
      payment_ref: null,
      qr_string: null,
      status: 'pending',
      late: 0,
      expires_at: null,
      paid_at: null,
      refunded_amount: 0,
      request_hash: 'h',
      created_at: createdAt,
      updated_at: createdAt,
      next_check_at: createdAt,
      create_claimed_until: null,
    });
    const old = newId();
    const fresh = newId();
    await insertPaymentIfAbsent(db, row(old, Date.now() - ttlMs - 60_000));
    await insertPaymentIfAbsent(db, row(fresh, Date.now()));
    const live = await till.live();
    await sweepOnce(sys.server.ctx);
    expect((await getPayment(db, old))?.status).toBe('failed');
    expect((await getPayment(db, fresh))?.status).toBe('pending');
    await live.waitFor(
      (f) => f.kind === 'event' && f.event.payment.payment_id === old && f.event.payment.status === 'failed',
    );
    live.close();
  });

  it('ends a Midtrans payment at the provider once the deadline the till showed has passed', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const { body } = await till.createPayment(14_000);
    const db = sys.server.ctx.database.db;
    // The server's deadline has passed, but the provider (which applies short expiries late) still has it open.
    const past = Date.now() - 120_000;
    await db
      .updateTable('payments')
      .set({ expires_at: past, created_at: past - 60_000, next_check_at: past })
      .where('id', '=', body.payment_id)
      .execute();
    await sweepOnce(sys.server.ctx);
    expect((await getPayment(db, body.payment_id))?.status).toBe('expired');
    const late = await sys.pay(body.qr_string);
    expect(late.ok).toBe(false);
  });
});
