import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeQris, toDynamic } from '../../shared/qris/index.ts';
import {
  CONNECTION_FAILED_STATUS,
  createXenditSandbox,
  XENDIT_RETRY_SCHEDULE_MS,
  type XenditSandbox,
  type XenditSandboxOptions,
} from '../../sync-server/sandbox/xendit/index.ts';

const SECRET = 'xnd_development_sandbox_test_key';
const TOKEN = 'callback-token-xyz';
const AUTH = `Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`;

type Received = { at: number; headers: IncomingHttpHeaders; body: string };

/** A callback receiver that answers each request with the next scripted status ('hang' never answers). */
async function receiver(script: (number | 'hang')[], then: number | 'hang' = 200) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ at: performance.now(), headers: req.headers, body });
      const answer = script[got.length - 1] ?? then;
      if (answer !== 'hang') res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { got, url, close };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sandbox(opts: Partial<XenditSandboxOptions> = {}): Promise<{ sb: XenditSandbox; base: string }> {
  const sb = await createXenditSandbox({ secretKey: SECRET, callbackToken: TOKEN, callbackUrl: null, ...opts });
  const base = await sb.app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => sb.close());
  return { sb, base };
}

async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: AUTH,
      'api-version': '2022-07-31',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function createQr(base: string, amount: number, extra: Record<string, unknown> = {}) {
  const r = await api(base, 'POST', '/qr_codes', {
    reference_id: crypto.randomUUID(),
    type: 'DYNAMIC',
    currency: 'IDR',
    amount,
    ...extra,
  });
  expect(r.status).toBe(201);
  return r.json as { id: string; qr_string: string; reference_id: string; status: string };
}

