import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookPayloadError } from '../../../sync-server/src/providers/errors.ts';
import { createMidtransProvider } from '../../../sync-server/src/providers/midtrans/index.ts';
import { fromMidtransAmount, fromWib, toWib } from '../../../sync-server/src/providers/midtrans/wire.ts';

const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');
const TEST_KEY = 'SB-Mid-server-TEST-KEY-for-vitest';

function provider(serverKey = TEST_KEY) {
  return createMidtransProvider({
    baseUrl: 'http://127.0.0.1:1',
    serverKey,
    acquirer: 'gopay',
    notificationUrl: null,
    mode: 'sandbox',
    timeoutMs: 1000,
  });
}
const raw = (body: string | object) => ({
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  headers: { 'content-type': 'application/json' },
});

/** Replaces the signature in a verbatim body without re-serialising anything else. */
function resign(body: string, key: string): string {
  const o = JSON.parse(body) as Record<string, string>;
  const sig = sha512(`${o.order_id}${o.status_code}${o.gross_amount}${key}`);
  return body.replace(/"signature_key":"[0-9a-f]+"/, `"signature_key":"${sig}"`);
}

// Reference §3, verbatim.
const M_A = `{"transaction_type":"on-us","transaction_time":"2021-06-23 14:02:42","transaction_status":"settlement","transaction_id":"513f1f01-c9da-474c-9fc9-d5c64364b709","status_message":"midtrans payment notification","status_code":"200","signature_key":"2496c78cac93a70ca08014bdaaff08eb7119ef79ef69c4833d4399cada077147febc1a231992eb8665a7e26d89b1dc323c13f721d21c7485f70bff06cca6eed3","settlement_time":"2021-06-23 14:06:48","payment_type":"qris","order_id":"qris-01","merchant_id":"G141532850","issuer":"gopay","gross_amount":"5539.00","fraud_status":"accept","currency":"IDR","acquirer":"gopay"}`;
const M_B = `{"transaction_type":"on-us","transaction_time":"2021-06-23 15:45:42","transaction_status":"settlement","transaction_id":"1015a919-b03f-450a-bc85-b38202a79a96","status_message":"midtrans payment notification","status_code":"200","signature_key":"5d40504728eb96686bd5926299768a6496547f70dbd1e19d583ef4e780fe9dd5c38d0db45ec0f06dafa5c56caa6cf8358ead1523882b5fb3e102c52345d41850","settlement_time":"2021-06-23 15:46:00","payment_type":"qris","order_id":"order102","merchant_id":"G490526303","issuer":"gopay","gross_amount":"789000.00","fraud_status":"accept","currency":"IDR","acquirer":"gopay"}`;
const M_C_PENDING = `{"transaction_time":"2020-09-29 11:18:06","transaction_status":"pending","transaction_id":"ce0a3584-5a0c-4049-ad88-5590a96be4fe","status_message":"midtrans payment notification","status_code":"201","signature_key":"b1798748303cf0817733c1e312d630793b84d8125a96af0cb7251f8266d5c5256285084ba3ffbfae1f264a031d41927124fba0b552f249ee68180e9c7566448e","payment_type":"qris","order_id":"order03","merchant_id":"M099098","gross_amount":"275000.00","fraud_status":"accept","currency":"IDR","acquirer":"gopay"}`;
const M_C_EXPIRE = `{"transaction_time":"2020-09-29 11:31:39","transaction_status":"expire","transaction_id":"9728e0fd-a49c-4c25-8c88-404ef1c45e0e","status_message":"midtrans payment notification","status_code":"202","signature_key":"4580d8fc6c4a8dca3319efc1f629b8b33e923ec62b2e6ad7254ed6230ef0e57977b2f6124ba8f2a7a71c53ac7368f3f795ffbdecac3b5cf23e82f1ca5440ad1a","payment_type":"qris","order_id":"order03","merchant_id":"M099098","gross_amount":"275000.00","fraud_status":"accept","currency":"IDR","acquirer":"gopay"}`;
const M_D = `{"transaction_time":"2021-06-15 18:45:13","transaction_status":"settlement","transaction_id":"513f1f01-c9da-474c-9fc9-d5c64364b709","status_message":"midtrans payment notification","status_code":"200","signature_key":"2496c78cac93a70ca08014bdaaff08eb7119ef79ef69c4833d4399cada077147febc1a231992eb8665a7e26d89b1dc323c13f721d21c7485f70bff06cca6eed3","settlement_time":"2021-06-15 18:45:28","payment_type":"gopay","order_id":"Order-5100","merchant_id":"G141532850","gross_amount":"154600.00","fraud_status":"accept","currency":"IDR"}`;

