import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeQris } from '../../shared/qris/index.ts';
import {
  createMidtransSandbox,
  MIDTRANS_SANDBOX_DENY_REFUND_REASON,
  type MidtransSandbox,
} from '../../sync-server/sandbox/midtrans/index.ts';
import { MIDTRANS_RETRY_POLICY } from '../../sync-server/sandbox/midtrans/notifications.ts';
import { createMidtransProvider } from '../../sync-server/src/providers/midtrans/index.ts';

// jsqr is CommonJS: under NodeNext its default import is module.exports, which is the function itself.
const jsQR = jsqrModule as unknown as typeof jsqrModule.default;

const KEY = 'SB-Mid-server-sandbox-test';
const auth = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');

type Hit = { path: string; headers: Record<string, unknown>; body: Record<string, unknown>; raw: string };

/** A merchant endpoint: every path answers with the status in its name (/s503 → 503), recording each hit. */
async function startReceiver(): Promise<{ url: string; hits: Hit[]; app: FastifyInstance }> {
  const hits: Hit[] = [];
  const app = Fastify({ forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/*', async (req, reply) => {
    const raw = String(req.body ?? '');
    const path = req.url;
    hits.push({ path, headers: req.headers, body: JSON.parse(raw) as Record<string, unknown>, raw });
    if (path.startsWith('/hang')) {
      await new Promise((r) => setTimeout(r, 2000));
      return reply.status(200).send();
    }
    if (path.startsWith('/r307')) return reply.status(307).header('location', '/s200-after-307').send();
    if (path.startsWith('/r301')) return reply.status(301).header('location', '/s200-after-301').send();
    const m = /^\/s(\d{3})/.exec(path);
    return reply.status(m ? Number(m[1]) : 200).send('ok');
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, hits, app };
}

async function sandbox(opts: Partial<Parameters<typeof createMidtransSandbox>[0]> = {}) {
  const sb = await createMidtransSandbox({ serverKey: KEY, notificationUrl: null, timeScale: 0.0001, ...opts });
  const url = await sb.app.listen({ host: '127.0.0.1', port: 0 });
  return { sb, url };
}

async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ http: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: auth, accept: 'application/json', 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { http: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A QRIS charge. It lives a day unless told otherwise: at timeScale 0.0001 the default 15 minutes pass in
 * 90 ms, and an expiry notification would join the deliveries a test is counting.
 */
const charge = (orderId: string, amount: number, extra: Record<string, unknown> = {}) => ({
  payment_type: 'qris',
  transaction_details: { order_id: orderId, gross_amount: amount },
  qris: { acquirer: 'gopay' },
  custom_expiry: { expiry_duration: 1, unit: 'day' },
  ...extra,
});

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

describe('Midtrans sandbox wire format', () => {
  let sb: MidtransSandbox;
  let url: string;
  beforeAll(async () => {
    ({ sb, url } = await sandbox({ timeScale: 1 }));
  });
  afterAll(() => sb.close());

  it('creates a QRIS transaction the way Midtrans answers it', async () => {
    const orderId = randomUUID();
    const r = await api(url, 'POST', '/v2/charge', charge(orderId, 789000));
    expect(r.http).toBe(200);
    expect(r.body).toMatchObject({
      status_code: '201',
      status_message: 'QRIS transaction is created',
      order_id: orderId,
      gross_amount: '789000.00',
      currency: 'IDR',
      payment_type: 'qris',
      transaction_status: 'pending',
      fraud_status: 'accept',
      acquirer: 'gopay',
    });
    expect(r.body.transaction_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(r.body.expiry_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const qr = describeQris(r.body.qr_string as string);
    expect(qr).toMatchObject({
      valid: true,
      pointOfInitiation: 'dynamic',
      amount: 789000,
      merchantName: 'KASIR QRIS DEMO',
    });
    expect(qr.acquirers[0]?.gui).toBe('COM.GO-JEK.WWW');
    expect(qr.crc.valid).toBe(true);
    // The reference label is derived from the transaction id, so a wallet's echo of it identifies the payment.
    expect(qr.additional.referenceLabel).toBe((r.body.transaction_id as string).replaceAll('-', '').slice(0, 25));
    expect(r.body.merchant_id).toBe('G000012345');
  });

  it('serves the generate-qr-code action as a PNG holding the same qr_string', async () => {
    const r = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 25000));
    const actions = r.body.actions as { name: string; method: string; url: string }[];
    expect(actions[0]).toMatchObject({ name: 'generate-qr-code', method: 'GET' });
    const png = await fetch(actions[0]!.url); // no auth: meant for a customer-facing screen
    expect(png.headers.get('content-type')).toBe('image/png');
    const img = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
    const decoded = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
    expect(decoded?.data).toBe(r.body.qr_string);
  });

  it('derives QRs from a configured merchant static QR, and refuses a dynamic one as the base', async () => {
    const mine =
      '00020101021126610014COM.GO-JEK.WWW01189360091435456007810210G5456007810303UMI51440014ID.CO.QRIS.WWW0215ID10190000023280303UMI5204581253033605802ID5916Kantin Ibu Lilik6013Jakarta Pusat61051031062070703A0163044C6B';
    const { sb: other, url: otherUrl } = await sandbox({ merchantStaticQr: mine });
    open.push(other);
    const r = await api(otherUrl, 'POST', '/v2/charge', charge(randomUUID(), 25000));
    const d = describeQris(r.body.qr_string as string);
    expect(d).toMatchObject({ valid: true, merchantName: 'Kantin Ibu Lilik', amount: 25000, nmid: 'ID1019000002328' });
    expect(r.body.merchant_id).toBe('G545600781');
    await expect(sandbox({ merchantStaticQr: r.body.qr_string as string })).rejects.toThrow(/static/);
    await expect(sandbox({ merchantStaticQr: `${mine.slice(0, -4)}0000` })).rejects.toThrow(/static/);
  });

  it('gives every transaction its own QR even for the same amount', async () => {
    const a = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 10000));
    const b = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 10000));
    expect(a.body.qr_string).not.toBe(b.body.qr_string);
  });

  it('refuses a wrong server key with Midtrans 401 body', async () => {
    const res = await fetch(`${url}/v2/charge`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('SB-Mid-server-wrong:').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(charge(randomUUID(), 1000)),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status_code: '401', status_message: 'Unknown Merchant server_key/id' });
    const none = await fetch(`${url}/v2/${randomUUID()}/status`);
    expect(none.status).toBe(401);
  });

  it('reports every validation problem in validation_messages', async () => {
    const r = await api(url, 'POST', '/v2/charge', {
      payment_type: 'qris',
      transaction_details: { order_id: 'bad id!', gross_amount: 10.5 },
      qris: { acquirer: 'ovo' },
      custom_expiry: { order_time: '2020-01-01', expiry_duration: 0, unit: 'week' },
    });
    expect(r.http).toBe(400);
    expect(r.body.status_code).toBe('400');
    const msgs = r.body.validation_messages as string[];
    expect(msgs.some((m) => m.includes('order_id'))).toBe(true);
    expect(msgs.some((m) => m.includes('gross_amount'))).toBe(true);
    expect(msgs.some((m) => m.includes('acquirer'))).toBe(true);
    expect(msgs.some((m) => m.includes('order_time'))).toBe(true);
    expect(msgs.some((m) => m.includes('unit'))).toBe(true);
  });

  it.each([
    ['not JSON', '{"payment_type":'],
    ['an array', '[]'],
    ['a number', '42'],
    ['amount above the QRIS limit', JSON.stringify(charge('o-big', 10_000_001))],
    ['no payment_type', JSON.stringify({ transaction_details: { order_id: 'x', gross_amount: 1 } })],
  ])('answers 400 for %s', async (_n, body) => {
    const res = await fetch(`${url}/v2/charge`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status_code: '400' });
  });

  it('refuses an order_id that is pending or paid, and allows it again after expiry', async () => {
    const orderId = randomUUID();
    const first = await api(url, 'POST', '/v2/charge', charge(orderId, 5000));
    expect((await api(url, 'POST', '/v2/charge', charge(orderId, 5000))).body.status_code).toBe('406');
    await sb.payQr(first.body.qr_string as string);
    expect((await api(url, 'POST', '/v2/charge', charge(orderId, 5000))).body.status_code).toBe('406');

    const other = randomUUID();
    await api(url, 'POST', '/v2/charge', charge(other, 5000));
    const expired = await api(url, 'POST', `/v2/${other}/expire`);
    expect(expired.body).toMatchObject({ status_code: '407', transaction_status: 'expire' });
    expect((await api(url, 'POST', '/v2/charge', charge(other, 5000))).body.status_code).toBe('201');
  });

  it('reads status by order_id or transaction_id, signed like a notification', async () => {
    const orderId = randomUUID();
    const c = await api(url, 'POST', '/v2/charge', charge(orderId, 12345));
    const byOrder = await api(url, 'GET', `/v2/${orderId}/status`);
    const byTx = await api(url, 'GET', `/v2/${c.body.transaction_id as string}/status`);
    expect(byOrder.body).toEqual(byTx.body);
    expect(byOrder.body).toMatchObject({ status_code: '201', transaction_status: 'pending', gross_amount: '12345.00' });
    expect(byOrder.body.signature_key).toBe(sha512(`${orderId}20112345.00${KEY}`));

    const unknown = await api(url, 'GET', `/v2/${randomUUID()}/status`);
    expect(unknown.body.status_code).toBe('404');
  });

  it('cancels only a pending transaction (412 otherwise)', async () => {
    const a = randomUUID();
    await api(url, 'POST', '/v2/charge', charge(a, 1000));
    const ok = await api(url, 'POST', `/v2/${a}/cancel`);
    expect(ok.body).toMatchObject({
      status_code: '200',
      status_message: 'Success, transaction is canceled',
      transaction_status: 'cancel',
    });
    const again = await api(url, 'POST', `/v2/${a}/cancel`);
    expect(again).toMatchObject({
      http: 412,
      body: { status_code: '412', status_message: 'Merchant cannot modify the status of the transaction' },
    });
    expect((await api(url, 'POST', `/v2/${a}/expire`)).body.status_code).toBe('412');
    expect((await api(url, 'POST', `/v2/${randomUUID()}/cancel`)).body.status_code).toBe('404');
  });

  it('refunds partially then fully, idempotent on refund_key, denial changes nothing', async () => {
    const orderId = randomUUID();
    const c = await api(url, 'POST', '/v2/charge', charge(orderId, 10000));
    expect((await api(url, 'POST', `/v2/${orderId}/refund`, { amount: 1000 })).body.status_code).toBe('412'); // not paid yet
    await sb.payQr(c.body.qr_string as string);

    const denied = await api(url, 'POST', `/v2/${orderId}/refund/online/direct`, {
      refund_key: 'k0',
      amount: 1000,
      reason: MIDTRANS_SANDBOX_DENY_REFUND_REASON,
    });
    expect(denied.body).toMatchObject({
      status_code: '202',
      status_message: 'Refund denied by the bank',
      refund_amount: '0.00',
    });
    expect((await api(url, 'GET', `/v2/${orderId}/status`)).body.transaction_status).toBe('settlement');

    const p1 = await api(url, 'POST', `/v2/${orderId}/refund/online/direct`, { refund_key: 'k1', amount: 4000 });
    expect(p1.body).toMatchObject({
      status_code: '200',
      transaction_status: 'partial_refund',
      refund_amount: '4000.00',
      refund_key: 'k1',
    });
    const replay = await api(url, 'POST', `/v2/${orderId}/refund/online/direct`, { refund_key: 'k1', amount: 4000 });
    expect(replay.body).toEqual(p1.body);
    expect((await api(url, 'POST', `/v2/${orderId}/refund`, { refund_key: 'k2', amount: 6001 })).body.status_code).toBe(
      '412',
    );
    const rest = await api(url, 'POST', `/v2/${orderId}/refund`, { refund_key: 'k2' });
    expect(rest.body).toMatchObject({ status_code: '200', transaction_status: 'refund', refund_amount: '6000.00' });
    const st = await api(url, 'GET', `/v2/${orderId}/status`);
    expect(st.body).toMatchObject({ transaction_status: 'refund', refund_amount: '10000.00' });
    expect((st.body.refunds as unknown[]).length).toBe(2);
  });

  it('pays over HTTP through /_sandbox/pay, once', async () => {
    const c = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 7000));
    const pay = (qr_string: string) =>
      fetch(`${url}/_sandbox/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ qr_string, issuer: 'dana' }),
      });
    const first = await pay(c.body.qr_string as string);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ transaction_id: c.body.transaction_id });
    expect((await pay(c.body.qr_string as string)).status).toBe(409);
    const st = await api(url, 'GET', `/v2/${c.body.order_id as string}/status`);
    expect(st.body).toMatchObject({
      transaction_status: 'settlement',
      issuer: 'dana',
      transaction_type: 'off-us',
      status_code: '200',
    });
    const tampered = (c.body.qr_string as string).replace('5802ID', '5802XX');
    expect((await pay(tampered)).status).toBe(400); // CRC no longer matches
    expect((await sb.payQr(tampered)).ok).toBe(false);
  });
});

describe('Midtrans notification retries', () => {
  const expected: [string, number][] = [
    ['/s200', 1],
    ['/s500', 2],
    ['/s503', 5],
    ['/s400', 3],
    ['/s404', 3],
    ['/s302', 1],
    ['/s418', 6],
    ['/s401', 6],
    ['/hang', 6],
  ];

  it('matches the documented policy table', () => {
    expect(MIDTRANS_RETRY_POLICY.scheduleMs).toEqual([2, 10, 30, 90, 210].map((m) => m * 60_000));
    expect(MIDTRANS_RETRY_POLICY.timeoutMs).toBe(15_000);
  });

  it('retries each answer as often as Midtrans does, at scaled times', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox({ timeScale: 0.0001 });
    open.push(sb);
    // A scaled 15 s timeout is the dispatcher's 50 ms floor: warm both ends up so the first delivery is not a
    // cold-start "timeout" that earns retries of its own.
    for (let i = 0; i < 3; i++) await fetch(`${rx.url}/warmup`, { method: 'POST', body: '{}' });
    rx.hits.length = 0;
    for (const [path] of expected) {
      const r = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 1000), {
        'x-override-notification': `${rx.url}${path}`,
      });
      expect(r.body.status_code).toBe('201');
    }
    await sb.dispatcher.idle();
    for (const [path, attempts] of expected) {
      expect({ path, attempts: rx.hits.filter((h) => h.path === path).length }).toEqual({ path, attempts });
    }
    // Each retry repeats the same signed body.
    const s503 = rx.hits.filter((h) => h.path === '/s503');
    expect(new Set(s503.map((h) => h.raw)).size).toBe(1);
    // Retries never come sooner than the (scaled) schedule says; a timer may only fire late, never early.
    const times = sb.dispatcher.attempts.filter((a) => a.url.endsWith('/s418')).map((a) => a.at);
    expect(times.length).toBe(6);
    MIDTRANS_RETRY_POLICY.scheduleMs.forEach((gap, i) => {
      expect(times[i + 1]! - times[i]!).toBeGreaterThanOrEqual(Math.floor(gap * 0.0001) - 2);
    });
  });

  it('follows 307 with the same POST, but not 301', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox();
    open.push(sb);
    await api(url, 'POST', '/v2/charge', charge(randomUUID(), 1000), { 'x-override-notification': `${rx.url}/r307` });
    await api(url, 'POST', '/v2/charge', charge(randomUUID(), 1000), { 'x-override-notification': `${rx.url}/r301` });
    await sb.dispatcher.idle();
    const after307 = rx.hits.filter((h) => h.path === '/s200-after-307');
    expect(after307.length).toBe(1);
    expect(after307[0]?.raw).toBe(rx.hits.find((h) => h.path === '/r307')?.raw);
    expect(rx.hits.filter((h) => h.path === '/r301').length).toBe(1);
    expect(rx.hits.some((h) => h.path === '/s200-after-301')).toBe(false);
  });
});

describe('Midtrans notifications', () => {
  const provider = (baseUrl: string) =>
    createMidtransProvider({
      baseUrl,
      serverKey: KEY,
      acquirer: 'gopay',
      notificationUrl: null,
      mode: 'sandbox',
      timeoutMs: 2000,
    });

  it('sends pending and settlement, signed, as Veritrans, with string fields', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox({ notificationUrl: `${rx.url}/dash` });
    open.push(sb);
    const c = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 5539));
    await sb.payQr(c.body.qr_string as string, { issuer: 'gopay' });
    await sb.dispatcher.idle();
    const p = provider(url);
    expect(rx.hits.map((h) => h.body.transaction_status)).toEqual(['pending', 'settlement']);
    for (const h of rx.hits) {
      expect(h.headers['user-agent']).toBe('Veritrans');
      expect(h.headers['content-type']).toBe('application/json');
      expect(p.verifyWebhook({ rawBody: Buffer.from(h.raw), headers: {} })).toBe(true);
      for (const v of Object.values(h.body)) expect(typeof v).toBe('string');
    }
    const settled = rx.hits[1]!.body;
    expect(settled).toMatchObject({
      status_code: '200',
      gross_amount: '5539.00',
      transaction_type: 'on-us',
      issuer: 'gopay',
      status_message: 'midtrans payment notification',
    });
    expect(rx.hits[0]!.body.status_code).toBe('201');
  });

  it('duplicates deliveries under chaos, and each copy dedupes to one event id', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox({ notificationUrl: `${rx.url}/dash`, chaos: { duplicates: 2, maxDelayMs: 20 } });
    open.push(sb);
    const c = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 2000));
    await sb.payQr(c.body.qr_string as string);
    await sb.dispatcher.idle();
    expect(rx.hits.length).toBe(6);
    const p = provider(url);
    const ids = rx.hits.map((h) => p.parseWebhook({ rawBody: Buffer.from(h.raw), headers: {} }).eventId);
    expect(new Set(ids).size).toBe(2);
  });

  it('honours X-Override-Notification and X-Append-Notification per transaction', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox({ notificationUrl: `${rx.url}/dash` });
    open.push(sb);
    const a = randomUUID();
    const b = randomUUID();
    const c = randomUUID();
    await api(url, 'POST', '/v2/charge', charge(a, 1000), { 'x-override-notification': `${rx.url}/o1, ${rx.url}/o2` });
    await api(url, 'POST', '/v2/charge', charge(b, 1000), { 'x-append-notification': `${rx.url}/ap` });
    await api(url, 'POST', '/v2/charge', charge(c, 1000));
    await sb.dispatcher.idle();
    const pathsFor = (o: string) =>
      rx.hits
        .filter((h) => h.body.order_id === o)
        .map((h) => h.path)
        .sort();
    expect(pathsFor(a)).toEqual(['/o1', '/o2']);
    expect(pathsFor(b)).toEqual(['/ap', '/dash']);
    expect(pathsFor(c)).toEqual(['/dash']);

    sb.setNotificationUrl(`${rx.url}/dash2`);
    await api(url, 'POST', `/v2/${c}/cancel`);
    await api(url, 'POST', `/v2/${a}/cancel`);
    await sb.dispatcher.idle();
    expect(pathsFor(c)).toEqual(['/dash', '/dash2']);
    expect(pathsFor(a)).toEqual(['/o1', '/o1', '/o2', '/o2']);

    const bad = await api(url, 'POST', '/v2/charge', charge(randomUUID(), 1000), {
      'x-override-notification': 'a,b,c,d',
    });
    expect(bad.body.status_code).toBe('400');
  });

  it('expires an unpaid QR at its custom_expiry and notifies it', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox({ notificationUrl: `${rx.url}/dash`, timeScale: 0.001 });
    open.push(sb);
    const orderId = randomUUID();
    const c = await api(
      url,
      'POST',
      '/v2/charge',
      charge(orderId, 3000, { custom_expiry: { expiry_duration: 1, unit: 'minute' } }),
    );
    await expect.poll(() => rx.hits.some((h) => h.body.transaction_status === 'expire'), { timeout: 5000 }).toBe(true);
    const exp = rx.hits.find((h) => h.body.transaction_status === 'expire')!;
    expect(exp.body.status_code).toBe('202');
    expect(exp.body.signature_key).toBe(sha512(`${orderId}2023000.00${KEY}`));
    const st = await api(url, 'GET', `/v2/${orderId}/status`);
    expect(st.body).toMatchObject({ status_code: '407', transaction_status: 'expire' });
    expect(await sb.payQr(c.body.qr_string as string)).toMatchObject({ ok: false, code: 'QR_EXPIRED' });
  });

  it('expireNow expires a pending transaction at once and leaves a paid one alone', async () => {
    const rx = await startReceiver();
    open.push(rx.app);
    const { sb, url } = await sandbox({ notificationUrl: `${rx.url}/dash`, timeScale: 1 });
    open.push(sb);
    const a = randomUUID();
    const b = randomUUID();
    await api(url, 'POST', '/v2/charge', charge(a, 1000));
    const cb = await api(url, 'POST', '/v2/charge', charge(b, 1000));
    await sb.payQr(cb.body.qr_string as string);
    await sb.expireNow(a);
    await sb.expireNow(b);
    await sb.dispatcher.idle();
    expect((await api(url, 'GET', `/v2/${a}/status`)).body.transaction_status).toBe('expire');
    expect((await api(url, 'GET', `/v2/${b}/status`)).body.transaction_status).toBe('settlement');
    await expect(sb.expireNow('nope')).rejects.toThrow();
  });
});
