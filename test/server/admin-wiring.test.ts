/**
 * How app.ts puts the manager session in front of the routes other branches built for managers (refunds and
 * the catalog editor): reads need the session, changes need the session and its CSRF token, a till token is
 * no session; the session cookie is for the whole site, so the browser sends it to the refund routes under /v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../shared/schemas/admin-api.ts';
import { addManager } from '../../sync-server/src/services/managers.ts';
import { DB_KIND, startTestSystem, type TestSystem, type Till } from './helpers.ts';

const PASSWORD = 'rahasia-manajer-123';
let sys: TestSystem;
let till: Till;
let session: { cookie: string; csrf: string };

async function send(
  method: string,
  path: string,
  o: { cookie?: string; csrf?: string; bearer?: string; body?: unknown; type?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers[CSRF_HEADER] = o.csrf;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  let body: string | undefined;
  if (o.body !== undefined) {
    headers['content-type'] = o.type ?? 'application/json';
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  }
  const r = await fetch(`${sys.serverUrl}${path}`, { method, headers, body });
  const text = await r.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json };
}

beforeAll(async () => {
  sys = await startTestSystem();
  till = await sys.till({ provider: 'xendit' });
  const db = sys.server.ctx.database.db;
  await addManager(db, { storeId: till.storeId, email: 'kabel@toko.test', password: PASSWORD, now: Date.now() });
  const r = await fetch(`${sys.serverUrl}/admin/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'kabel@toko.test', password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  const cookie = r.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
    .split(';')[0]!;
  session = { cookie, csrf: ((await r.json()) as { csrf_token: string }).csrf_token };
});
afterAll(async () => {
  await sys?.close();
});

describe(`manager routes wired in app.ts on ${DB_KIND}`, () => {
  const product = () => ({ id: newId(), sku: `SKU-${newId().slice(-6)}`, name: 'Kopi', price: 4_000 });

  it('catalog: reads with the session alone; changes only with its CSRF token', async () => {
    expect((await send('GET', '/admin/api/catalog/products', { cookie: session.cookie })).status).toBe(200);
    const noCsrf = await send('POST', '/admin/api/catalog/products', { cookie: session.cookie, body: product() });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await send('POST', '/admin/api/catalog/products', {
      cookie: session.cookie,
      csrf: 'x'.repeat(43),
      body: product(),
    });
    expect(wrongCsrf.status).toBe(403);
    const ok = await send('POST', '/admin/api/catalog/products', {
      cookie: session.cookie,
      csrf: session.csrf,
      body: product(),
    });
    expect(ok.status).toBe(201);
    const csv = await send('POST', '/admin/api/catalog/import', {
      cookie: session.cookie,
      body: 'sku,name,price,category\nTEH,Teh,3000,Minuman\n',
      type: 'text/csv',
    });
    expect(csv.status).toBe(403);
  });

  it('catalog and refunds: a till token is no session (401)', async () => {
    expect((await send('GET', '/admin/api/catalog/products', { bearer: till.token })).status).toBe(401);
    const r = await send('POST', `/v1/payments/${newId()}/refund`, {
      bearer: till.token,
      body: { reason: 'x', idempotency_key: newId() },
    });
    expect(r.status).toBe(401);
    expect((await send('GET', `/v1/payments/${newId()}/refunds`, { bearer: till.token })).status).toBe(401);
  });

  it('refunds: the session reads and its CSRF token is needed to refund', async () => {
    const created = await till.createPayment(7_000);
    expect(created.status).toBe(201);
    const paymentId = created.body.payment_id as string;
    const paid = await sys.pay(created.body.qr_string);
    expect(paid.ok).toBe(true);
    await expect
      .poll(
        async () =>
          (await send('GET', `/admin/api/payments/${paymentId}`, { cookie: session.cookie })).body.payment.status,
      )
      .toBe('paid');
    // The session cookie is for the whole site, so the browser sends it to the refund routes under /v1.
    const list = await send('GET', `/v1/payments/${paymentId}/refunds`, { cookie: session.cookie });
    expect(list).toMatchObject({ status: 200, body: { refunds: [] } });
    const noCsrf = await send('POST', `/v1/payments/${paymentId}/refund`, {
      cookie: session.cookie,
      body: { amount: 1_000, reason: 'x', idempotency_key: newId() },
    });
    expect(noCsrf.status).toBe(403);
    const r = await send('POST', `/v1/payments/${paymentId}/refund`, {
      cookie: session.cookie,
      csrf: session.csrf,
      body: { amount: 1_000, reason: 'satu barang', idempotency_key: newId() },
    });
    expect([201, 202], JSON.stringify(r.body)).toContain(r.status);
    expect(r.body.refund).toMatchObject({ amount: 1_000, payment_id: paymentId });
    const after = await send('GET', `/v1/payments/${paymentId}/refunds`, { cookie: session.cookie });
    expect(after.body.refunds).toHaveLength(1);
  });
});
