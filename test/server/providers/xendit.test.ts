import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rupiah } from '../../../shared/money.ts';
import { describeQris, parseQris } from '../../../shared/qris/index.ts';
import { createXenditSandbox, type XenditSandbox } from '../../../sync-server/sandbox/xendit/index.ts';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  WebhookPayloadError,
} from '../../../sync-server/src/providers/errors.ts';
import type { PaymentProvider, RawWebhook } from '../../../sync-server/src/providers/payment-provider.ts';
import { createXenditProvider, type XenditConfig } from '../../../sync-server/src/providers/xendit/index.ts';

// Reference bodies, verbatim from ../shared/reference/providers.md §3.
const X_A = `{"event":"qr.payment","api_version":"2022-07-31","business_id":"58cd618ba0464eb64acdb246","created":"2022-10-22T06:30:05.86474Z",
 "data":{"id":"qrpy_8182837te-87st-49ing-8696-1239bd4d759c","business_id":"58cd618ba0464eb64acdb246","currency":"IDR","amount":10000,
  "status":"SUCCEEDED","created":"2022-10-22T06:30:05.86474Z","qr_id":"qr_61cb3576-3a25-4d35-8d15-0e8e3bdba4f2",
  "qr_string":"0002010102##########CO.XENDIT.WWW011893600#######14220002152#####414220010303TTT####015CO.XENDIT.WWW02180000000000000000000TTT52045######ID5911XenditQRIS6007Jakarta6105121606##########3k1mOnF73h11111111#3k1mOnF73h6v53033605401163040BDB",
  "reference_id":"order-id-1666420204","type":"DYNAMIC","channel_code":"ID_DANA","expires_at":"2022-10-23T09:56:43.60445Z",
  "description":"","basket":null,"metadata":null,
  "payment_detail":{"receipt_id":"000111666","source":"GOPAY","name":null,"account_details":null}}}`;

const X_B = `{"id":"qrpy_8182837te-87st-49ing-8696-1239bd4d759c","amount":10000,"created":"2020-01-08T18:18:18.857Z",
 "qr_code":{"id":"qr_8182837te-87st-49ing-8696-1239bd4d759c","external_id":"qris_merchant_reference_id",
  "qr_string":"0002010102##########CO.XENDIT.WWW011893600#######14220002152#####414220010303TTT####015CO.XENDIT.WWW02180000000000000000000TTT52045######ID5911XenditQRIS6007Jakarta6105121606##########3k1mOnF73h11111111#3k1mOnF73h6v53033605401163040BDB",
  "type":"DYNAMIC"},"status":"COMPLETED","metadata":null}`;

const X_C = `{"id":"qrpy_32dc440f-aee1-40d4-af32-6d2249c493ae","event":"qr.payment","amount":10000,"status":"COMPLETED","created":"2026-01-03T05:41:02.419127Z",
 "qr_code":{"id":"qr_e6710fe1-41fe-4939-b2d1-875973aae339","type":"DYNAMIC","metadata":null,"qr_string":"00020101021226650013CO.XENDIT.WWW01189360084800000054690215MTp47ZSspWsSQxG0303UME51370014ID.CO.QRIS.WWW0215ID20254267526685204509953033605405100005802ID5923PT ALWI KOBRA INDONESIA6006Bekasi61051715162290525xoizLQizgQUsgqK4tR4kMBcLc630475A5","external_id":"order_1767418834448_bkzxgfha0_ru.ll_7mcq"},
 "payment_details":{"source":"BNI","receipt_id":"290b03ee7629"}}`;

const TOKEN = 'cb-token-for-tests-0123456789';
const SECRET = 'xnd_development_sandbox_secret_for_tests';

const offline: XenditConfig = {
  baseUrl: 'http://127.0.0.1:1',
  secretKey: SECRET,
  callbackToken: TOKEN,
  mode: 'sandbox',
  timeoutMs: 2000,
};
const webhook = (body: string, headers: RawWebhook['headers'] = {}): RawWebhook => ({
  rawBody: Buffer.from(body),
  headers,
});

