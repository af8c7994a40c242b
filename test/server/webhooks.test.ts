import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { type PaymentStatus, transition } from '../../shared/payment-status.ts';
import { signedMidtrans } from '../support/midtrans.ts';
import { startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

const midtransBody = signedMidtrans;

async function post(provider: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sys.serverUrl}/v1/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: await res.json() };
}

const db = () => sys.server.ctx.database.db;

/** A refund made at the Midtrans sandbox through its API, as the manager's refund would be. */
async function midtransRefund(orderId: string, amount: number): Promise<void> {
  const res = await fetch(`${sys.sandboxes.midtransUrl}/v2/${orderId}/refund/online/direct`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sys.sandboxes.midtransServerKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ refund_key: `r-${orderId.slice(-12)}`, amount }),
  });
  expect(res.status).toBe(200);
}
const lastWebhook = () =>
  db().selectFrom('webhook_events').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();

// The Midtrans documentation's sample QRIS notifications (../shared/reference/providers.md §3 M-A…M-C).
const MIDTRANS_SAMPLES: Record<string, string>[] = [
  {
    transaction_type: 'on-us',
    transaction_time: '2021-06-23 14:02:42',
    transaction_status: 'settlement',
    transaction_id: '513f1f01-c9da-474c-9fc9-d5c64364b709',
    status_message: 'midtrans payment notification',
    status_code: '200',
    settlement_time: '2021-06-23 14:06:48',
    payment_type: 'qris',
    order_id: 'qris-01',
    merchant_id: 'G141532850',
    issuer: 'gopay',
    gross_amount: '5539.00',
    fraud_status: 'accept',
    currency: 'IDR',
    acquirer: 'gopay',
  },
  {
    transaction_type: 'on-us',
    transaction_time: '2021-06-23 15:45:42',
    transaction_status: 'settlement',
    transaction_id: '1015a919-b03f-450a-bc85-b38202a79a96',
    status_message: 'midtrans payment notification',
    status_code: '200',
    settlement_time: '2021-06-23 15:46:00',
    payment_type: 'qris',
    order_id: 'order102',
    merchant_id: 'G490526303',
    issuer: 'gopay',
    gross_amount: '789000.00',
    fraud_status: 'accept',
    currency: 'IDR',
    acquirer: 'gopay',
  },
  {
    transaction_time: '2020-09-29 11:18:06',
    transaction_status: 'pending',
    transaction_id: 'ce0a3584-5a0c-4049-ad88-5590a96be4fe',
    status_message: 'midtrans payment notification',
    status_code: '201',
    payment_type: 'qris',
    order_id: 'order03',
    merchant_id: 'M099098',
    gross_amount: '275000.00',
    fraud_status: 'accept',
    currency: 'IDR',
    acquirer: 'gopay',
  },
  {
    transaction_time: '2020-09-29 11:31:39',
    transaction_status: 'expire',
    transaction_id: '9728e0fd-a49c-4c25-8c88-404ef1c45e0e',
    status_message: 'midtrans payment notification',
    status_code: '202',
    payment_type: 'qris',
    order_id: 'order03',
    merchant_id: 'M099098',
    gross_amount: '275000.00',
    fraud_status: 'accept',
    currency: 'IDR',
    acquirer: 'gopay',
  },
];

