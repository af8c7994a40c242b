import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { parseQris } from '../../shared/qris/index.ts';
import { PaymentViewSchema } from '../../shared/schemas/sync-api.ts';
import { eventually, startTestSystem, type TestSystem } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

describe('payments through the sandboxes', () => {
  for (const provider of ['xendit', 'midtrans'] as const) {
    it(`creates a ${provider} QRIS payment whose QR carries the exact amount`, async () => {
      const till = await sys.till({ provider });
      const res = await till.createPayment(33_000);
      expect(res.status).toBe(201);
      const p = PaymentViewSchema.parse(res.body);
      expect(p).toMatchObject({ status: 'pending', provider, amount: 33_000 });
      expect(p.expires_at).toBeGreaterThan(Date.now());
      const qr = parseQris(p.qr_string!);
      const amountTag = qr.nodes.find((n) => n.id === '54');
      expect(amountTag?.value).toBe('33000');
    });

    it(`pays a ${provider} QR through the wallet and the device's live socket gets paid; another store gets nothing`, async () => {
      const till = await sys.till({ provider });
      const other = await sys.till({ provider });
      const mine = await till.live();
      const theirs = await other.live();
      const { body } = await till.createPayment(12_500);
      const paid = await sys.pay(body.qr_string);
      expect(paid.ok).toBe(true);
      const frame = await mine.waitFor(
        (f) =>
          f.kind === 'event' && f.event.payment.payment_id === body.payment_id && f.event.payment.status === 'paid',
      );
      expect(frame.kind === 'event' && frame.event.store_id).toBe(till.storeId);
      const after = await till.request('GET', `/v1/payments/${body.payment_id}`);
      expect(after.body.status).toBe('paid');
      // The wallet the sandbox payer used (Xendit payment_detail.source, Midtrans issuer), for the receipt.
      expect(after.body.payer_wallet).toBe(provider === 'xendit' ? 'DANA' : 'gopay');
      // The other store's socket saw its hello and nothing else.
      await other.createPayment(1); // an event of its own proves its socket is live and ordered
      await theirs.waitFor((f) => f.kind === 'event');
      expect(theirs.frames.filter((f) => f.kind === 'event' && f.event.store_id !== other.storeId)).toEqual([]);
      mine.close();
      theirs.close();
    });
  }

  it('returns the same payment for the same payment_id and 409 when the body differs', async () => {
    const till = await sys.till();
    const body = { payment_id: newId(), sale_id: newId(), amount: 20_000 };
    const a = await till.request('POST', '/v1/payments', body);
    const b = await till.request('POST', '/v1/payments', body);
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    const c = await till.request('POST', '/v1/payments', { ...body, amount: 20_001 });
    expect(c.status).toBe(409);
    expect(c.body.error.code).toBe('CONFLICT');
  });

  it('answers concurrent duplicates of one create with one provider QR', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const body = { payment_id: newId(), sale_id: newId(), amount: 45_000 };
    const all = await Promise.all([1, 2, 3, 4].map(() => till.request('POST', '/v1/payments', body)));
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(all.map((r) => r.body.qr_string)).size).toBe(1);
  });

  it('cancels a pending payment, keeps a late payment as paid with the late flag, and refuses to cancel it then', async () => {
    const till = await sys.till({ provider: 'xendit' });
    const { body } = await till.createPayment(15_000);
    const cancelled = await till.request('POST', `/v1/payments/${body.payment_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    // Xendit QR codes cannot be cancelled at the provider: a customer who still scans it pays for real.
    expect((await sys.pay(body.qr_string)).ok).toBe(true);
    const late = await eventually(async () => {
      const r = await till.request('GET', `/v1/payments/${body.payment_id}`);
      return r.body.status === 'paid' ? r.body : null;
    });
    expect(late.late).toBe(true);
    const again = await till.request('POST', `/v1/payments/${body.payment_id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_PAID');
  });

  it('cancels a Midtrans payment at the provider so it can no longer be paid', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const { body } = await till.createPayment(18_000);
    const r = await till.request('POST', `/v1/payments/${body.payment_id}/cancel`);
    expect(r.body.status).toBe('cancelled');
    expect((await sys.pay(body.qr_string)).ok).toBe(false);
  });

  it('maps a provider rejection to 502 and fails the payment; an outage fails over to the other provider', async () => {
    const till = await sys.till({ provider: 'xendit' });
    // Xendit test amounts: 10100 → 403 CHANNEL_NOT_ACTIVATED (a rejection), 10101 → 503 (unavailable).
    const rejected = await till.createPayment(10_100);
    expect(rejected.status).toBe(502);
    expect(rejected.body.error.code).toBe('PROVIDER_REJECTED');
    const failover = await till.createPayment(10_101);
    expect(failover.status).toBe(201);
    expect(failover.body.provider).toBe('midtrans');
    const health = await (await fetch(`${sys.serverUrl}/health`)).json();
    expect(health.providers.xendit.failures).toBeGreaterThanOrEqual(1);
  });
});