describe('Xendit parseWebhook on the reference bodies', () => {
  const p = createXenditProvider(offline);

  it('reads the 2022-07-31 envelope (X-A)', () => {
    expect(p.parseWebhook(webhook(X_A))).toEqual({
      eventId: 'qr.payment:qrpy_8182837te-87st-49ing-8696-1239bd4d759c',
      paymentId: 'order-id-1666420204',
      providerRef: 'qr_61cb3576-3a25-4d35-8d15-0e8e3bdba4f2',
      providerRefVouched: true,
      paymentRef: 'qrpy_8182837te-87st-49ing-8696-1239bd4d759c',
      status: 'paid',
      amount: 10000,
      occurredAt: Date.parse('2022-10-22T06:30:05.86474Z'),
      payerWallet: 'GOPAY',
    });
  });

  it('reads the V1 payment object without an event key (X-B)', () => {
    expect(p.parseWebhook(webhook(X_B))).toEqual({
      eventId: 'qr.payment:qrpy_8182837te-87st-49ing-8696-1239bd4d759c',
      paymentId: 'qris_merchant_reference_id',
      providerRef: 'qr_8182837te-87st-49ing-8696-1239bd4d759c',
      providerRefVouched: true,
      paymentRef: 'qrpy_8182837te-87st-49ing-8696-1239bd4d759c',
      status: 'paid',
      amount: 10000,
      occurredAt: Date.parse('2020-01-08T18:18:18.857Z'),
      payerWallet: null,
    });
  });

  it('reads the live V1 capture with payment_details (X-C)', () => {
    expect(p.parseWebhook(webhook(X_C))).toEqual({
      eventId: 'qr.payment:qrpy_32dc440f-aee1-40d4-af32-6d2249c493ae',
      paymentId: 'order_1767418834448_bkzxgfha0_ru.ll_7mcq',
      providerRef: 'qr_e6710fe1-41fe-4939-b2d1-875973aae339',
      providerRefVouched: true,
      paymentRef: 'qrpy_32dc440f-aee1-40d4-af32-6d2249c493ae',
      status: 'paid',
      amount: 10000,
      occurredAt: Date.parse('2026-01-03T05:41:02.419127Z'),
      payerWallet: 'BNI',
    });
  });

  it('gives the same event id to the same delivery twice', () => {
    expect(p.parseWebhook(webhook(X_A)).eventId).toBe(p.parseWebhook(webhook(X_A)).eventId);
  });

  it('tolerates fields Xendit adds later', () => {
    const body = JSON.parse(X_A);
    body.new_top_level = { x: 1 };
    body.data.new_field = 'y';
    expect(p.parseWebhook(webhook(JSON.stringify(body))).status).toBe('paid');
  });

  it('maps a status that carries no change to null', () => {
    const body = JSON.parse(X_A);
    body.data.status = 'PENDING';
    expect(p.parseWebhook(webhook(JSON.stringify(body))).status).toBeNull();
  });

  const bad: [string, string][] = [
    ['not JSON', '{"event":'],
    ['empty body', ''],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['another event', X_A.replace('"qr.payment"', '"ewallet.capture"')],
    ['data without reference_id', X_A.replace('"reference_id":"order-id-1666420204",', '')],
    ['amount as a string', X_A.replace('"amount":10000', '"amount":"10000"')],
    ['fractional rupiah', X_A.replace('"amount":10000', '"amount":10000.5')],
    ['negative amount', X_C.replace('"amount":10000', '"amount":-5')],
    ['V1 without qr_code', X_B.replace(/"qr_code":\{[^}]*\},/, '')],
  ];
  it.each(bad)('throws WebhookPayloadError on %s', (_label, body) => {
    expect(() => p.parseWebhook(webhook(body))).toThrow(WebhookPayloadError);
  });
});