describe('webhook verification and storage', () => {
  it("accepts the Midtrans docs' sample notifications re-signed with our server key, and parks them (unknown orders)", async () => {
    for (const n of MIDTRANS_SAMPLES) {
      const r = await post('midtrans', midtransBody(n, sys.sandboxes.midtransServerKey));
      expect(r.status).toBe(200);
      const row = await lastWebhook();
      expect(row).toMatchObject({ provider: 'midtrans', verified: 1, outcome: 'parked', payment_id: n.order_id });
    }
  });

  it('answers a wrong Midtrans signature with 401 and stores the raw delivery as rejected', async () => {
    const body = midtransBody(MIDTRANS_SAMPLES[0]!, 'SB-Mid-server-SOMEONE-ELSE');
    const r = await post('midtrans', body);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('INVALID_SIGNATURE');
    const row = await lastWebhook();
    expect(row).toMatchObject({ verified: 0, outcome: 'rejected', raw_body: Buffer.from(body), event_key: null });
  });

  it('answers a wrong or missing Xendit callback token with 401 and keeps the delivery', async () => {
    const body = JSON.stringify({ event: 'qr.payment', data: { id: 'qrpy_x' } });
    for (const headers of [{}, { 'x-callback-token': 'wrong' }] as Record<string, string>[]) {
      const r = await post('xendit', body, headers);
      expect(r.status).toBe(401);
      expect(await lastWebhook()).toMatchObject({ verified: 0, outcome: 'rejected', raw_body: Buffer.from(body) });
    }
  });

  it('answers a verified but malformed body with 400 and keeps it as invalid', async () => {
    const r = await post('xendit', '{"event":"qr.payment","data":', {
      'x-callback-token': sys.sandboxes.xenditCallbackToken,
    });
    expect(r.status).toBe(400);
    expect(await lastWebhook()).toMatchObject({ verified: 1, outcome: 'invalid' });
  });

  it('parks a Xendit payment for a payment not yet known and applies it when the payment is created', async () => {
    const till = await sys.till({ provider: 'xendit' });
    const paymentId = newId();
    const body = JSON.stringify({
      event: 'qr.payment',
      api_version: '2022-07-31',
      business_id: 'b',
      created: new Date().toISOString(),
      data: {
        id: `qrpy_${newId()}`,
        business_id: 'b',
        currency: 'IDR',
        amount: 7_000,
        status: 'SUCCEEDED',
        created: new Date().toISOString(),
        qr_id: `qr_${newId()}`,
        qr_string: '000201',
        reference_id: paymentId,
        type: 'DYNAMIC',
        channel_code: 'ID_DANA',
        expires_at: null,
        description: '',
        basket: null,
        metadata: null,
        payment_detail: { receipt_id: '1', source: 'DANA', name: null, account_details: null },
      },
    });
    const r = await post('xendit', body, { 'x-callback-token': sys.sandboxes.xenditCallbackToken });
    expect(r.status).toBe(200);
    expect(r.body.outcome).toBe('parked');
    const created = await till.request('POST', '/v1/payments', {
      payment_id: paymentId,
      sale_id: newId(),
      amount: 7_000,
    });
    expect(created.status).toBe(201);
    const now = await till.request('GET', `/v1/payments/${paymentId}`);
    expect(now.body.status).toBe('paid');
  });
  it("never lets one provider's notification change another provider's payment", async () => {
    const till = await sys.till({ provider: 'xendit' });
    const { body: p } = await till.createPayment(6_500);
    // A correctly signed Midtrans settlement that names the Xendit payment's id as its order_id.
    const n = {
      transaction_time: '2026-11-23 10:00:00',
      transaction_status: 'settlement',
      transaction_id: 'mt-x',
      status_message: 'm',
      status_code: '200',
      payment_type: 'qris',
      order_id: p.payment_id,
      merchant_id: 'G1',
      gross_amount: '6500.00',
      fraud_status: 'accept',
      currency: 'IDR',
    };
    const r = await post('midtrans', midtransBody(n, sys.sandboxes.midtransServerKey));
    expect(r.status).toBe(200);
    expect(r.body.outcome).toBe('parked');
    expect((await till.request('GET', `/v1/payments/${p.payment_id}`)).body.status).toBe('pending');
  });
});