describe('Midtrans signature worked examples (reference §3)', () => {
  it('matches the Midtrans doc sample key', () => {
    const key = 'askvnoibnosifnboseofinbofinfgbiufglnbfg';
    const sig =
      'edc076b21793ebe3e17926350f5b8ae67d902fe657b3d0aa31b932d5c127e2375d308a2bc94f3265ac2d80a1f181a79b997ac178a236fcff35af263fc4d4c231';
    const body = { order_id: '1111', status_code: '200', gross_amount: '100000.00', signature_key: sig };
    expect(provider(key).verifyWebhook(raw(body))).toBe(true);
    expect(provider(TEST_KEY).verifyWebhook(raw(body))).toBe(false);
  });

  it.each([
    [
      'order102',
      '200',
      '789000.00',
      '3112f35efe5cd905cdcad8386bce907d3ca2752ca850fc7a32d4ea52a409bc168e01ba1e9e2bfecceb5b4dea2e45f6ab9bf6b5fcd3b2b094c1ca2ee47e7538ac',
    ],
    [
      'order03',
      '202',
      '275000.00',
      'b6da62bb203553b383b95bd87c798cadda08badd06ed7abbc353f14c7e0a736ab3555e2c2ea77f672705c0a5e5305139aed7f1a0efd023ba742e04c6a0b9b02d',
    ],
  ])(
    'matches the SB-Mid-server-EXAMPLE-NOT-REAL vector for %s',
    (order_id, status_code, gross_amount, signature_key) => {
      const p = provider('SB-Mid-server-EXAMPLE-NOT-REAL');
      expect(p.verifyWebhook(raw({ order_id, status_code, gross_amount, signature_key }))).toBe(true);
    },
  );

  it('rejects the published samples with our key (their server keys are unpublished)', () => {
    for (const body of [M_A, M_B, M_C_PENDING, M_C_EXPIRE, M_D])
      expect(provider().verifyWebhook(raw(body))).toBe(false);
  });
});