describe('Xendit sandbox callbacks', () => {
  it('retries a failing callback on the scaled schedule, in order, until it is accepted', async () => {
    const rx = await receiver([500, 500, 503], 200);
    cleanups.push(rx.close);
    const scale = 0.0001;
    const { sb, base } = await sandbox({ callbackUrl: rx.url, timeScale: scale });
    const qr = await createQr(base, 15_000);

    const paid = await sb.payQr(qr.qr_string);
    expect(paid.ok).toBe(true);
    await sb.dispatcher.idle();

    expect(sb.dispatcher.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [0, 500],
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(rx.got).toHaveLength(4);
    // Every retry is the same event: same body, same webhook-id, the callback token on each.
    expect(new Set(rx.got.map((g) => g.body)).size).toBe(1);
    expect(new Set(rx.got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    expect(rx.got.every((g) => g.headers['x-callback-token'] === TOKEN)).toBe(true);
    // Each gap is at least the scheduled one (timers never fire early; 2 ms for clock granularity).
    for (let i = 1; i < rx.got.length; i++) {
      const gap = (rx.got[i]?.at ?? 0) - (rx.got[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual((XENDIT_RETRY_SCHEDULE_MS[i - 1] ?? 0) * scale - 2);
    }
    const body = JSON.parse(rx.got[0]?.body ?? '');
    expect(body).toMatchObject({
      event: 'qr.payment',
      api_version: '2022-07-31',
      data: {
        id: paid.ok ? paid.paymentId : '',
        qr_id: qr.id,
        reference_id: qr.reference_id,
        status: 'SUCCEEDED',
        amount: 15_000,
      },
    });
  });

  it('gives up after 6 retries', async () => {
    const rx = await receiver([], 500);
    cleanups.push(rx.close);
    const { sb, base } = await sandbox({ callbackUrl: rx.url, timeScale: 0.00002 });
    await sb.payQr((await createQr(base, 9_000)).qr_string);
    await sb.dispatcher.idle();
    expect(rx.got).toHaveLength(1 + XENDIT_RETRY_SCHEDULE_MS.length);
    expect(sb.dispatcher.attempts.map((a) => a.attempt)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('does not retry a callback that timed out', async () => {
    const rx = await receiver(['hang'], 200);
    cleanups.push(rx.close);
    const { sb, base } = await sandbox({ callbackUrl: rx.url, timeScale: 0.0001 });
    await sb.payQr((await createQr(base, 9_000)).qr_string);
    await sb.dispatcher.idle();
    expect(sb.dispatcher.attempts).toHaveLength(1);
    expect(sb.dispatcher.attempts[0]?.status).toBeNull();
    expect(rx.got).toHaveLength(1);
  });

  it('retries when the receiver cannot be reached at all', async () => {
    const rx = await receiver([]);
    await rx.close(); // nothing listens on this port any more
    const { sb, base } = await sandbox({ callbackUrl: rx.url, timeScale: 0.00002 });
    await sb.payQr((await createQr(base, 9_000)).qr_string);
    await sb.dispatcher.idle();
    expect(sb.dispatcher.attempts).toHaveLength(7);
    expect(sb.dispatcher.attempts.every((a) => a.status === CONNECTION_FAILED_STATUS)).toBe(true);
  });

  it('delivers chaos duplicates as the same event', async () => {
    const rx = await receiver([], 200);
    cleanups.push(rx.close);
    const { sb, base } = await sandbox({
      callbackUrl: rx.url,
      timeScale: 0.0001,
      chaos: { duplicates: 2, maxDelayMs: 20 },
    });
    await sb.payQr((await createQr(base, 12_345)).qr_string);
    await sb.dispatcher.idle();
    expect(rx.got).toHaveLength(3);
    expect(new Set(rx.got.map((g) => g.body)).size).toBe(1);
    expect(new Set(rx.got.map((g) => g.headers['webhook-id'])).size).toBe(1);
  });

  it('sends nothing while no callback URL is set, and uses a URL set later', async () => {
    const rx = await receiver([], 200);
    cleanups.push(rx.close);
    const { sb, base } = await sandbox({ timeScale: 0.0001 });
    await sb.payQr((await createQr(base, 1_000)).qr_string);
    await sb.dispatcher.idle();
    expect(sb.dispatcher.attempts).toHaveLength(0);
    sb.setCallbackUrl(rx.url);
    await sb.payQr((await createQr(base, 2_000)).qr_string);
    await sb.dispatcher.idle();
    expect(rx.got).toHaveLength(1);
  });
});

describe('Xendit sandbox QR codes', () => {
  it('makes each dynamic QR a unique, valid QRIS carrying its amount', async () => {
    const { base } = await sandbox();
    const a = await createQr(base, 50_000);
    const b = await createQr(base, 50_000);
    expect(a.qr_string).not.toBe(b.qr_string);
    for (const qr of [a, b]) {
      const info = describeQris(qr.qr_string);
      expect(info.valid).toBe(true);
      expect(info.amount).toBe(50_000);
      expect(info.pointOfInitiation).toBe('dynamic');
      // The QR's id is its reference label, which is what makes each string unique.
      expect(qr.id.replaceAll('-', '').startsWith(info.additional.referenceLabel ?? '-')).toBe(true);
    }
  });

  it('lets a dynamic QR be paid once only', async () => {
    const { sb, base } = await sandbox();
    const qr = await createQr(base, 20_000);
    expect(sb.ownsQr(qr.qr_string)).toBe(true);
    expect((await sb.payQr(qr.qr_string)).ok).toBe(true);
    expect(await sb.payQr(qr.qr_string)).toMatchObject({ ok: false, code: 'QR_CODE_ALREADY_PAID' });
    const got = await api(base, 'GET', `/qr_codes/${qr.id}`);
    expect(got.json.status).toBe('INACTIVE');
    const payments = await api(base, 'GET', `/qr_codes/${qr.id}/payments`);
    expect((payments.json.data as unknown[]).length).toBe(1);
  });

  it('honours expires_at: an expired QR is INACTIVE and cannot be paid', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const { sb, base } = await sandbox({ now: () => clock });
    const qr = await createQr(base, 20_000, { expires_at: new Date(clock + 60_000).toISOString() });
    expect(qr.status).toBe('ACTIVE');
    clock += 60_000;
    expect((await api(base, 'GET', `/qr_codes/${qr.id}`)).json.status).toBe('INACTIVE');
    expect(await sb.payQr(qr.qr_string)).toMatchObject({ ok: false, code: 'QR_CODE_EXPIRED' });
    expect((await api(base, 'GET', `/qr_codes/${qr.id}/payments`)).json.data).toEqual([]);
  });

  it('refuses an expires_at in the past', async () => {
    const { base } = await sandbox();
    const r = await api(base, 'POST', '/qr_codes', {
      reference_id: 'r',
      type: 'DYNAMIC',
      currency: 'IDR',
      amount: 1000,
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    expect(r).toMatchObject({ status: 400, json: { error_code: 'API_VALIDATION_ERROR' } });
  });

  it('pays over HTTP the way a wallet would, and refuses unknown strings', async () => {
    const { base } = await sandbox();
    const qr = await createQr(base, 3_000);
    const pay = (body: unknown) =>
      fetch(`${base}/_sandbox/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await pay({ qr_string: qr.qr_string, source: 'SHOPEEPAY' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { payment_id: string }).payment_id).toMatch(/^qrpy_/);
    const again = await pay({ qr_string: qr.qr_string });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error_code: 'QR_CODE_ALREADY_PAID' });
    const unknown = await pay({ qr_string: '000201010212' });
    expect(unknown.status).toBe(404);
    expect((await pay({})).status).toBe(400);
  });

  it('simulates a payment by QR id and fires the callback', async () => {
    const rx = await receiver([], 200);
    cleanups.push(rx.close);
    const { sb, base } = await sandbox({ callbackUrl: rx.url, timeScale: 0.0001 });
    const qr = await createQr(base, 8_000);
    const sim = await api(base, 'POST', `/qr_codes/${qr.id}/payments/simulate`, { amount: 8_000 });
    expect(sim.status).toBe(200);
    expect(sim.json).toMatchObject({ status: 'SUCCEEDED', amount: 8_000, qr_id: qr.id });
    await sb.dispatcher.idle();
    expect(rx.got).toHaveLength(1);
    expect((await api(base, 'POST', `/qr_codes/qr_nope/payments/simulate`, { amount: 1 })).json).toEqual({
      error_code: 'DATA_NOT_FOUND',
      message: 'Data not found',
    });
  });

  it('pays an offline QR the till derived from the printed static QR', async () => {
    const rx = await receiver([], 200);
    cleanups.push(rx.close);
    const { sb } = await sandbox({ callbackUrl: rx.url, timeScale: 0.0001 });
    const staticQr = (await sb.app.inject({ method: 'GET', url: '/_sandbox/merchant-qr' })).json() as {
      qr_string: string;
    };
    const offline = toDynamic(staticQr.qr_string, { amount: 27_500, reference: 'OFF1234', terminal: 'TILL01' });
    expect(sb.ownsQr(offline)).toBe(true);
    expect((await sb.payQr(offline)).ok).toBe(true);
    await sb.dispatcher.idle();
    const body = JSON.parse(rx.got[0]?.body ?? '{}');
    expect(body.data).toMatchObject({ type: 'STATIC', amount: 27_500, qr_string: offline });
  });
});

describe('Xendit sandbox API rules', () => {
  it('answers 401 INVALID_API_KEY without the right Basic auth', async () => {
    const { base } = await sandbox();
    for (const authorization of ['', `Basic ${Buffer.from('xnd_other:').toString('base64')}`, SECRET]) {
      const r = await api(base, 'GET', '/qr_codes/qr_x', undefined, { authorization });
      expect(r).toMatchObject({ status: 401, json: { error_code: 'INVALID_API_KEY' } });
    }
  });

  it('refuses callback_url in a 2022-07-31 body with Xendit’s message', async () => {
    const { base } = await sandbox();
    const r = await api(base, 'POST', '/qr_codes', {
      reference_id: 'r1',
      type: 'DYNAMIC',
      currency: 'IDR',
      amount: 1000,
      callback_url: 'https://example.test/cb',
    });
    expect(r.status).toBe(400);
    expect(r.json.error_code).toBe('API_VALIDATION_ERROR');
    expect(String(r.json.message)).toContain('Please set the callback URL from your Xendit Dashboard instead.');
  });

  it.each([
    ['no reference_id', { type: 'DYNAMIC', currency: 'IDR', amount: 1000 }],
    ['no currency', { reference_id: 'r', type: 'DYNAMIC', amount: 1000 }],
    ['a bad type', { reference_id: 'r', type: 'ONCE', currency: 'IDR', amount: 1000 }],
    ['no amount', { reference_id: 'r', type: 'DYNAMIC', currency: 'IDR' }],
    ['a fractional amount', { reference_id: 'r', type: 'DYNAMIC', currency: 'IDR', amount: 10.5 }],
    ['an amount over the QRIS limit', { reference_id: 'r', type: 'DYNAMIC', currency: 'IDR', amount: 10_000_001 }],
    ['a string body', 'hello'],
  ])('answers 400 API_VALIDATION_ERROR for %s', async (_label, body) => {
    const { base } = await sandbox();
    const r = await api(base, 'POST', '/qr_codes', body);
    expect(r).toMatchObject({ status: 400, json: { error_code: 'API_VALIDATION_ERROR' } });
  });

  it('answers malformed JSON with a Xendit error body', async () => {
    const { base } = await sandbox();
    const res = await fetch(`${base}/qr_codes`, {
      method: 'POST',
      headers: { authorization: AUTH, 'api-version': '2022-07-31', 'content-type': 'application/json' },
      body: '{"reference_id":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'API_VALIDATION_ERROR' });
  });

  it('needs the 2022-07-31 api-version to create', async () => {
    const { base } = await sandbox();
    const r = await api(
      base,
      'POST',
      '/qr_codes',
      { reference_id: 'r', type: 'DYNAMIC', currency: 'IDR', amount: 1 },
      {
        'api-version': '2020-07-01',
      },
    );
    expect(r.status).toBe(400);
  });

  it.each([
    [10100, 403, 'CHANNEL_NOT_ACTIVATED'],
    [10101, 503, 'CHANNEL_UNAVAILABLE'],
    [10102, 500, 'SERVER_ERROR'],
  ])('answers the test amount %i with %i %s', async (amount, status, code) => {
    const { base } = await sandbox();
    const r = await api(base, 'POST', '/qr_codes', { reference_id: 'r', type: 'DYNAMIC', currency: 'IDR', amount });
    expect(r).toMatchObject({ status, json: { error_code: code } });
  });

  it('refunds: full by default, settles later, and answers 10300 with the maximum-refund error', async () => {
    const { sb, base } = await sandbox({ timeScale: 0.0001 });
    const qr = await createQr(base, 25_000);
    const paid = await sb.payQr(qr.qr_string);
    if (!paid.ok) throw new Error(paid.message);
    const path = `/qr_codes/payments/${paid.paymentId}/refunds`;
    const test = await api(base, 'POST', path, { amount: 10_300 });
    expect(test).toMatchObject({ status: 400, json: { error_code: 'MAXIMUM_REFUND_AMOUNT_REACHED' } });

    const full = await api(base, 'POST', path, undefined, { 'content-type': 'application/json' });
    expect(full.status).toBe(201);
    expect(full.json).toMatchObject({ status: 'PENDING', refund_amount: 25_000, qrpy_id: paid.paymentId });
    await expect
      .poll(async () => (await api(base, 'GET', `${path}/${String(full.json.id)}`)).json.status, { interval: 5 })
      .toBe('SUCCEEDED');
    const payments = await api(base, 'GET', `/qr_codes/${qr.id}/payments`);
    expect((payments.json.data as { status: string }[])[0]?.status).toBe('VOIDED');
    expect((await api(base, 'POST', path, { amount: 1 })).status).toBe(400);
  });
});
