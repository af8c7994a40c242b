/**
 * The store catalog (issue 8): manager CRUD and CSV import with validation, store isolation, versions, and the
 * `catalog.updated` event every change appends for the store's tills (pull and live). Runs on SQLite, and on
 * PostgreSQL when KQ_TEST_DATABASE_URL is set.
 *
 * The manager login is another branch's work: these tests guard the manager routes with a stand-in preHandler
 * (header `x-test-manager-store`) passed to a second app instance on the same database; the default app must
 * refuse the routes (401 MANAGER_REQUIRED), to a device token too.
 */
import type { AddressInfo } from 'node:net';
import type { preHandlerHookHandler } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StoreLiveFrameSchema } from '../../shared/events.ts';
import { newId } from '../../shared/ids.ts';
import { CatalogSnapshotSchema } from '../../shared/schemas/catalog-api.ts';
import { type App, buildApp } from '../../sync-server/src/app.ts';
import { startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
let app2: App;
let base: string;
let a: Till;
let b: Till;

const testManager: preHandlerHookHandler = (request, reply, done) => {
  const store = request.headers['x-test-manager-store'];
  if (typeof store !== 'string') {
    void reply.code(401).send({ error: { code: 'MANAGER_REQUIRED', message: 'no test manager' } });
    return;
  }
  (request as unknown as { manager: unknown }).manager = { id: `m-${store}`, storeId: store, email: 'm@test' };
  done();
};

beforeAll(async () => {
  sys = await startTestSystem();
  app2 = await buildApp({
    config: sys.server.ctx.config,
    database: sys.server.ctx.database,
    sweeper: false,
    catalogManagerAuth: [testManager],
  });
  await app2.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app2.app.server.address() as AddressInfo).port}`;
  a = await sys.till();
  b = await sys.till();
});
afterAll(async () => {
  await app2?.app.close();
  await sys?.close();
});

async function call(
  method: string,
  path: string,
  o: { store?: string; token?: string; body?: unknown; type?: string; url?: string } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (o.store) headers['x-test-manager-store'] = o.store;
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = o.type ?? 'application/json';
  const res = await fetch(`${o.url ?? base}${path}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

const product = (over: Record<string, unknown> = {}) => ({
  sku: `SKU-${newId().slice(-8)}`,
  name: 'Teh Botol 450 ml',
  price: 5_000,
  category: 'Minuman',
  ...over,
});

async function pullCatalogEvents(t: Till, url = base) {
  const r = await call('GET', '/v1/sync/pull?cursor=0&limit=500', { token: t.token, url });
  expect(r.status).toBe(200);
  return (r.body.events as { type: string; products?: { id: string; version: number; price: number }[] }[]).filter(
    (e) => e.type === 'catalog.updated',
  );
}

describe('manager routes without the manager login', () => {
  // With the dashboard's session guard wired in app.ts, a request without a manager session is 401 UNAUTHORIZED.
  it('refuse everyone without a manager session with 401, a till token too', async () => {
    for (const [method, path, body] of [
      ['GET', '/admin/api/catalog/products', undefined],
      ['POST', '/admin/api/catalog/products', product()],
      ['PUT', `/admin/api/catalog/products/${newId()}`, { price: 1 }],
      ['DELETE', `/admin/api/catalog/products/${newId()}`, undefined],
      ['POST', '/admin/api/catalog/import', 'sku,name,price,category\nA,B,1,C\n'],
    ] as const) {
      const r = await call(method, path, {
        url: sys.serverUrl,
        token: a.token,
        body,
        ...(typeof body === 'string' ? { type: 'text/csv' } : {}),
      });
      expect(r, `${method} ${path}`).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    }
    const none = await call('GET', '/admin/api/catalog/products', { token: a.token });
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'MANAGER_REQUIRED' } } });
  });
});

