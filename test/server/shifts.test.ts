/**
 * POST /v1/shifts: device-authenticated, store-scoped, idempotent on the shift id. Runs on SQLite, and on
 * PostgreSQL when KQ_TEST_DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { ShiftRecordSchema } from '../../shared/schemas/shifts.ts';
import { startTestSystem, type TestSystem } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys.close();
});

function report(over: Record<string, unknown> = {}) {
  return {
    shift_id: newId(),
    opened_at: 1_750_000_000_000,
    closed_at: 1_750_000_900_000,
    opening_float: 200_000,
    cash_sales: 57_000,
    expected_cash: 257_000,
    counted_cash: 250_000,
    difference: -7_000,
    qris_by_provider: { xendit: 36_000, midtrans: 12_500 },
    unverified: 0,
    refunded: 0,
    sales_count: 4,
    ...over,
  };
}

describe('POST /v1/shifts', () => {
  it('stores a closed shift for the device’s store and answers the stored record', async () => {
    const till = await sys.till();
    const body = report();
    const r = await till.request('POST', '/v1/shifts', body);
    expect(r.status).toBe(201);
    const rec = ShiftRecordSchema.parse(r.body);
    expect(rec).toMatchObject({ ...body, store_id: till.storeId, device_id: till.deviceId });
    const g = await till.request('GET', `/v1/shifts/${body.shift_id}`);
    expect(g.status).toBe(200);
    expect(g.body.difference).toBe(-7_000);
    expect(g.body.qris_by_provider).toEqual({ midtrans: 12_500, xendit: 36_000 });
  });

  it('is idempotent on the shift id: a replay is 200 with the same record, another body is 409', async () => {
    const till = await sys.till();
    const body = report();
    const first = await till.request('POST', '/v1/shifts', body);
    // The same report with its keys in another order is the same report.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await till.request('POST', '/v1/shifts', reordered);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const changed = await till.request('POST', '/v1/shifts', { ...body, counted_cash: 257_000, difference: 0 });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('CONFLICT');
  });

  it('concurrent replays store one row and all succeed', async () => {
    const till = await sys.till();
    const body = report();
    const rs = await Promise.all(Array.from({ length: 8 }, () => till.request('POST', '/v1/shifts', body)));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
  });

  it('is store-scoped: another store can neither read nor overwrite a shift', async () => {
    const a = await sys.till();
    const b = await sys.till();
    const body = report();
    expect((await a.request('POST', '/v1/shifts', body)).status).toBe(201);
    expect((await b.request('GET', `/v1/shifts/${body.shift_id}`)).status).toBe(404);
    const steal = await b.request('POST', '/v1/shifts', body);
    expect(steal.status).toBe(409);
    expect((await a.request('GET', `/v1/shifts/${body.shift_id}`)).body.store_id).toBe(a.storeId);
  });

  it('refuses a missing or wrong device token', async () => {
    const res = await fetch(`${sys.serverUrl}/v1/shifts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify(report()),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['sums that do not add up', { expected_cash: 1 }],
    ['a difference that is not counted − expected', { difference: 0 }],
    ['fractional rupiah', { counted_cash: 250_000.5, difference: -6_999.5 }],
    ['negative cash', { counted_cash: -1, difference: -257_001 }],
    ['closing before opening', { closed_at: 1 }],
    ['an unknown field', { extra: true }],
    ['a bad id', { shift_id: 'x' }],
  ])('answers 400 for %s, never a 500', async (_name, over) => {
    const till = await sys.till();
    const r = await till.request('POST', '/v1/shifts', report(over));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
  });

  it('keeps a NUL in a provider name losslessly on both databases', async () => {
    const till = await sys.till();
    const body = report({ qris_by_provider: { 'x\u0000y': 1 }, cash_sales: 57_000 });
    expect((await till.request('POST', '/v1/shifts', body)).status).toBe(201);
    const g = await till.request('GET', `/v1/shifts/${body.shift_id}`);
    expect(g.body.qris_by_provider).toEqual({ 'x\u0000y': 1 });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const till = await sys.till();
    const r = await till.request('POST', '/v1/shifts', '{"shift_id":');
    expect(r.status).toBe(400);
  });
});

describe('the shift.closed push mutation', () => {
  it('stores the report once, like POST /v1/shifts, and refuses another report under the same id', async () => {
    const till = await sys.till();
    const body = report();
    const push = (id: number, payload: unknown) =>
      till.request('POST', '/v1/sync/push', {
        client_time: Date.now(),
        mutations: [{ mutation_id: id, type: 'shift.closed', client_time: Date.now(), payload }],
      });
    const first = await push(1, body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ last_mutation_id: 1, rejected: [] });
    expect((await till.request('GET', `/v1/shifts/${body.shift_id}`)).body).toMatchObject({ counted_cash: 250_000 });
    expect((await push(1, body)).body).toMatchObject({ last_mutation_id: 1, rejected: [] }); // a replay: no-op
    const changed = await push(2, { ...body, counted_cash: 257_000, difference: 0 });
    expect(changed.body.rejected).toMatchObject([{ mutation_id: 2, code: 'CONFLICT' }]);
    expect((await till.request('GET', `/v1/shifts/${body.shift_id}`)).body).toMatchObject({ counted_cash: 250_000 });
  });
});