describe('Xendit verifyWebhook (hostile table)', () => {
  const p = createXenditProvider(offline);
  const cases: [string, RawWebhook['headers'], boolean][] = [
    ['the right token', { 'x-callback-token': TOKEN }, true],
    ['no header', {}, false],
    ['an undefined header', { 'x-callback-token': undefined }, false],
    ['a wrong token of the same length', { 'x-callback-token': TOKEN.replace(/.$/, 'X') }, false],
    ['a shorter token (a prefix)', { 'x-callback-token': TOKEN.slice(0, -1) }, false],
    ['a longer token', { 'x-callback-token': `${TOKEN}0` }, false],
    ['an empty token', { 'x-callback-token': '' }, false],
    ['the token twice as an array', { 'x-callback-token': [TOKEN, TOKEN] }, false],
    ['the token in another header', { authorization: TOKEN }, false],
    ['the token with different case', { 'x-callback-token': TOKEN.toUpperCase() }, false],
  ];
  it.each(cases)('%s → %s', (_label, headers, expected) => {
    expect(p.verifyWebhook(webhook(X_A, headers))).toBe(expected);
  });

  it('accepts nothing when no callback token is configured', () => {
    const unset = createXenditProvider({ ...offline, callbackToken: '' });
    expect(unset.verifyWebhook(webhook(X_A, { 'x-callback-token': '' }))).toBe(false);
  });
});