describe('catalog CRUD', () => {
  it('creates, changes and deactivates products with rising versions; the till sees each change', async () => {
    const c = await call('POST', '/admin/api/catalog/products', { store: a.storeId, body: product({ price: 5_000 }) });
    expect(c.status).toBe(201);
    const id = c.body.id as string;
    expect(c.body).toMatchObject({ price: 5_000, active: true, barcode: null });
    const v1 = c.body.version as number;

    const u = await call('PUT', `/admin/api/catalog/products/${id}`, {
      store: a.storeId,
      body: { price: 6_500, barcode: '8991000000019', expected_version: v1 },
    });
    expect(u).toMatchObject({ status: 200, body: { price: 6_500, barcode: '8991000000019', version: v1 + 1 } });
    // Nothing changed: no new version, no event.
    const same = await call('PUT', `/admin/api/catalog/products/${id}`, { store: a.storeId, body: { price: 6_500 } });
    expect(same.body.version).toBe(v1 + 1);
    // Someone else changed it since the manager loaded it.
    const stale = await call('PUT', `/admin/api/catalog/products/${id}`, {
      store: a.storeId,
      body: { price: 7_000, expected_version: v1 },
    });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });

    const d = await call('DELETE', `/admin/api/catalog/products/${id}`, { store: a.storeId });
    expect(d).toMatchObject({ status: 200, body: { active: false, version: v1 + 2 } });

    const snap = await call('GET', '/v1/catalog', { token: a.token });
    expect(snap.status).toBe(200);
    const parsed = CatalogSnapshotSchema.parse(snap.body);
    expect(parsed.products.find((p) => p.id === id)).toMatchObject({ active: false, price: 6_500, version: v1 + 2 });

    // PostgreSQL hands out an event only once no older transaction can still commit one: poll briefly.
    await expect
      .poll(async () =>
        (await pullCatalogEvents(a))
          .flatMap((e) => e.products ?? [])
          .filter((p) => p.id === id)
          .map((p) => p.version),
      )
      .toEqual([v1, v1 + 1, v1 + 2]);
  });

  it('refuses invalid products with 400 and duplicates with 409', async () => {
    for (const bad of [
      product({ price: 0 }),
      product({ price: 100_000_001 }),
      product({ price: 1_500.5 }),
      product({ price: '5000' }),
      product({ name: '' }),
      product({ name: 'a\u0000b' }),
      product({ sku: 'has space' }),
      product({ category: 'x'.repeat(61) }),
      product({ image_url: 'https://example.com/x.png' }),
      product({ extra: 1 }),
      { name: 'no sku', price: 1 },
    ]) {
      const r = await call('POST', '/admin/api/catalog/products', { store: a.storeId, body: bad });
      expect(r, JSON.stringify(bad)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
    }
    const ok = await call('POST', '/admin/api/catalog/products', {
      store: a.storeId,
      body: product({ price: 100_000_000, barcode: '8991000000026' }),
    });
    expect(ok.status).toBe(201);
    const dupSku = await call('POST', '/admin/api/catalog/products', {
      store: a.storeId,
      body: product({ sku: ok.body.sku }),
    });
    expect(dupSku).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    const dupBarcode = await call('POST', '/admin/api/catalog/products', {
      store: a.storeId,
      body: product({ barcode: '8991000000026' }),
    });
    expect(dupBarcode).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    const badId = await call('PUT', '/admin/api/catalog/products/not-a-uuid', { store: a.storeId, body: { price: 1 } });
    expect(badId.status).toBe(400);
    const empty = await call('PUT', `/admin/api/catalog/products/${ok.body.id}`, { store: a.storeId, body: {} });
    expect(empty.status).toBe(400);
  });
});

describe('store isolation', () => {
  it("one store's manager and tills never see or change another store's products", async () => {
    const c = await call('POST', '/admin/api/catalog/products', { store: a.storeId, body: product() });
    const id = c.body.id as string;
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { price: 1 }],
      ['DELETE', undefined],
    ] as const) {
      const r = await call(method, `/admin/api/catalog/products/${id}`, { store: b.storeId, body });
      expect(r, method).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
    // Another store may use the same SKU; the id itself is taken.
    const sameSku = await call('POST', '/admin/api/catalog/products', {
      store: b.storeId,
      body: product({ sku: c.body.sku }),
    });
    expect(sameSku.status).toBe(201);
    const sameId = await call('POST', '/admin/api/catalog/products', { store: b.storeId, body: product({ id }) });
    expect(sameId.status).toBe(409);

    const listB = await call('GET', '/admin/api/catalog/products', { store: b.storeId });
    expect(listB.body.products.map((p: { id: string }) => p.id)).not.toContain(id);
    const tillB = await call('GET', '/v1/catalog', { token: b.token });
    expect(tillB.body.products.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await pullCatalogEvents(b)).flatMap((e) => e.products ?? []).map((p) => p.id)).not.toContain(id);
    const after = await call('GET', `/admin/api/catalog/products/${id}`, { store: a.storeId });
    expect(after.body).toMatchObject({ active: true, price: 5_000 });
  });
});

