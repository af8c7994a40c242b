/**
 * The Midtrans provider module against the Midtrans sandbox over real HTTP on 127.0.0.1, plus small
 * misbehaving servers for the failure classes the sandbox never produces (5xx, hangs, odd bodies).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rupiah } from '../../../shared/money.ts';
import { describeQris, parseQris } from '../../../shared/qris/index.ts';
import {
  createMidtransSandbox,
  MIDTRANS_SANDBOX_DENY_REFUND_REASON,
  type MidtransSandbox,
} from '../../../sync-server/sandbox/midtrans/index.ts';
import { ProviderRejectedError, ProviderUnavailableError } from '../../../sync-server/src/providers/errors.ts';
import { createMidtransProvider, type MidtransConfig } from '../../../sync-server/src/providers/midtrans/index.ts';
import type { PaymentProvider, RawWebhook } from '../../../sync-server/src/providers/payment-provider.ts';

const KEY = 'SB-Mid-server-provider-test';
const MIN = 60_000;

const config = (baseUrl: string, over: Partial<MidtransConfig> = {}): MidtransConfig => ({
  baseUrl,
  serverKey: KEY,
  acquirer: 'gopay',
  notificationUrl: null,
  mode: 'sandbox',
  timeoutMs: 2000,
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('Midtrans provider against the sandbox', () => {
  let sb: MidtransSandbox;
  let url: string;
  let hooks: FastifyInstance;
  let hooksUrl: string;
  const received: RawWebhook[] = [];
  let p: PaymentProvider;

  beforeAll(async () => {
    // The server's webhook endpoint, reduced to "keep the raw bytes".
    hooks = Fastify();
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
    hooks.post('/v1/webhooks/midtrans', async (req) => {
      received.push({ rawBody: req.body as Buffer, headers: req.headers });
      return { ok: true };
    });
    hooksUrl = await hooks.listen({ host: '127.0.0.1', port: 0 });
    // The Dashboard URL points nowhere useful: only X-Override-Notification can bring webhooks to us.
    sb = await createMidtransSandbox({
      serverKey: KEY,
      notificationUrl: 'http://127.0.0.1:9/dashboard',
      timeScale: 0.001,
    });
    url = await sb.app.listen({ host: '127.0.0.1', port: 0 });
    p = createMidtransProvider(config(url, { notificationUrl: `${hooksUrl}/v1/webhooks/midtrans` }));
  });
  afterAll(async () => {
    await sb.close();
    await hooks.close();
  });

  const create = (amount: number, ttl = 15 * MIN) =>
    (async () => {
      const paymentId = randomUUID();
      const qr = await p.createQrPayment({ paymentId, amount: rupiah(amount), expiresAt: Date.now() + ttl });
      return { paymentId, ...qr, ref: { paymentId, providerRef: qr.providerRef } };
    })();

  it('creates a dynamic QRIS whose CRC is valid and whose tag 54 is the amount', async () => {
    const before = Date.now();
    const c = await create(789000, 15 * MIN);
    expect(parseQris(c.qrString).raw).toBe(c.qrString); // throws on a bad CRC or TLV
    const d = describeQris(c.qrString);
    expect(d).toMatchObject({ valid: true, pointOfInitiation: 'dynamic', amountRaw: '789000', amount: 789000 });
    expect(d.crc.valid).toBe(true);
    expect(c.providerRef).toMatch(/^[0-9a-f-]{36}$/);
    // expiry_time has whole seconds: the QR lives until the requested deadline, give or take a second.
    expect(Math.abs(c.expiresAt - (before + 15 * MIN))).toBeLessThan(2000);
    expect(await p.getPayment(c.ref)).toEqual({ status: 'pending', amount: null, paidAt: null, paymentRef: null });
  });

  it('reads a paid QR as paid, with amount, time and the money movement id', async () => {
    const c = await create(25000);
    const paid = await sb.payQr(c.qrString, { issuer: 'ovo' });
    expect(paid.ok).toBe(true);
    const s = await p.getPayment(c.ref);
    expect(s).toMatchObject({ status: 'paid', amount: 25000, paymentRef: c.providerRef });
    expect(typeof s.paidAt).toBe('number');
  });

  it('delivers verifiable pending and settlement notifications to the override URL', async () => {
    const c = await create(5539);
    await sb.payQr(c.qrString);
    await sb.dispatcher.idle();
    // A delivery the receiver was slow to answer (a loaded machine) is retried: at-least-once, so count each once.
    const mine = [
      ...new Map(
        received.filter((w) => p.parseWebhook(w).paymentId === c.paymentId).map((w) => [w.rawBody.toString(), w]),
      ).values(),
    ];
    expect(mine.map((w) => p.verifyWebhook(w))).toEqual([true, true]);
    const events = mine.map((w) => p.parseWebhook(w));
    expect(events.map((e) => e.status).sort()).toEqual(['paid', 'pending']);
    expect(events.every((e) => e.providerRef === c.providerRef && e.amount === 5539)).toBe(true);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it('cancels a pending payment at the provider', async () => {
    const c = await create(1000);
    expect(await p.cancelPayment(c.ref)).toEqual({ atProvider: true });
    expect((await p.getPayment(c.ref)).status).toBe('cancelled');
    expect(await sb.payQr(c.qrString)).toMatchObject({ ok: false, code: 'QR_CANCELLED' });
  });

  it('rejects a cancel after settlement with providerCode 412', async () => {
    const c = await create(1000);
    await sb.payQr(c.qrString);
    const e = await rejection(p.cancelPayment(c.ref));
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).providerCode).toBe('412');
    expect((e as ProviderRejectedError).retryable).toBe(false);
  });

  it('reads an expired payment as expired', async () => {
    const c = await create(1000);
    await sb.expireNow(c.paymentId);
    expect((await p.getPayment(c.ref)).status).toBe('expired');
  });

  it('asks Midtrans for the requested expiry, which the sandbox then enforces', async () => {
    // 60 s at timeScale 0.001 passes in 60 ms of real time.
    const c = await create(1000, 60_000);
    await expect.poll(async () => (await p.getPayment(c.ref)).status, { timeout: 5000 }).toBe('expired');
  });

  it('honours expiryMinutes over the requested deadline', async () => {
    const fixed = createMidtransProvider(
      config(url, { expiryMinutes: 20, notificationUrl: `${hooksUrl}/v1/webhooks/midtrans` }),
    );
    const before = Date.now();
    const c = await fixed.createQrPayment({
      paymentId: randomUUID(),
      amount: rupiah(1000),
      expiresAt: Date.now() + MIN,
    });
    expect(Math.abs(c.expiresAt - (before + 20 * MIN))).toBeLessThan(2000);
  });

  it('refunds fully, partially, and reports a bank denial as failed', async () => {
    const full = await create(10000);
    await sb.payQr(full.qrString);
    expect(
      await p.refundPayment(
        { ...full.ref, paymentRef: full.providerRef },
        { refundId: 'rf-1', amount: rupiah(10000), reason: 'void' },
      ),
    ).toEqual({
      refundId: 'rf-1',
      status: 'succeeded',
      amount: 10000,
    });
    expect((await p.getPayment(full.ref)).status).toBe('refunded');

    const part = await create(10000);
    await sb.payQr(part.qrString);
    const ref = { ...part.ref, paymentRef: part.providerRef };
    const denied = await p.refundPayment(ref, {
      refundId: 'rf-2',
      amount: rupiah(3000),
      reason: MIDTRANS_SANDBOX_DENY_REFUND_REASON,
    });
    expect(denied).toEqual({ refundId: 'rf-2', status: 'failed', amount: 3000 });
    expect((await p.getPayment(part.ref)).status).toBe('paid');
    expect(await p.refundPayment(ref, { refundId: 'rf-3', amount: rupiah(3000) })).toMatchObject({
      status: 'succeeded',
      amount: 3000,
    });
    // The same refund id again is the same refund, not a second one.
    expect(await p.refundPayment(ref, { refundId: 'rf-3', amount: rupiah(3000) })).toMatchObject({
      status: 'succeeded',
      amount: 3000,
    });
    expect(await p.getPayment(part.ref)).toMatchObject({ status: 'partially_refunded', amount: 10000 });
    const rf = await p.refundPayment(ref, { refundId: 'rf-4', amount: rupiah(7000) });
    expect(rf).toMatchObject({ status: 'succeeded', amount: 7000 });
    expect((await p.getPayment(part.ref)).status).toBe('refunded');

    // Each approved refund was notified once (the denial and the replay were not), with the running total.
    await sb.dispatcher.idle();
    const refundEvents = received
      .map((w) => p.parseWebhook(w))
      .filter((e) => e.paymentId === part.paymentId && e.refundedAmount !== undefined);
    expect(refundEvents.map((e) => [e.status, e.refundedAmount])).toEqual([
      ['partially_refunded', 3000],
      ['refunded', 10000],
    ]);
    expect(new Set(refundEvents.map((e) => e.eventId)).size).toBe(2);
  });

  it('rejects a refund of an unpaid payment', async () => {
    const c = await create(1000);
    const e = await rejection(p.refundPayment({ ...c.ref, paymentRef: null }, { refundId: 'x', amount: rupiah(1000) }));
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).providerCode).toBe('412');
  });

  it('rejects an unknown payment with providerCode 404 (the body decides, not HTTP 200)', async () => {
    const e = await rejection(p.getPayment({ paymentId: randomUUID(), providerRef: 'x' }));
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).providerCode).toBe('404');
  });

  it('rejects a second charge of a pending payment id with 406', async () => {
    const c = await create(1000);
    const e = await rejection(
      p.createQrPayment({ paymentId: c.paymentId, amount: rupiah(1000), expiresAt: Date.now() + MIN }),
    );
    expect((e as ProviderRejectedError).providerCode).toBe('406');
  });

  it('rejects a wrong server key', async () => {
    const wrong = createMidtransProvider(config(url, { serverKey: 'SB-Mid-server-wrong' }));
    const e = await rejection(
      wrong.createQrPayment({ paymentId: randomUUID(), amount: rupiah(1000), expiresAt: Date.now() + MIN }),
    );
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).providerCode).toBe('401');
  });

  it('refuses an expiry in the past without calling Midtrans', async () => {
    const e = await rejection(
      p.createQrPayment({ paymentId: randomUUID(), amount: rupiah(1000), expiresAt: Date.now() - 1 }),
    );
    expect(e).toBeInstanceOf(ProviderRejectedError);
  });
});

describe('Midtrans provider failure classes', () => {
  let odd: FastifyInstance;
  let oddUrl: string;
  let downUrl: string;

  beforeAll(async () => {
    odd = Fastify({ forceCloseConnections: true });
    odd.post('/http503/v2/charge', async (_q, r) => r.status(503).send('<html>busy</html>'));
    odd.post('/body500/v2/charge', async () => ({
      status_code: '500',
      status_message: 'Sorry, an internal server error occurred',
    }));
    odd.post('/hang/v2/charge', async () => new Promise((res) => setTimeout(() => res({}), 3000)));
    odd.post('/html200/v2/charge', async (_q, r) => r.type('text/html').send('<html>captive portal</html>'));
    odd.get('/fraction/v2/:id/status', async (req) => ({
      status_code: '200',
      transaction_id: 't-1',
      order_id: (req.params as { id: string }).id,
      gross_amount: '1000.50',
      transaction_status: 'settlement',
      fraud_status: 'accept',
    }));
    odd.post('/other-amount/v2/charge', async (req) => {
      const b = req.body as { transaction_details: { order_id: string } };
      return {
        status_code: '201',
        transaction_id: 't',
        order_id: b.transaction_details.order_id,
        gross_amount: '2.00',
        transaction_status: 'pending',
        qr_string: 'x',
      };
    });
    oddUrl = await odd.listen({ host: '127.0.0.1', port: 0 });
    // A port that was just ours and is now closed: connection refused.
    const tmp = Fastify();
    downUrl = await tmp.listen({ host: '127.0.0.1', port: 0 });
    await tmp.close();
  });
  afterAll(() => odd.close());

  const charge = (base: string, timeoutMs = 2000) =>
    rejection(
      createMidtransProvider(config(base, { timeoutMs })).createQrPayment({
        paymentId: randomUUID(),
        amount: rupiah(1000),
        expiresAt: Date.now() + MIN,
      }),
    );

  it.each([
    ['a server that is down', () => downUrl],
    ['HTTP 503 with an HTML body', () => `${oddUrl}/http503`],
    ['a body status_code 500 on HTTP 200', () => `${oddUrl}/body500`],
    ['a 2xx that is not JSON', () => `${oddUrl}/html200`],
  ])('is unavailable (retryable) for %s', async (_n, base) => {
    const e = await charge(base());
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect((e as ProviderUnavailableError).retryable).toBe(true);
  });

  it('is unavailable when Midtrans does not answer in time', async () => {
    const e = await charge(`${oddUrl}/hang`, 150);
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect((e as Error).message).toMatch(/150 ms/);
  });

  it('rejects a fractional rupiah amount from Midtrans', async () => {
    const p = createMidtransProvider(config(`${oddUrl}/fraction`));
    expect(await rejection(p.getPayment({ paymentId: 'o-1', providerRef: 't-1' }))).toBeInstanceOf(
      ProviderRejectedError,
    );
  });

  it('rejects a charge answer for another amount', async () => {
    expect(await charge(`${oddUrl}/other-amount`)).toBeInstanceOf(ProviderRejectedError);
  });
});