describe('Xendit provider against the sandbox over HTTP', () => {
  let sb: XenditSandbox;
  let provider: PaymentProvider;
  let baseUrl: string;
  const callbacks: { headers: Record<string, unknown>; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      callbacks.push({ headers: req.headers, body });
      res.writeHead(200).end('{}');
    });
  });

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const { port } = receiver.address() as AddressInfo;
    sb = await createXenditSandbox({
      secretKey: SECRET,
      callbackToken: TOKEN,
      callbackUrl: `http://127.0.0.1:${port}/v1/webhooks/xendit`,
      timeScale: 0.0001,
    });
    baseUrl = await sb.app.listen({ host: '127.0.0.1', port: 0 });
    provider = createXenditProvider({ ...offline, baseUrl });
  });
  afterAll(async () => {
    await sb.close();
    await new Promise((r) => receiver.close(r));
  });

  const newPayment = (amount: number) => ({
    paymentId: crypto.randomUUID(),
    amount: rupiah(amount),
    expiresAt: Date.now() + 15 * 60_000,
  });

  it('creates a dynamic QRIS whose string parses with a valid CRC and carries the amount', async () => {
    const req = newPayment(25_500);
    const qr = await provider.createQrPayment(req);
    expect(qr.providerRef).toMatch(/^qr_/);
    // Xendit echoes expires_at as ISO; whole milliseconds survive the round trip.
    expect(qr.expiresAt).toBe(req.expiresAt);
    expect(() => parseQris(qr.qrString)).not.toThrow(); // parseQris verifies the CRC
    const info = describeQris(qr.qrString);
    expect(info.crc.valid).toBe(true);
    expect(info.amount).toBe(25_500);
    expect(info.pointOfInitiation).toBe('dynamic');
  });

  it('follows a payment from create through the wallet to getPayment and the callback', async () => {
    const req = newPayment(42_000);
    const qr = await provider.createQrPayment(req);
    const ref = { paymentId: req.paymentId, providerRef: qr.providerRef };
    expect(await provider.getPayment(ref)).toEqual({ status: null, amount: null, paidAt: null, paymentRef: null });

    const paid = await sb.payQr(qr.qrString, { source: 'OVO' });
    expect(paid.ok).toBe(true);
    const state = await provider.getPayment(ref);
    expect(state.status).toBe('paid');
    expect(state.amount).toBe(42_000);
    expect(state.paymentRef).toBe(paid.ok ? paid.paymentId : 'unpaid');

    await sb.dispatcher.idle();
    const cb = callbacks.find((c) => c.body.includes(req.paymentId));
    expect(cb).toBeDefined();
    const raw = { rawBody: Buffer.from(cb?.body ?? ''), headers: cb?.headers as RawWebhook['headers'] };
    expect(provider.verifyWebhook(raw)).toBe(true);
    expect(provider.parseWebhook(raw)).toMatchObject({
      paymentId: req.paymentId,
      providerRef: qr.providerRef,
      paymentRef: state.paymentRef,
      status: 'paid',
      amount: 42_000,
    });
  });

  it('refuses getPayment for a QR that belongs to another payment', async () => {
    const qr = await provider.createQrPayment(newPayment(1_000));
    await expect(provider.getPayment({ paymentId: crypto.randomUUID(), providerRef: qr.providerRef })).rejects.toThrow(
      ProviderRejectedError,
    );
  });

  it.each([
    [10100, ProviderRejectedError, 'CHANNEL_NOT_ACTIVATED'],
    [10101, ProviderUnavailableError, 'CHANNEL_UNAVAILABLE'],
    [10102, ProviderUnavailableError, 'SERVER_ERROR'],
  ] as const)('maps the test amount %i to %o with %s', async (amount, kind, code) => {
    const e = await provider.createQrPayment(newPayment(amount)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(kind);
    expect((e as ProviderRejectedError).providerCode).toBe(code);
  });

  it('is refused with INVALID_API_KEY under a wrong secret key', async () => {
    const wrong = createXenditProvider({ ...offline, baseUrl, secretKey: 'xnd_development_wrong' });
    const e = await wrong.createQrPayment(newPayment(5_000)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).providerCode).toBe('INVALID_API_KEY');
  });

  it('reports an unknown QR id as a rejection', async () => {
    const e = await provider.getPayment({ paymentId: 'x', providerRef: 'qr_unknown' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderRejectedError);
    expect((e as ProviderRejectedError).providerCode).toBe('DATA_NOT_FOUND');
  });

  it('refunds part and then the rest, and refuses more than was paid', async () => {
    const req = newPayment(30_000);
    const qr = await provider.createQrPayment(req);
    const paid = await sb.payQr(qr.qrString);
    if (!paid.ok) throw new Error(paid.message);
    const ref = { paymentId: req.paymentId, providerRef: qr.providerRef };

    // paymentRef unknown to the caller: the provider finds the qrpy_ id itself.
    const first = await provider.refundPayment(
      { ...ref, paymentRef: null },
      { refundId: crypto.randomUUID(), amount: rupiah(10_000), reason: 'REQUESTED_BY_CUSTOMER' },
    );
    expect(first).toMatchObject({ status: 'pending', amount: 10_000 });
    expect(first.refundId).toMatch(/^qrrf_/);

    const tooMuch = await provider
      .refundPayment({ ...ref, paymentRef: paid.paymentId }, { refundId: crypto.randomUUID(), amount: rupiah(20_001) })
      .catch((x: unknown) => x);
    expect(tooMuch).toBeInstanceOf(ProviderRejectedError);

    const refundId = crypto.randomUUID();
    const rest = await provider.refundPayment(
      { ...ref, paymentRef: paid.paymentId },
      { refundId, amount: rupiah(20_000) },
    );
    expect(rest).toMatchObject({ status: 'pending', amount: 20_000 });
    // The same refund id again is the same refund, not a third one.
    const again = await provider.refundPayment(
      { ...ref, paymentRef: paid.paymentId },
      { refundId, amount: rupiah(20_000) },
    );
    expect(again.refundId).toBe(rest.refundId);
  });

  it('cannot refund a QR that was never paid', async () => {
    const req = newPayment(7_000);
    const qr = await provider.createQrPayment(req);
    const e = await provider
      .refundPayment(
        { paymentId: req.paymentId, providerRef: qr.providerRef, paymentRef: null },
        { refundId: crypto.randomUUID(), amount: rupiah(7_000) },
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderRejectedError);
  });

  it('says a QR cannot be cancelled at Xendit', async () => {
    expect(await provider.cancelPayment({ paymentId: 'p', providerRef: 'qr_x' })).toEqual({ atProvider: false });
  });

  it('reports a server that is down as unavailable', async () => {
    const down = createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const { port } = down.address() as AddressInfo;
    await new Promise((r) => down.close(r));
    const p = createXenditProvider({ ...offline, baseUrl: `http://127.0.0.1:${port}` });
    const e = await p.createQrPayment(newPayment(5_000)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect((e as ProviderUnavailableError).retryable).toBe(true);
  });

  it('reports a server that does not answer in time as unavailable', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const p = createXenditProvider({ ...offline, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 100 });
      const e = await p.createQrPayment(newPayment(5_000)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ProviderUnavailableError);
      expect((e as ProviderUnavailableError).providerCode).toBe('TIMEOUT');
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