describe('CSV import', () => {
  it('creates and updates by SKU, with quotes, a BOM and CRLF; unchanged rows append nothing', async () => {
    const t = await sys.till();
    const csv =
      '\uFEFFsku,name,price,category,barcode\r\n' +
      'AIR-600,"Air Mineral, 600 ml",3500,Minuman,8991000000033\r\n' +
      'MIE-GRG,"Mie ""Goreng"" Instan",3500,Makanan,\r\n' +
      'GULA-1KG,Gula Pasir 1 kg,18000,,\r\n';
    const r = await call('POST', '/admin/api/catalog/import', {
      store: t.storeId,
      body: csv,
      type: 'text/csv; charset=utf-8',
    });
    expect(r).toMatchObject({ status: 200, body: { rows: 3, created: 3, updated: 0, unchanged: 0 } });
    const snap = (await call('GET', '/v1/catalog', { token: t.token })).body;
    const bySku = Object.fromEntries(snap.products.map((p: { sku: string }) => [p.sku, p]));
    expect(bySku['AIR-600']).toMatchObject({ name: 'Air Mineral, 600 ml', price: 3_500, barcode: '8991000000033' });
    expect(bySku['MIE-GRG']).toMatchObject({ name: 'Mie "Goreng" Instan', barcode: null, category: 'Makanan' });
    expect(bySku['GULA-1KG']).toMatchObject({ category: null });

    // Again with one price changed and no barcode column: barcodes stay, one update, one event's worth.
    await expect.poll(async () => (await pullCatalogEvents(t)).length).toBe(1);
    const again = 'name,sku,price,category\nAir Mineral, 600 ml,AIR-600,4000,Minuman\n';
    const bad = await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: again, type: 'text/csv' });
    expect(bad.status).toBe(400); // unquoted comma: 5 cells for 4 columns
    const fixed =
      'name,sku,price,category\n"Air Mineral, 600 ml",AIR-600,4000,Minuman\n"Mie ""Goreng"" Instan",MIE-GRG,3500,Makanan\n';
    const r2 = await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: fixed, type: 'text/csv' });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
    expect(r2.body).toMatchObject({ rows: 2, created: 0, updated: 1, unchanged: 1 });
    await expect.poll(async () => (await pullCatalogEvents(t)).length).toBe(2);
    const events = await pullCatalogEvents(t);
    expect(events.at(-1)!.products).toEqual([expect.objectContaining({ price: 4_000 })]);
    const air = (await call('GET', '/v1/catalog', { token: t.token })).body.products.find(
      (p: { sku: string }) => p.sku === 'AIR-600',
    );
    expect(air).toMatchObject({ price: 4_000, barcode: '8991000000033' });
  });

  it('refuses the whole file with row-numbered reasons and changes nothing', async () => {
    const t = await sys.till();
    const ok = 'sku,name,price,category\nKOPI,Kopi,2000,Minuman\n';
    await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: ok, type: 'text/csv' });
    const before = (await call('GET', '/v1/catalog', { token: t.token })).body;
    const csv =
      'sku,name,price,category,barcode\n' +
      'KOPI,Kopi Susu,2500,Minuman,\n' + // row 2: fine on its own
      'TEH,Teh,abc,Minuman,\n' + // row 3: price
      'ROTI,,8500,Makanan,\n' + // row 4: name
      'KOPI,Kopi Lagi,3000,Minuman,\n' + // row 5: duplicate sku
      'SUSU,Susu,100000001,Minuman,\n' + // row 6: price range
      'SABUN,Sabun,4500,Rumah tangga,bad code\n'; // row 7: barcode
    const r = await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: csv, type: 'text/csv' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    for (const row of [
      'row 3: price',
      'row 4: name',
      'row 5: sku KOPI is already on row 2',
      'row 6: price',
      'row 7: barcode',
    ]) {
      expect(r.body.error.message).toContain(row);
    }
    expect(r.body.error.message).not.toContain('row 2:');
    expect((await call('GET', '/v1/catalog', { token: t.token })).body).toEqual(before);

    for (const [body, part] of [
      ['', 'empty'],
      ['sku,name,price\nA,B,1\n', 'row 1'],
      ['sku,name,price,category,colour\nA,B,1,C,red\n', 'row 1'],
      ['sku,name,price,category\n', 'no product rows'],
      ['sku,name,price,category\n"A,B,1,C\n', 'not a valid CSV'],
    ] as const) {
      const e = await call('POST', '/admin/api/catalog/import', { store: t.storeId, body, type: 'text/csv' });
      expect(e.status, body).toBe(400);
      expect(e.body.error.message, body).toContain(part);
    }
    const json = await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: { csv: 'x' } });
    expect(json.status).toBe(415);
    // A barcode held by a product not in the file is refused with its row.
    await call('POST', '/admin/api/catalog/products', {
      store: t.storeId,
      body: product({ sku: 'HOLDER', barcode: '8991000000040' }),
    });
    const taken = await call('POST', '/admin/api/catalog/import', {
      store: t.storeId,
      body: 'sku,name,price,category,barcode\nNEW,Baru,1000,Lain,8991000000040\n',
      type: 'text/csv',
    });
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toContain('row 2: barcode 8991000000040 belongs to product HOLDER');
  });

  it('moves barcodes between products of the same file', async () => {
    const t = await sys.till();
    const first = 'sku,name,price,category,barcode\nA1,Satu,1000,X,111111\nA2,Dua,2000,X,222222\n';
    expect(
      (await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: first, type: 'text/csv' })).status,
    ).toBe(200);
    const swap = 'sku,name,price,category,barcode\nA1,Satu,1000,X,222222\nA2,Dua,2000,X,111111\n';
    const r = await call('POST', '/admin/api/catalog/import', { store: t.storeId, body: swap, type: 'text/csv' });
    expect(r, JSON.stringify(r.body)).toMatchObject({ status: 200, body: { updated: 2 } });
    const snap = (await call('GET', '/v1/catalog', { token: t.token })).body.products;
    expect(snap.find((p: { sku: string }) => p.sku === 'A1').barcode).toBe('222222');
  });
});

