import { describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../../electron/core/handlers.ts';
import { newId } from '../../../shared/ids.ts';
import { IPC_CHANNELS, type Product, TILL_EVENTS, type TillEventName } from '../../../shared/ipc.ts';
import { makeCore } from './helpers.ts';

function setup() {
  const core = makeCore();
  core.seedDemoCatalog();
  const h = createHandlers(core);
  const products = core.listCatalog(undefined);
  const p = (sku: string): Product => products.find((x) => x.sku === sku)!;
  return { core, h, p };
}

const long = 'x'.repeat(201);

describe('channel handlers: hostile input never throws and gets a typed error', () => {
  // The demo catalog's ids are made at seeding; a placeholder id is swapped for the real one in each case.
  const good = 'AIR-600';
  const cases: [string, string, unknown, string][] = [
    ['sale with no body', 'sale:create', undefined, 'INVALID_INPUT'],
    ['sale as a string', 'sale:create', 'lines', 'INVALID_INPUT'],
    ['sale with no lines', 'sale:create', { lines: [] }, 'INVALID_INPUT'],
    ['zero qty', 'sale:create', { lines: [{ productId: good, qty: 0 }] }, 'INVALID_INPUT'],
    ['negative qty', 'sale:create', { lines: [{ productId: good, qty: -2 }] }, 'INVALID_INPUT'],
    ['fractional qty', 'sale:create', { lines: [{ productId: good, qty: 1.5 }] }, 'INVALID_INPUT'],
    ['qty over 999', 'sale:create', { lines: [{ productId: good, qty: 1000 }] }, 'INVALID_INPUT'],
    ['qty as a string', 'sale:create', { lines: [{ productId: good, qty: '2' }] }, 'INVALID_INPUT'],
    ['NaN qty', 'sale:create', { lines: [{ productId: good, qty: Number.NaN }] }, 'INVALID_INPUT'],
    ['unknown product', 'sale:create', { lines: [{ productId: newId(), qty: 1 }] }, 'INVALID_INPUT'],
    ['product id not a uuid', 'sale:create', { lines: [{ productId: long, qty: 1 }] }, 'INVALID_INPUT'],
    ['missing productId', 'sale:create', { lines: [{ qty: 1 }] }, 'INVALID_INPUT'],
    [
      'a price sent by the renderer',
      'sale:create',
      { lines: [{ productId: good, qty: 1, price: 1 }] },
      'INVALID_INPUT',
    ],
    ['an extra top-level total', 'sale:create', { lines: [{ productId: good, qty: 1 }], total: 1 }, 'INVALID_INPUT'],
    ['too many lines', 'sale:create', { lines: Array(201).fill({ productId: good, qty: 1 }) }, 'INVALID_INPUT'],
    [
      'discount larger than sale',
      'sale:create',
      { lines: [{ productId: good, qty: 1 }], discount: { kind: 'amount', value: 3501 } },
      'INVALID_INPUT',
    ],
    [
      'discount over 100 %',
      'sale:create',
      { lines: [{ productId: good, qty: 1 }], discount: { kind: 'percent_bp', value: 10001 } },
      'INVALID_INPUT',
    ],
    [
      'negative discount',
      'sale:create',
      { lines: [{ productId: good, qty: 1 }], discount: { kind: 'amount', value: -1 } },
      'INVALID_INPUT',
    ],
    [
      'unknown discount kind',
      'sale:create',
      { lines: [{ productId: good, qty: 1 }], discount: { kind: 'free', value: 1 } },
      'INVALID_INPUT',
    ],
    ['oversized search', 'catalog:list', { query: long }, 'INVALID_INPUT'],
    ['oversized code', 'catalog:find', { code: 'x'.repeat(65) }, 'INVALID_INPUT'],
    ['empty code', 'catalog:find', { code: '  ' }, 'INVALID_INPUT'],
    ['unknown sale', 'sale:get', { saleId: newId() }, 'NOT_FOUND'],
    ['sale id not a uuid', 'sale:get', { saleId: '1 OR 1=1' }, 'INVALID_INPUT'],
    ['unknown payment', 'payment:get', { paymentId: newId() }, 'NOT_FOUND'],
    ['cash for unknown sale', 'payment:cash', { saleId: newId(), tendered: 1000 }, 'NOT_FOUND'],
    ['fractional cash', 'payment:cash', { saleId: newId(), tendered: 10.5 }, 'INVALID_INPUT'],
    ['negative cash', 'payment:cash', { saleId: newId(), tendered: -5 }, 'INVALID_INPUT'],
    ['QRIS before configuration', 'payment:startQris', { saleId: newId() }, 'NOT_CONFIGURED'],
    ['server URL not http(s)', 'settings:set', { serverUrl: 'file:///etc/passwd' }, 'INVALID_INPUT'],
    ['server URL javascript:', 'settings:set', { serverUrl: 'javascript:alert(1)' }, 'INVALID_INPUT'],
    ['token too long', 'settings:set', { deviceToken: long }, 'INVALID_INPUT'],
    ['store name too long', 'settings:set', { storeName: long }, 'INVALID_INPUT'],
    ['unknown setting', 'settings:set', { admin: true }, 'INVALID_INPUT'],
    ['input to a no-input channel', 'till:status', { x: 1 }, 'INVALID_INPUT'],
    ['recent limit too big', 'sales:recent', { limit: 10_000 }, 'INVALID_INPUT'],
  ];
  it.each(cases)('%s → %s', async (_name, channel, input, code) => {
    const { h, p } = setup();
    const swap = (v: unknown): unknown =>
      v === good
        ? p(good).id
        : Array.isArray(v)
          ? v.map(swap)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]))
            : v;
    const r = await dispatch(h, channel, swap(input));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeLessThanOrEqual(500);
    }
  });

  it('answers NOT_FOUND for a channel that does not exist, including prototype names', async () => {
    const { h } = setup();
    for (const c of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      const r = await dispatch(h, c, undefined);
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('has one handler per channel of the contract', () => {
    const { h } = setup();
    expect(Object.keys(h).sort()).toEqual([...IPC_CHANNELS].sort());
  });
});

describe('sales and cash through the handlers', () => {
  it('prices from the catalog, takes cash with change and publishes the updates', async () => {
    const { core, h, p } = setup();
    const seen: TillEventName[] = [];
    core.events.subscribe((name) => seen.push(name));
    const r = await h['sale:create']({
      lines: [
        { productId: p('MIE-GRG').id, qty: 3 },
        { productId: p('DETERJEN').id, qty: 1 },
      ],
      discount: { kind: 'amount', value: 500 },
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.data).toMatchObject({ status: 'open', subtotal: 43_500, discountAmount: 500, total: 43_000 });
    const short = await h['payment:cash']({ saleId: r.data.id, tendered: 42_999 });
    expect(short).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const paid = await h['payment:cash']({ saleId: r.data.id, tendered: 50_000 });
    if (!paid.ok) throw new Error(paid.error.message);
    expect(paid.data).toMatchObject({
      method: 'cash',
      status: 'paid',
      amount: 43_000,
      tendered: 50_000,
      change: 7_000,
    });
    const again = await h['payment:cash']({ saleId: r.data.id, tendered: 50_000 });
    expect(again).toMatchObject({ ok: false, error: { code: 'ALREADY_PAID' } });
    const receipt = await h['sale:get']({ saleId: r.data.id });
    if (!receipt.ok) throw new Error(receipt.error.message);
    expect(receipt.data.sale.status).toBe('paid');
    expect(receipt.data.sale.payments).toHaveLength(1);
    expect(receipt.data.sale.lines.map((l) => l.sku)).toEqual(['MIE-GRG', 'DETERJEN']);
    expect(seen).toContain(TILL_EVENTS.paymentUpdated);
    expect(seen).toContain(TILL_EVENTS.saleUpdated);
    expect(seen).toContain(TILL_EVENTS.connectionChanged);
    const status = await h['till:status'](undefined);
    expect(status).toMatchObject({ ok: true, data: { pendingOutbox: 2, configured: false, connection: 'offline' } });
    const recent = await h['sales:recent'](undefined);
    expect(recent.ok && recent.data.map((s) => s.id)).toEqual([r.data.id]);
  });

  it('refuses QRIS for a sale whose total is zero', async () => {
    const { h, p } = setup();
    await h['settings:set']({ serverUrl: 'http://127.0.0.1:9', deviceToken: 'tok' });
    const s = await h['sale:create']({
      lines: [{ productId: p('AIR-600').id, qty: 1 }],
      discount: { kind: 'percent_bp', value: 10_000 },
    });
    if (!s.ok) throw new Error(s.error.message);
    expect(s.data.total).toBe(0);
    expect(await h['payment:startQris']({ saleId: s.data.id })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('keeps the device token secret and reports only that one is set', async () => {
    const { h } = setup();
    const r = await h['settings:set']({ serverUrl: 'https://sync.example.id/', deviceToken: 'secret-token' });
    expect(r).toEqual({
      ok: true,
      data: {
        serverUrl: 'https://sync.example.id',
        hasDeviceToken: true,
        storeName: 'Toko',
        deviceName: 'Kasir 1',
        language: 'id',
        staticQris: null,
      },
    });
    expect(JSON.stringify(await h['settings:get'](undefined))).not.toContain('secret-token');
  });

  it('turns an unexpected exception into INTERNAL without leaking it', async () => {
    const { core, h } = setup();
    core.db.close();
    const r = await h['catalog:list'](undefined);
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL', retryable: false } });
    if (!r.ok) expect(r.error.message).not.toMatch(/database/i);
  });
});
