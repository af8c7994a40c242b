import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
let till: Till;
beforeAll(async () => {
  sys = await startTestSystem();
  till = await sys.till();
});
afterAll(async () => {
  await sys?.close();
});

async function raw(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? till.token}`);
  const res = await fetch(`${sys.serverUrl}${path}`, { ...init, headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

const countPayments = async () =>
  Number(
    (
      await sys.server.ctx.database.db
        .selectFrom('payments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('hostile input to the payments API', () => {
  const json = { 'content-type': 'application/json' };
  const good = () => ({ payment_id: newId(), sale_id: newId(), amount: 10_000 });

  const cases: [string, () => RequestInit, number, string][] = [
    ['malformed JSON', () => ({ method: 'POST', headers: json, body: '{"payment_id":' }), 400, 'INVALID_INPUT'],
    ['empty body', () => ({ method: 'POST', headers: json, body: '' }), 400, 'INVALID_INPUT'],
    ['a JSON array', () => ({ method: 'POST', headers: json, body: '[]' }), 400, 'INVALID_INPUT'],
    [
      'missing fields',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ amount: 1000 }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'amount 0',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), amount: 0 }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'amount -1',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), amount: -1 }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'amount 1.5',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), amount: 1.5 }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'amount 10,000,001',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), amount: 10_000_001 }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'amount "abc"',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), amount: 'abc' }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'amount as a numeric string',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), amount: '10000' }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'a payment id that is not a UUID',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), payment_id: "1' OR '1'='1" }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'an unknown provider',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), provider: 'paypal' }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'extra fields',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), status: 'paid' }) }),
      400,
      'INVALID_INPUT',
    ],
    [
      'a body over 64 KB',
      () => ({ method: 'POST', headers: json, body: JSON.stringify({ ...good(), pad: 'x'.repeat(70_000) }) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a non-JSON content type',
      () => ({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'amount=5' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ];

  for (const [name, init, status, code] of cases) {
    it(`refuses ${name} with ${status} ${code} and stores nothing`, async () => {
      const before = await countPayments();
      const r = await raw('/v1/payments', init());
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(await countPayments()).toBe(before);
    });
  }

  it('refuses a missing, malformed, unknown or forged device token with 401', async () => {
    const [, id] = till.token.split('.');
    for (const token of [null, '', 'nonsense', `kq1.${id}.${'A'.repeat(43)}`, `kq1.${newId()}.${'A'.repeat(43)}`]) {
      const r = await raw('/v1/payments', { method: 'POST', headers: json, body: JSON.stringify(good()), token });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it("hides another store's payment: 404 to read or cancel, 409 to reuse its id, and it stays as it was", async () => {
    const other = await sys.till();
    const { body } = await other.createPayment(5_000);
    const read = await till.request('GET', `/v1/payments/${body.payment_id}`);
    expect(read.status).toBe(404);
    const cancel = await till.request('POST', `/v1/payments/${body.payment_id}/cancel`);
    expect(cancel.status).toBe(404);
    const reuse = await till.request('POST', '/v1/payments', {
      payment_id: body.payment_id,
      sale_id: body.sale_id,
      amount: 5_000,
    });
    expect(reuse.status).toBe(409);
    const still = await other.request('GET', `/v1/payments/${body.payment_id}`);
    expect(still.body).toMatchObject({ status: 'pending', store_id: other.storeId, amount: 5_000 });
  });

  it('answers unknown routes, bad ids and bad cursors with 4xx, never 500', async () => {
    expect((await raw('/v1/payments/not-a-uuid')).status).toBe(400);
    expect((await raw(`/v1/payments/${newId()}`)).status).toBe(404);
    expect((await raw('/v1/nowhere')).status).toBe(404);
    expect((await raw('/v1/sync/pull?cursor=-5')).status).toBe(400);
    expect((await raw('/v1/sync/pull?cursor=abc')).status).toBe(400);
    expect((await raw('/v1/webhooks/paypal', { method: 'POST', headers: json, body: '{}' })).status).toBe(404);
  });

  it('refuses a live socket without a valid token', async () => {
    const { openLive } = await import('./helpers.ts');
    await expect(openLive(sys.serverUrl, 'kq1.bad')).rejects.toThrow(/401/);
  });
});