describe('concurrent changes', () => {
  it('of one store each get their own version, none lost', async () => {
    const t = await sys.till();
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('POST', '/admin/api/catalog/products', { store: t.storeId, body: product({ sku: `C-${i}` }) }),
      ),
    );
    expect(rs.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(rs.map((r) => r.body.version as number).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});

describe('a large import', () => {
  it('is spread over bounded events, and past the row limit it is refused', async () => {
    const t = await sys.till();
    const rows = Array.from(
      { length: 2_000 },
      (_, i) => `P${i},Produk ${i},${1_000 + i},Kategori ${i % 7},${100_000 + i}`,
    );
    const t0 = performance.now();
    const r = await call('POST', '/admin/api/catalog/import', {
      store: t.storeId,
      body: `sku,name,price,category,barcode\n${rows.join('\n')}\n`,
      type: 'text/csv',
    });
    const ms = performance.now() - t0;
    expect(r).toMatchObject({ status: 200, body: { rows: 2_000, created: 2_000 } });
    console.log(
      `catalog import of 2,000 rows (${process.env.KQ_TEST_DATABASE_URL ? 'postgres' : 'sqlite'}): ${ms.toFixed(0)} ms`,
    );
    await expect.poll(async () => (await pullCatalogEvents(t)).length).toBe(10);
    const events = await pullCatalogEvents(t);
    expect(events.every((e) => (e.products?.length ?? 0) <= 200)).toBe(true);
    expect(events.flatMap((e) => e.products ?? []).map((p) => p.version)).toEqual(
      Array.from({ length: 2_000 }, (_, i) => i + 1),
    );
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `Q${i},Q,1,C`).join('\n');
    const refused = await call('POST', '/admin/api/catalog/import', {
      store: t.storeId,
      body: `sku,name,price,category\n${tooMany}\n`,
      type: 'text/csv',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('at most 10000 rows');
  });
});

describe('catalog events', () => {
  it('reach a connected till on the live socket', async () => {
    const t = await sys.till();
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/sync/live?cursor=0`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const got = new Promise<unknown>((resolve, reject) => {
      ws.on('message', (data) => {
        const f = StoreLiveFrameSchema.parse(JSON.parse(String(data)));
        if (f.kind === 'event' && f.event.type === 'catalog.updated') resolve(f.event);
      });
      ws.once('error', reject);
    });
    await new Promise((r) => ws.once('open', r));
    const c = await call('POST', '/admin/api/catalog/products', { store: t.storeId, body: product({ price: 12_345 }) });
    expect(await got).toMatchObject({
      type: 'catalog.updated',
      store_id: t.storeId,
      products: [expect.objectContaining({ id: c.body.id, price: 12_345, version: c.body.version })],
    });
    ws.close();
  });
});