describe('Midtrans sample notifications re-signed with a test key', () => {
  const p = provider();

  it('parses M-A (QRIS settlement) as paid', () => {
    const body = resign(M_A, TEST_KEY);
    expect(p.verifyWebhook(raw(body))).toBe(true);
    expect(p.parseWebhook(raw(body))).toEqual({
      eventId: 'midtrans:513f1f01-c9da-474c-9fc9-d5c64364b709:settlement:200',
      paymentId: 'qris-01',
      providerRef: '513f1f01-c9da-474c-9fc9-d5c64364b709',
      providerRefVouched: false,
      paymentRef: '513f1f01-c9da-474c-9fc9-d5c64364b709',
      status: 'paid',
      amount: 5539,
      occurredAt: Date.UTC(2021, 5, 23, 7, 6, 48), // 14:06:48 WIB
      payerWallet: 'gopay',
    });
  });

  it('parses M-B (POS guide settlement) with its amount in whole rupiah', () => {
    const body = resign(M_B, TEST_KEY);
    expect(p.verifyWebhook(raw(body))).toBe(true);
    const e = p.parseWebhook(raw(body));
    expect(e).toMatchObject({ paymentId: 'order102', status: 'paid', amount: 789000 });
    expect(e.occurredAt).toBe(Date.UTC(2021, 5, 23, 8, 46, 0));
  });

  it('parses M-C pending and expire as two distinct events of one order', () => {
    const pending = p.parseWebhook(raw(resign(M_C_PENDING, TEST_KEY)));
    const expire = p.parseWebhook(raw(resign(M_C_EXPIRE, TEST_KEY)));
    expect(p.verifyWebhook(raw(resign(M_C_PENDING, TEST_KEY)))).toBe(true);
    expect(p.verifyWebhook(raw(resign(M_C_EXPIRE, TEST_KEY)))).toBe(true);
    expect(pending).toMatchObject({ paymentId: 'order03', status: 'pending', amount: 275000 });
    expect(expire).toMatchObject({ paymentId: 'order03', status: 'expired', amount: 275000 });
    expect(pending.eventId).not.toBe(expire.eventId);
    expect(pending.occurredAt).toBe(Date.UTC(2020, 8, 29, 4, 18, 6));
  });

  it('parses M-D (GoPay settlement, no issuer/acquirer fields) as paid', () => {
    const body = resign(M_D, TEST_KEY);
    expect(p.verifyWebhook(raw(body))).toBe(true);
    expect(p.parseWebhook(raw(body))).toMatchObject({ paymentId: 'Order-5100', status: 'paid', amount: 154600 });
  });

  it('gives a redelivery the same event id, and unknown fields do not matter', () => {
    const a = p.parseWebhook(raw(resign(M_A, TEST_KEY)));
    const withExtra = resign(M_A, TEST_KEY).replace(/}$/, ',"new_field":"x","nested":{"a":[1]}}');
    expect(p.verifyWebhook(raw(withExtra))).toBe(true);
    expect(p.parseWebhook(raw(withExtra)).eventId).toBe(a.eventId);
  });

  it('gives two partial refunds of one payment different event ids', () => {
    const base = JSON.parse(M_B) as Record<string, unknown>;
    const r1 = {
      refund_chargeback_id: 1,
      refund_amount: '1000.00',
      created_at: '2021-06-24 10:00:00',
      refund_key: 'r1',
    };
    const r2 = {
      refund_chargeback_id: 2,
      refund_amount: '2000.00',
      created_at: '2021-06-24 11:00:00',
      refund_key: 'r2',
    };
    const first = { ...base, transaction_status: 'partial_refund', refunds: [r1] };
    const second = { ...base, transaction_status: 'partial_refund', refunds: [r1, r2] };
    const e1 = p.parseWebhook(raw(first));
    const e2 = p.parseWebhook(raw(second));
    expect(e1).toMatchObject({ status: 'partially_refunded', amount: 789000, refundedAmount: 1000 });
    expect(e2.refundedAmount).toBe(3000);
    expect(e1.eventId).not.toBe(e2.eventId);
    expect(p.parseWebhook(raw(first)).eventId).toBe(e1.eventId);
    expect(e2.occurredAt).toBe(Date.UTC(2021, 5, 24, 4, 0, 0));
  });
});