describe('every webhook delivered 10 times in shuffled order', () => {
  type Plan = {
    till: Till;
    paymentId: string;
    expected: PaymentStatus;
    bodies: { provider: string; body: string; headers: Record<string, string> }[];
  };

  it('ends each payment in the right status, publishes each change once and never moves backwards', async () => {
    const plans: Plan[] = [];
    const mt = await sys.till({ provider: 'midtrans' });
    const xd = await sys.till({ provider: 'xendit' });
    const key = sys.sandboxes.midtransServerKey;
    const outcomes: ('settle' | 'expire' | 'refund' | 'partial')[] = [
      'settle',
      'settle',
      'expire',
      'refund',
      'partial',
      'settle',
    ];
    for (const outcome of outcomes) {
      const amount = 10_000 + plans.length * 1_000;
      const { body: p } = await mt.createPayment(amount);
      // Make each outcome true at the provider: a refund is confirmed with it before it is applied.
      if (outcome === 'expire') await sys.sandboxes.midtrans.expireNow(p.payment_id);
      else expect((await sys.pay(p.qr_string)).ok).toBe(true);
      if (outcome === 'refund') await midtransRefund(p.payment_id, amount);
      if (outcome === 'partial') await midtransRefund(p.payment_id, 1_000);
      const base = {
        transaction_time: '2026-11-23 10:00:00',
        transaction_id: p.provider_ref,
        status_message: 'midtrans payment notification',
        payment_type: 'qris',
        order_id: p.payment_id,
        merchant_id: 'G1',
        gross_amount: `${amount}.00`,
        fraud_status: 'accept',
        currency: 'IDR',
        acquirer: 'gopay',
      };
      const notes = [{ ...base, transaction_status: 'pending', status_code: '201' }];
      if (outcome === 'expire') notes.push({ ...base, transaction_status: 'expire', status_code: '202' });
      else
        notes.push({
          ...base,
          transaction_status: 'settlement',
          status_code: '200',
          settlement_time: '2026-11-23 10:01:00',
        } as typeof base & { transaction_status: string; status_code: string });
      if (outcome === 'refund')
        notes.push({
          ...base,
          transaction_status: 'refund',
          status_code: '200',
          refund_amount: `${amount}.00`,
          refund_key: 'r1',
        } as never);
      if (outcome === 'partial')
        notes.push({
          ...base,
          transaction_status: 'partial_refund',
          status_code: '200',
          refund_amount: '1000.00',
          refund_key: 'r1',
        } as never);
      const expected: PaymentStatus = {
        settle: 'paid',
        expire: 'expired',
        refund: 'refunded',
        partial: 'partially_refunded',
      }[outcome] as PaymentStatus;
      plans.push({
        till: mt,
        paymentId: p.payment_id,
        expected,
        bodies: notes.map((n) => ({ provider: 'midtrans', body: midtransBody(n, key), headers: {} })),
      });
    }
    for (let i = 0; i < 4; i++) {
      const amount = 25_000 + i;
      const { body: p } = await xd.createPayment(amount);
      const body = JSON.stringify({
        event: 'qr.payment',
        api_version: '2022-07-31',
        business_id: 'b',
        created: '2026-11-23T03:00:00.000Z',
        data: {
          id: `qrpy_${newId()}`,
          business_id: 'b',
          currency: 'IDR',
          amount,
          status: 'SUCCEEDED',
          created: '2026-11-23T03:00:00.000Z',
          qr_id: p.provider_ref,
          qr_string: p.qr_string,
          reference_id: p.payment_id,
          type: 'DYNAMIC',
          channel_code: 'ID_DANA',
          expires_at: null,
          description: '',
          basket: null,
          metadata: null,
          payment_detail: { receipt_id: String(i), source: 'GOPAY', name: null, account_details: null },
        },
      });
      plans.push({
        till: xd,
        paymentId: p.payment_id,
        expected: 'paid',
        bodies: [{ provider: 'xendit', body, headers: { 'x-callback-token': sys.sandboxes.xenditCallbackToken } }],
      });
    }

    const deliveries = plans.flatMap((p) => p.bodies).flatMap((b) => Array.from({ length: 10 }, () => b));
    const order = fc.sample(
      fc.shuffledSubarray(
        deliveries.map((_, i) => i),
        { minLength: deliveries.length },
      ),
      { numRuns: 1, seed: 20261123 },
    )[0]!;
    const statuses: number[] = [];
    // Eight at a time: concurrent duplicates must also be safe.
    for (let i = 0; i < order.length; i += 8) {
      const batch = order.slice(i, i + 8).map((k) => deliveries[k]!);
      const rs = await Promise.all(batch.map((d) => post(d.provider, d.body, d.headers)));
      statuses.push(...rs.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);

    for (const plan of plans) {
      const now = await plan.till.request('GET', `/v1/payments/${plan.paymentId}`);
      expect(now.body.status, `payment ${plan.paymentId}`).toBe(plan.expected);
      const events = await db().selectFrom('sync_events').select('payload').orderBy('seq').execute();
      const mine = events
        .map((e) => JSON.parse(e.payload))
        .filter((v) => v.payment_id === plan.paymentId)
        .map((v) => v.status as PaymentStatus);
      // One event at creation (pending), then exactly one per change: no status is published twice...
      expect(new Set(mine).size).toBe(mine.length);
      // ...and each step is forward on the lattice.
      for (let i = 1; i < mine.length; i++) expect(transition(mine[i - 1]!, mine[i]!).kind).toBe('apply');
      expect(mine.at(-1)).toBe(plan.expected);
    }
  });
});

describe('the sweeper', () => {
  it('finds a payment whose webhook was lost and marks it paid', async () => {
    const s2 = await startTestSystem({ sweepIntervalMs: 200, sweepPendingAfterMs: 1_000 });
    try {
      s2.sandboxes.xendit.setCallbackUrl(null); // every webhook from Xendit is lost
      const till = await s2.till({ provider: 'xendit' });
      const live = await till.live();
      const { body } = await till.createPayment(9_900);
      expect((await s2.pay(body.qr_string)).ok).toBe(true);
      await live.waitFor((f) => f.kind === 'event' && f.event.payment.status === 'paid', 15_000);
      const p = await till.request('GET', `/v1/payments/${body.payment_id}`);
      expect(p.body.status).toBe('paid');
      const webhooks = await s2.server.ctx.database.db.selectFrom('webhook_events').selectAll().execute();
      expect(webhooks).toEqual([]);
      live.close();
    } finally {
      await s2.close();
    }
  });
});
