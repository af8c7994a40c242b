/**
 * Refunds through the provider (issue 8), over real HTTP against both sandboxes, on SQLite and (with
 * KQ_TEST_DATABASE_URL) PostgreSQL. The manager guard here is a stand-in that signs in whoever names a store in
 * `x-test-manager`: what is under test is the refund, not the sign-in.
 */
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { RefundListSchema, RefundResponseSchema } from '../../shared/schemas/refund-api.ts';
import { followUpRefunds } from '../../sync-server/src/services/refunds.ts';
import { eventually, startTestSystem, type TestSystem, type Till } from './helpers.ts';

type Provider = 'xendit' | 'midtrans';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({
    managerGuard: [
      async (request: FastifyRequest) => {
        const store = request.headers['x-test-manager'];
        if (typeof store === 'string')
          (request as FastifyRequest & { manager?: unknown }).manager = {
            id: 'mgr-1',
            storeId: store,
            email: 'mgr-1@toko.test',
          };
      },
    ],
  });
});
afterAll(async () => {
  await sys?.close();
});

async function manager(storeId: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sys.serverUrl}${path}`, {
    method,
    headers: { 'x-test-manager': storeId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const refund = (till: Till, paymentId: string, body: Record<string, unknown>) =>
  manager(till.storeId, 'POST', `/v1/payments/${paymentId}/refund`, body);

/** Asks until the provider has given its final word (Xendit answers PENDING first; 202 means ask again). */
async function refundToEnd(till: Till, paymentId: string, body: Record<string, unknown>) {
  for (let i = 0; ; i++) {
    const r = await refund(till, paymentId, body);
    if (r.status !== 202 || i > 200) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function paidPayment(till: Till, amount: number): Promise<string> {
  const { body } = await till.createPayment(amount);
  expect((await sys.pay(body.qr_string)).ok).toBe(true);
  await eventually(async () => (await till.request('GET', `/v1/payments/${body.payment_id}`)).body.status === 'paid');
  return body.payment_id;
}

const sandbox = (p: Provider) => (p === 'xendit' ? sys.sandboxes.xendit : sys.sandboxes.midtrans);

/** The sandbox's refunds of one of our payments, read through its inspection endpoint. */
async function sandboxRefunds(p: Provider, paymentId: string) {
  const url = p === 'xendit' ? sys.xenditUrl : sys.midtransUrl;
  const all = (await (await fetch(`${url}/_sandbox/refunds`)).json()) as {
    calls: number;
    refunds: { amount: number; reference_id?: string | null; order_id?: string }[];
  };
  return { calls: all.calls, refunds: all.refunds.filter((r) => (r.reference_id ?? r.order_id) === paymentId) };
}

/** payment.updated events the tills of the store were sent with this status. */
async function eventsWithStatus(till: Till, paymentId: string, status: string): Promise<number> {
  const pulled = await till.request('GET', '/v1/sync/pull?cursor=0&limit=500');
  return pulled.body.events.filter(
    (e: { payment: { payment_id: string; status: string } }) =>
      e.payment.payment_id === paymentId && e.payment.status === status,
  ).length;
}

describe('refunds through the provider', () => {
  for (const provider of ['xendit', 'midtrans'] as const) {
    describe(provider, () => {
      it('refunds a paid payment in full; the sandbox shows the refund and the till hears of it', async () => {
        const till = await sys.till({ provider });
        const live = await till.live();
        const id = await paidPayment(till, 42_000);
        const key = newId();
        const r = await refundToEnd(till, id, { reason: 'customer changed their mind', idempotency_key: key });
        expect(r.status).toBe(201);
        const body = RefundResponseSchema.parse(r.body);
        expect(body.refund).toMatchObject({
          refund_id: key,
          amount: 42_000,
          status: 'succeeded',
          requested_by: 'manager:mgr-1',
        });
        expect(body.payment).toMatchObject({ status: 'refunded', refunded_amount: 42_000 });
        const seen = await sandboxRefunds(provider, id);
        expect(seen.refunds.map((x) => x.amount)).toEqual([42_000]);
        await live.waitFor(
          (f) => f.kind === 'event' && f.event.payment.payment_id === id && f.event.payment.status === 'refunded',
        );
        live.close();
        const list = RefundListSchema.parse((await manager(till.storeId, 'GET', `/v1/payments/${id}/refunds`)).body);
        expect(list.refunds.map((x) => [x.refund_id, x.status])).toEqual([[key, 'succeeded']]);
      });

      it('refunds in parts and refuses to refund more than is left', async () => {
        const till = await sys.till({ provider });
        const id = await paidPayment(till, 30_000);
        const a = await refundToEnd(till, id, { amount: 10_000, reason: 'one item', idempotency_key: newId() });
        expect(a.status).toBe(201);
        expect(a.body.payment).toMatchObject({ status: 'partially_refunded', refunded_amount: 10_000 });
        const b = await refundToEnd(till, id, { amount: 15_000, reason: 'another item', idempotency_key: newId() });
        expect(b.body.payment).toMatchObject({ status: 'partially_refunded', refunded_amount: 25_000 });
        const over = await refund(till, id, { amount: 6_000, reason: 'too much', idempotency_key: newId() });
        expect(over.status).toBe(409);
        expect(over.body.error.code).toBe('CONFLICT');
        const rest = await refundToEnd(till, id, { reason: 'the rest', idempotency_key: newId() });
        expect(rest.body.refund.amount).toBe(5_000);
        expect(rest.body.payment).toMatchObject({ status: 'refunded', refunded_amount: 30_000 });
        const done = await refund(till, id, { amount: 1, reason: 'nothing left', idempotency_key: newId() });
        expect(done.status).toBe(409);
        expect((await sandboxRefunds(provider, id)).refunds.map((x) => x.amount)).toEqual([10_000, 15_000, 5_000]);
      });

      it('answers a repeated request with the same refund and asks the provider once', async () => {
        const till = await sys.till({ provider });
        const id = await paidPayment(till, 20_000);
        const body = { amount: 7_000, reason: 'wrong item', idempotency_key: newId() };
        const first = await refundToEnd(till, id, body);
        expect(first.status).toBe(201);
        const before = (await sandboxRefunds(provider, id)).calls;
        const again = await refund(till, id, body);
        const third = await refund(till, id, { reason: 'wrong item', idempotency_key: body.idempotency_key });
        expect(again.status).toBe(200);
        expect(third.status).toBe(200);
        expect(again.body.refund).toEqual(first.body.refund);
        const after = await sandboxRefunds(provider, id);
        expect(after.calls).toBe(before);
        expect(after.refunds.map((x) => x.amount)).toEqual([7_000]);
        expect(again.body.payment.refunded_amount).toBe(7_000);
      });
    });
  }

  it('refuses the same key with another amount (409) and keeps the first refund', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const id = await paidPayment(till, 20_000);
    const key = newId();
    expect((await refund(till, id, { amount: 5_000, reason: 'x', idempotency_key: key })).status).toBe(201);
    const other = await refund(till, id, { amount: 6_000, reason: 'x', idempotency_key: key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('CONFLICT');
    expect((await sandboxRefunds('midtrans', id)).refunds.map((x) => x.amount)).toEqual([5_000]);
  });

  it('refuses to refund a payment that is not paid (409), and another store’s payment is not found (404)', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const { body } = await till.createPayment(9_000);
    const unpaid = await refund(till, body.payment_id, { reason: 'x', idempotency_key: newId() });
    expect(unpaid.status).toBe(409);
    const paid = await paidPayment(till, 9_000);
    const stranger = await sys.till({ provider: 'midtrans' });
    const theirs = await manager(stranger.storeId, 'POST', `/v1/payments/${paid}/refund`, {
      reason: 'x',
      idempotency_key: newId(),
    });
    expect(theirs.status).toBe(404);
    expect((await manager(stranger.storeId, 'GET', `/v1/payments/${paid}/refunds`)).status).toBe(404);
    expect((await sandboxRefunds('midtrans', paid)).refunds).toEqual([]);
  });

  it('never lets a till token refund, and refuses bad input with a typed 400', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const id = await paidPayment(till, 9_000);
    const asTill = await till.request('POST', `/v1/payments/${id}/refund`, { reason: 'x', idempotency_key: newId() });
    expect(asTill.status).toBe(401);
    expect(asTill.body.error.code).toBe('MANAGER_REQUIRED');
    expect((await till.request('GET', `/v1/payments/${id}/refunds`)).status).toBe(401);
    for (const bad of [
      { reason: 'x', idempotency_key: 'not-a-uuid' },
      { amount: 0, reason: 'x', idempotency_key: newId() },
      { amount: 1.5, reason: 'x', idempotency_key: newId() },
      { reason: '  ', idempotency_key: newId() },
      { reason: 'x', idempotency_key: newId(), extra: 1 },
    ]) {
      const r = await refund(till, id, bad);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
    }
    expect((await sandboxRefunds('midtrans', id)).refunds).toEqual([]);
  });

  for (const provider of ['xendit', 'midtrans'] as const) {
    it(`${provider} down: 503, the refund is marked failed, and the same key later refunds once`, async () => {
      const till = await sys.till({ provider });
      const id = await paidPayment(till, 15_000);
      const body = { reason: 'provider outage', idempotency_key: newId() };
      sandbox(provider).failRefunds(1, 'before');
      const down = await refund(till, id, body);
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('PROVIDER_UNAVAILABLE');
      const listed = (await manager(till.storeId, 'GET', `/v1/payments/${id}/refunds`)).body.refunds;
      expect(listed).toMatchObject([{ status: 'failed' }]);
      expect((await sandboxRefunds(provider, id)).refunds).toEqual([]);
      const ok = await refundToEnd(till, id, body);
      expect(ok.status).toBe(201);
      expect(ok.body.payment).toMatchObject({ status: 'refunded', refunded_amount: 15_000 });
      expect((await sandboxRefunds(provider, id)).refunds.map((x) => x.amount)).toEqual([15_000]);
    });

    it(`${provider} refunds but its answer is lost: the retry with the same key is the same refund`, async () => {
      const till = await sys.till({ provider });
      const id = await paidPayment(till, 12_000);
      const body = { amount: 4_000, reason: 'answer lost', idempotency_key: newId() };
      sandbox(provider).failRefunds(1, 'after');
      expect((await refund(till, id, body)).status).toBe(503);
      const ok = await refundToEnd(till, id, body);
      expect(ok.status).toBe(201);
      expect(ok.body.payment).toMatchObject({ status: 'partially_refunded', refunded_amount: 4_000 });
      expect((await sandboxRefunds(provider, id)).refunds.map((x) => x.amount)).toEqual([4_000]);
    });
  }

  it('finishes a refund the provider answered as pending without the manager asking again', async () => {
    const till = await sys.till({ provider: 'xendit' });
    const id = await paidPayment(till, 8_000);
    const first = await refund(till, id, { reason: 'pending first', idempotency_key: newId() });
    expect(first.status).toBe(202);
    expect(first.body.refund.status).toBe('requested');
    expect(first.body.payment.status).toBe('paid');
    await eventually(async () => {
      await followUpRefunds(sys.server.ctx, 0);
      return (await till.request('GET', `/v1/payments/${id}`)).body.status === 'refunded';
    });
    const list = (await manager(till.storeId, 'GET', `/v1/payments/${id}/refunds`)).body.refunds;
    expect(list).toMatchObject([{ status: 'succeeded', amount: 8_000 }]);
    expect((await sandboxRefunds('xendit', id)).refunds.map((x) => x.amount)).toEqual([8_000]);
  });

  it('Midtrans refund notification arriving after the API answer: one final state, one refunded event', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const id = await paidPayment(till, 25_000);
    const webhooksBefore = sys.sandboxes.midtrans.dispatcher.attempts.length;
    sys.sandboxes.midtrans.dispatcher.setChaos({ maxDelayMs: 300 });
    try {
      const r = await refund(till, id, { amount: 25_000, reason: 'late notification', idempotency_key: newId() });
      expect(r.status).toBe(201);
      expect(r.body.payment).toMatchObject({ status: 'refunded', refunded_amount: 25_000 });
      await sys.sandboxes.midtrans.dispatcher.idle();
    } finally {
      sys.sandboxes.midtrans.dispatcher.setChaos({ maxDelayMs: 0 });
    }
    const delivered = sys.sandboxes.midtrans.dispatcher.attempts.slice(webhooksBefore);
    expect(delivered.some((a) => a.status === 200)).toBe(true);
    const p = (await till.request('GET', `/v1/payments/${id}`)).body;
    expect(p).toMatchObject({ status: 'refunded', refunded_amount: 25_000 });
    expect(await eventsWithStatus(till, id, 'refunded')).toBe(1);
  });

  it('Midtrans refund notification arriving before the API answer: the same final state, once', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const id = await paidPayment(till, 25_000);
    const body = { amount: 10_000, reason: 'early notification', idempotency_key: newId() };
    // The refund is made and notified, but its answer is lost: the notification is applied first.
    sys.sandboxes.midtrans.failRefunds(1, 'after');
    expect((await refund(till, id, body)).status).toBe(503);
    await sys.sandboxes.midtrans.dispatcher.idle();
    await eventually(
      async () => (await till.request('GET', `/v1/payments/${id}`)).body.status === 'partially_refunded',
    );
    const r = await refund(till, id, body);
    expect(r.status).toBe(201);
    expect(r.body.payment).toMatchObject({ status: 'partially_refunded', refunded_amount: 10_000 });
    expect(await eventsWithStatus(till, id, 'partially_refunded')).toBe(1);
    expect((await sandboxRefunds('midtrans', id)).refunds.map((x) => x.amount)).toEqual([10_000]);
  });
});

describe('without a manager sign-in', () => {
  // With the dashboard's session guard wired in app.ts, a till token is no session: 401 UNAUTHORIZED.
  it('refuses a refund asked with a till token (401)', async () => {
    const other = await startTestSystem();
    try {
      const till = await other.till({ provider: 'midtrans' });
      const r = await fetch(`${other.serverUrl}/v1/payments/${newId()}/refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${till.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'x', idempotency_key: newId() }),
      });
      expect(r.status).toBe(401);
      expect(((await r.json()) as any).error.code).toBe('UNAUTHORIZED');
    } finally {
      await other.close();
    }
  });
});