describe('verifyWebhook hostile inputs', () => {
  const p = provider();
  const good = JSON.parse(resign(M_A, TEST_KEY)) as Record<string, unknown>;
  const sig = good.signature_key as string;
  const cases: [string, string | Buffer][] = [
    ['wrong signature', JSON.stringify({ ...good, signature_key: sha512('nope') })],
    ['gross_amount without ".00"', JSON.stringify({ ...good, gross_amount: '5539' })],
    ['changed gross_amount', JSON.stringify({ ...good, gross_amount: '5540.00' })],
    ['changed status_code', JSON.stringify({ ...good, status_code: '201' })],
    ['changed order_id', JSON.stringify({ ...good, order_id: 'qris-02' })],
    ['gross_amount as a number', JSON.stringify({ ...good, gross_amount: 5539 })],
    ['missing signature_key', JSON.stringify({ ...good, signature_key: undefined })],
    ['missing order_id', JSON.stringify({ ...good, order_id: undefined })],
    ['missing status_code', JSON.stringify({ ...good, status_code: undefined })],
    ['empty signature', JSON.stringify({ ...good, signature_key: '' })],
    ['truncated signature', JSON.stringify({ ...good, signature_key: sig.slice(0, 127) })],
    ['signature with a non-hex char', JSON.stringify({ ...good, signature_key: `${sig.slice(0, 127)}g` })],
    ['signature too long', JSON.stringify({ ...good, signature_key: `${sig}00` })],
    ['signature as an array', JSON.stringify({ ...good, signature_key: [sig] })],
    ['sha512 of the key alone', JSON.stringify({ ...good, signature_key: sha512(TEST_KEY) })],
    ['not JSON', 'order_id=qris-01&status_code=200'],
    ['empty body', ''],
    ['JSON null', 'null'],
    ['JSON array', JSON.stringify([good])],
    ['JSON string', JSON.stringify(JSON.stringify(good))],
    ['truncated JSON', JSON.stringify(good).slice(0, -1)],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
  ];
  it.each(cases)('rejects %s', (_name, body) => {
    expect(p.verifyWebhook({ rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body), headers: {} })).toBe(false);
  });

  it('accepts the genuine body, and the same digest in upper-case hex', () => {
    expect(p.verifyWebhook(raw(good))).toBe(true);
    expect(p.verifyWebhook(raw({ ...good, signature_key: sig.toUpperCase() }))).toBe(true);
  });
});

describe('parseWebhook shape errors', () => {
  const p = provider();
  it.each([
    ['not JSON', '{'],
    ['no order_id', JSON.stringify({ ...JSON.parse(M_A), order_id: undefined })],
    ['numeric gross_amount', JSON.stringify({ ...JSON.parse(M_A), gross_amount: 5539 })],
    ['fractional rupiah', JSON.stringify({ ...JSON.parse(M_A), gross_amount: '5539.50' })],
    ['garbage amount', JSON.stringify({ ...JSON.parse(M_A), gross_amount: '5,539.00' })],
    ['array body', '[]'],
  ])('throws WebhookPayloadError on %s', (_name, body) => {
    expect(() => p.parseWebhook(raw(body))).toThrow(WebhookPayloadError);
  });

  it('maps statuses with no lattice meaning to null', () => {
    const body = { ...JSON.parse(M_A), transaction_status: 'authorize' };
    expect(p.parseWebhook(raw(body)).status).toBeNull();
  });
});

describe('Midtrans units', () => {
  it('converts decimal amount strings to whole rupiah', () => {
    expect(fromMidtransAmount('789000.00')).toBe(789000);
    expect(fromMidtransAmount('5539')).toBe(5539);
    expect(fromMidtransAmount('10.0')).toBe(10);
    for (const bad of ['1.5', '1.01', '-1', '', '1e3', ' 1', '1.000', '99999999999999999']) {
      expect(() => fromMidtransAmount(bad)).toThrow();
    }
  });

  it('reads and writes GMT+7 wall-clock times', () => {
    expect(fromWib('2021-06-23 15:25:24')).toBe(Date.UTC(2021, 5, 23, 8, 25, 24));
    expect(fromWib('2021-06-23 15:25:24 +0700')).toBe(Date.UTC(2021, 5, 23, 8, 25, 24));
    expect(fromWib('2021-06-23 15:25:24 +0000')).toBe(Date.UTC(2021, 5, 23, 15, 25, 24));
    expect(toWib(Date.UTC(2021, 11, 31, 20, 0, 0))).toBe('2022-01-01 03:00:00');
    for (const bad of [
      '2021-02-30 10:00:00',
      '2021-06-23T15:25:24',
      '2021-06-23 24:00:00',
      '2021-06-23 10:61:00',
      '',
    ]) {
      expect(fromWib(bad)).toBeNull();
    }
  });
});
