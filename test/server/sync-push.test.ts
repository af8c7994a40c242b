import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { PushResponseSchema } from '../../shared/schemas/sync-api.ts';
import { storeSalesTotals } from '../../sync-server/src/repos/synced-sales-repo.ts';
import { eventually, startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

type M = { mutation_id: number; type: string; client_time: number; payload: unknown };

function saleMutations(firstId: number, price = 12_000): { mutations: M[]; saleId: string; total: number } {
  const saleId = newId();
  const lines = [
    {
      line_id: newId(),
      product_id: 'p-1',
      sku: 'KOPI',
      name: 'Kopi',
      qty: 2,
      unit_price: price,
      line_total: 2 * price,
    },
    { line_id: newId(), product_id: 'p-2', sku: 'ROTI', name: 'Roti', qty: 1, unit_price: 5_000, line_total: 5_000 },
  ];
  const subtotal = 2 * price + 5_000;
  const discount = 1_000;
  const total = subtotal - discount;
  const t = Date.now() - 3_600_000;
  return {
    saleId,
    total,
    mutations: [
      {
        mutation_id: firstId,
        type: 'sale.created',
        client_time: t,
        payload: {
          sale_id: saleId,
          subtotal,
          discount_kind: 'amount',
          discount_value: discount,
          discount_amount: discount,
          total,
          cashier: 'Sari',
          created_at: t,
          lines,
        },
      },
      {
        mutation_id: firstId + 1,
        type: 'payment.cash',
        client_time: t + 5,
        payload: {
          payment_id: newId(),
          sale_id: saleId,
          amount: total,
          tendered: total + 2_000,
          change: 2_000,
          paid_at: t + 5,
          created_at: t + 5,
        },
      },
    ],
  };
}

const push = (till: Till, mutations: M[], clientTime = Date.now()) =>
  till.request('POST', '/v1/sync/push', { client_time: clientTime, mutations });

const db = () => sys.server.ctx.database.db;

describe('POST /v1/sync/push', () => {
  it('stores a sale with its lines, discount, cashier, device and cash payment, keeping both clocks', async () => {
    const till = await sys.till();
    const { mutations, saleId, total } = saleMutations(1);
    const r = await push(till, mutations);
    expect(r.status).toBe(200);
    expect(PushResponseSchema.parse(r.body)).toMatchObject({ last_mutation_id: 2, rejected: [] });

    const sale = await db().selectFrom('sales').selectAll().where('id', '=', saleId).executeTakeFirstOrThrow();
    expect(sale).toMatchObject({
      store_id: till.storeId,
      device_id: till.deviceId,
      total,
      discount_kind: 'amount',
      discount_amount: 1_000,
      cashier: 'Sari',
    });
    const lines = await db()
      .selectFrom('sale_lines')
      .selectAll()
      .where('sale_id', '=', saleId)
      .orderBy('line_no')
      .execute();
    expect(lines.map((l) => [l.line_no, l.sku, l.qty, l.line_total])).toEqual([
      [1, 'KOPI', 2, 24_000],
      [2, 'ROTI', 1, 5_000],
    ]);
    const log = await db()
      .selectFrom('sync_mutations')
      .selectAll()
      .where('device_id', '=', till.deviceId)
      .orderBy('mutation_id')
      .execute();
    expect(log.map((m) => [m.mutation_id, m.type, m.outcome])).toEqual([
      [1, 'sale.created', 'applied'],
      [2, 'payment.cash', 'applied'],
    ]);
    // The till's time (an hour ago) and the server's receive time are both kept.
    expect(log[0]!.client_time).toBe(mutations[0]!.client_time);
    expect(log[0]!.received_at).toBeGreaterThan(log[0]!.client_time + 3_000_000);
    expect(await storeSalesTotals(db(), till.storeId)).toEqual({ sales: 1, total, cash: total, lines: 2 });
  });

  it('treats a replayed batch and an overlapping batch as no-ops for what was already applied', async () => {
    const till = await sys.till();
    const a = saleMutations(1);
    const b = saleMutations(3);
    expect((await push(till, a.mutations)).body.last_mutation_id).toBe(2);
    // The answer was "lost": the till sends the same batch again, then one that overlaps it.
    expect((await push(till, a.mutations)).body).toMatchObject({ last_mutation_id: 2, rejected: [] });
    const r = await push(till, [...a.mutations.slice(1), ...b.mutations]);
    expect(r.body).toMatchObject({ last_mutation_id: 4, rejected: [] });
    expect(await storeSalesTotals(db(), till.storeId)).toEqual({
      sales: 2,
      total: a.total + b.total,
      cash: a.total + b.total,
      lines: 4,
    });
  });

  it('refuses a gap with a typed 409 that says where to resend from, and applies nothing of it', async () => {
    const till = await sys.till();
    await push(till, saleMutations(1).mutations);
    const r = await push(till, saleMutations(4).mutations);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: { code: 'MUTATION_GAP' }, last_mutation_id: 2 });
    expect((await storeSalesTotals(db(), till.storeId)).sales).toBe(1);
    expect((await push(till, saleMutations(3).mutations)).body.last_mutation_id).toBe(4);
  });

  it('consumes and reports a mutation it can never apply, again on replay, and goes on with the next', async () => {
    const till = await sys.till();
    const good = saleMutations(3);
    const bad: M[] = [
      { mutation_id: 1, type: 'sale.created', client_time: Date.now(), payload: { sale_id: newId(), total: 1.5 } },
      { mutation_id: 2, type: 'sale.teleported', client_time: Date.now(), payload: {} },
    ];
    const r = await push(till, [...bad, ...good.mutations]);
    expect(r.status).toBe(200);
    expect(r.body.last_mutation_id).toBe(4);
    expect(r.body.rejected.map((x: { mutation_id: number; code: string }) => [x.mutation_id, x.code])).toEqual([
      [1, 'INVALID_INPUT'],
      [2, 'NOT_SUPPORTED'],
    ]);
    const replay = await push(till, [...bad, ...good.mutations]);
    expect(replay.body.rejected.map((x: { mutation_id: number }) => x.mutation_id)).toEqual([1, 2]);
    expect((await storeSalesTotals(db(), till.storeId)).sales).toBe(1);
  });

  it('keeps a sale that is re-sent under a new mutation id as one sale', async () => {
    const till = await sys.till();
    const a = saleMutations(1);
    await push(till, a.mutations);
    const again = a.mutations.map((m, i) => ({ ...m, mutation_id: 3 + i }));
    const r = await push(till, again);
    expect(r.body).toMatchObject({ last_mutation_id: 4, rejected: [] });
    expect(await storeSalesTotals(db(), till.storeId)).toMatchObject({ sales: 1, cash: a.total });
    // And within one batch: the second copy is a no-op, not a second row.
    const other = await sys.till();
    const b = saleMutations(1);
    const both = [...b.mutations, ...b.mutations.map((m, i) => ({ ...m, mutation_id: 3 + i }))];
    expect((await push(other, both)).body).toMatchObject({ last_mutation_id: 4, rejected: [] });
    expect(await storeSalesTotals(db(), other.storeId)).toMatchObject({ sales: 1, cash: b.total, lines: 2 });
    const outcomes = await db()
      .selectFrom('sync_mutations')
      .select('outcome')
      .where('device_id', '=', other.deviceId)
      .orderBy('mutation_id')
      .execute();
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'noop', 'noop']);
  });

  it("refuses another store's sale id and payment id", async () => {
    const mine = await sys.till();
    const theirs = await sys.till();
    const a = saleMutations(1);
    await push(theirs, a.mutations);
    const r = await push(mine, a.mutations);
    expect(r.body.rejected.map((x: { code: string }) => x.code)).toEqual(['CONFLICT', 'CONFLICT']);
    expect((await storeSalesTotals(db(), mine.storeId)).sales).toBe(0);
  });

  it('applies concurrent duplicate pushes of one batch once', async () => {
    const till = await sys.till();
    const batches = Array.from({ length: 5 }, (_, i) => saleMutations(1 + 2 * i));
    const all = batches.flatMap((b) => b.mutations);
    const results = await Promise.all([push(till, all), push(till, all), push(till, all.slice(0, 6))]);
    for (const r of results) expect(r.status).toBe(200);
    expect(await storeSalesTotals(db(), till.storeId)).toMatchObject({
      sales: 5,
      cash: batches.reduce((a, b) => a + b.total, 0),
    });
  });

  it('links a QRIS payment made online and cancels it at the provider when a local cancel arrives', async () => {
    const till = await sys.till();
    const { mutations, saleId } = saleMutations(1);
    const created = await till.request('POST', '/v1/payments', {
      payment_id: newId(),
      sale_id: saleId,
      amount: 28_000,
    });
    expect(created.status).toBe(201);
    const pid = created.body.payment_id as string;
    const r = await push(till, [
      mutations[0]!,
      {
        mutation_id: 2,
        type: 'payment.qris',
        client_time: Date.now(),
        payload: { payment_id: pid, sale_id: saleId, amount: 28_000, created_at: Date.now() },
      },
      {
        mutation_id: 3,
        type: 'payment.cancel_requested',
        client_time: Date.now(),
        payload: { payment_id: pid, cancelled_at: Date.now() },
      },
    ]);
    expect(r.body).toMatchObject({ last_mutation_id: 3, rejected: [] });
    const status = await eventually(async () => {
      const p = await till.request('GET', `/v1/payments/${pid}`);
      return p.body.status === 'cancelled' ? p.body.status : null;
    });
    expect(status).toBe('cancelled');
    // A QRIS mutation whose amount disagrees with the server's payment is refused, not silently linked.
    const bad = await push(till, [
      {
        mutation_id: 4,
        type: 'payment.qris',
        client_time: Date.now(),
        payload: { payment_id: pid, sale_id: saleId, amount: 1, created_at: Date.now() },
      },
    ]);
    expect(bad.body.rejected[0]).toMatchObject({ mutation_id: 4, code: 'CONFLICT' });
  });

  it("measures the till's clock skew and answers with the server's time", async () => {
    const till = await sys.till();
    const before = Date.now();
    const r = await push(till, saleMutations(1).mutations, before - 120_000);
    expect(r.body.server_time).toBeGreaterThanOrEqual(before);
    expect(r.body.clock_skew_ms).toBeGreaterThanOrEqual(120_000);
    const row = await db()
      .selectFrom('device_sync')
      .selectAll()
      .where('device_id', '=', till.deviceId)
      .executeTakeFirstOrThrow();
    expect(row.clock_skew_ms).toBe(r.body.clock_skew_ms);
  });

  it('answers malformed envelopes and missing tokens with typed 4xx', async () => {
    const till = await sys.till();
    for (const body of [
      {},
      { client_time: Date.now(), mutations: [] },
      { client_time: Date.now(), mutations: [{ mutation_id: 0, type: 'x', client_time: 1, payload: {} }] },
      {
        client_time: Date.now(),
        mutations: [
          { mutation_id: 1, type: 'x', client_time: 1, payload: {} },
          { mutation_id: 3, type: 'x', client_time: 1, payload: {} },
        ],
      },
    ]) {
      const r = await till.request('POST', '/v1/sync/push', body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
    }
    const anon = await fetch(`${sys.serverUrl}/v1/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_time: 1, mutations: [] }),
    });
    expect(anon.status).toBe(401);
  });
});
