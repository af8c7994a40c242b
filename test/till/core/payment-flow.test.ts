/**
 * The QRIS flow against the real system (scripts/system.ts): sync-server + provider sandboxes + wallet payer
 * over real HTTP. The core's polling fallback is slowed right down so a `paid` can only arrive over the live
 * WebSocket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../electron/core/db/repos/outbox-repo.ts';
import { readSyncState } from '../../../electron/core/db/repos/sync-state-repo.ts';
import { createHandlers } from '../../../electron/core/handlers.ts';
import type { TillCore, TillCoreOptions } from '../../../electron/core/till-core.ts';
import { type System, startSystem } from '../../../scripts/system.ts';
import { newId } from '../../../shared/ids.ts';
import { type PaymentInfo, TILL_EVENTS } from '../../../shared/ipc.ts';
import { describeQris } from '../../../shared/qris/index.ts';
import { makeCore, tempDir } from './helpers.ts';

const systems: System[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.stop().catch(() => undefined);
});

async function system(): Promise<System> {
  const s = await startSystem({ dataDir: tempDir('system-'), port: 0, paymentTtlSeconds: 600 });
  systems.push(s);
  return s;
}

/** Resolves with the first pushed payment update that satisfies `pred` (the core publishes every change). */
function nextPayment(core: TillCore, pred: (p: PaymentInfo) => boolean, ms = 15_000): Promise<PaymentInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no matching payment:updated event'));
    }, ms);
    const off = core.events.subscribe((name, payload) => {
      if (name === TILL_EVENTS.paymentUpdated && pred(payload as PaymentInfo)) {
        clearTimeout(timer);
        off();
        resolve(payload as PaymentInfo);
      }
    });
  });
}

async function online(core: TillCore): Promise<void> {
  for (let i = 0; i < 300 && core.status().connection !== 'online'; i++) await new Promise((r) => setTimeout(r, 20));
  expect(core.status().connection).toBe('online');
}

async function configuredCore(sys: System, dataDir = tempDir(), o: Partial<TillCoreOptions> = {}) {
  const { token } = await sys.enrolDevice({
    storeId: `store-${newId().slice(-8)}`,
    storeName: 'Warung Bu Sri',
    deviceName: 'Kasir 1',
  });
  const core = makeCore({ dataDir, pollIntervalMs: 60_000, live: { minBackoffMs: 50, maxBackoffMs: 200 }, ...o });
  const h = createHandlers(core);
  expect((await h['settings:set']({ serverUrl: sys.serverUrl, deviceToken: token })).ok).toBe(true);
  core.seedDemoCatalog();
  return { core, h, token };
}

async function sale(h: ReturnType<typeof createHandlers>, core: TillCore) {
  const products = core.listCatalog(undefined);
  const r = await h['sale:create']({
    lines: [
      { productId: products[0]!.id, qty: 2 },
      { productId: products[1]!.id, qty: 1 },
    ],
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.data;
}

describe('QRIS payment through the real sync-server', () => {
  it('shows a dynamic QR, and the customer paying it marks the payment and sale paid over the live socket', async () => {
    const sys = await system();
    const { core, h } = await configuredCore(sys);
    core.start();
    await online(core);
    expect(core.status().clockWarning).toBe(false);
    const s = await sale(h, core);

    const started = await h['payment:startQris']({ saleId: s.id });
    if (!started.ok) throw new Error(started.error.message);
    const p = started.data;
    expect(p).toMatchObject({ method: 'qris', status: 'pending', amount: s.total, expirySuspected: false });
    expect(p.qrString).toMatch(/^000201/);
    expect(describeQris(p.qrString!).amount).toBe(s.total);
    expect(p.merchantName).toBeTruthy();
    expect(p.expiresAt).toBeGreaterThan(Date.now());

    // Asking again shows the same QR (same client id, no second charge).
    const again = await h['payment:startQris']({ saleId: s.id });
    expect(again.ok && again.data.id).toBe(p.id);

    const paidEvent = nextPayment(core, (x) => x.id === p.id && x.status === 'paid');
    const paid = await sys.pay(p.qrString!);
    expect(paid.ok).toBe(true);
    const got = await paidEvent;
    expect(got.paidAt).not.toBeNull();
    const receipt = await h['sale:get']({ saleId: s.id });
    expect(receipt.ok && receipt.data.sale.status).toBe('paid');
    expect(core.status().lastSyncedAt).not.toBeNull();
    // The payment was committed with its outbox row before the server was asked; the drain then pushed it
    // and the server linked it to the payment it had created.
    await expect.poll(() => listOutbox(core.db).length, { timeout: 10_000 }).toBe(0);
    const linked = await sys.server.ctx.database.db
      .selectFrom('sync_mutations')
      .select(['type', 'outcome', 'detail'])
      .where('entity_id', '=', p.id)
      .execute();
    expect(linked).toEqual([{ type: 'payment.qris', outcome: 'applied', detail: 'linked' }]);
    // Cancelling a paid payment is refused.
    expect(await h['payment:cancel']({ paymentId: p.id })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_PAID' },
    });
  });

  it('cancels a QR at the server', async () => {
    const sys = await system();
    const { core, h } = await configuredCore(sys);
    const s = await sale(h, core);
    const started = await h['payment:startQris']({ saleId: s.id });
    if (!started.ok) throw new Error(started.error.message);
    const c = await h['payment:cancel']({ paymentId: started.data.id });
    expect(c).toMatchObject({ ok: true, data: { status: 'cancelled' } });
    // Nothing was queued: the server already knows.
    expect(listOutbox(core.db).some((o) => o.kind === 'payment.cancel_requested')).toBe(false);
  });

  it('resumes from its cursor after a restart and learns of a payment made while it was closed', async () => {
    const sys = await system();
    const dataDir = tempDir();
    const first = await configuredCore(sys, dataDir);
    const s = await sale(first.h, first.core);
    const started = await first.h['payment:startQris']({ saleId: s.id });
    if (!started.ok) throw new Error(started.error.message);
    first.core.close();
    expect((await sys.pay(started.data.qrString!)).ok).toBe(true);

    const core = makeCore({ dataDir, pollIntervalMs: 60_000, live: { minBackoffMs: 50, maxBackoffMs: 200 } });
    const paid = nextPayment(core, (x) => x.id === started.data.id && x.status === 'paid');
    core.start();
    await paid;
    expect(core.getReceipt({ saleId: s.id }).sale.status).toBe('paid');
  });

  it('ignores a pushed event for a payment this till does not know, and still advances its cursor', async () => {
    const sys = await system();
    const { core } = await configuredCore(sys);
    const before = core.status();
    const r = core.applyEvent({
      seq: 99,
      type: 'payment.updated',
      store_id: 's',
      at: Date.now(),
      payment: {
        payment_id: newId(),
        sale_id: newId(),
        store_id: 's',
        device_id: 'd',
        amount: 1000,
        status: 'paid',
        late: false,
        provider: 'xendit',
        provider_ref: null,
        qr_string: null,
        expires_at: null,
        paid_at: Date.now(),
        refunded_amount: 0,
        created_at: Date.now(),
        updated_at: Date.now(),
      },
    });
    expect(r).toBeNull();
    expect(readSyncState(core.db).cursor).toBe(99);
    expect(core.recentSales(undefined)).toEqual([]);
    expect(core.status().pendingOutbox).toBe(before.pendingOutbox);
  });

  it('with the server stopped: a clear retryable SERVER_UNREACHABLE, the sale kept, and cash still works', async () => {
    const sys = await system();
    const { core, h } = await configuredCore(sys);
    await sys.stop();
    systems.length = 0;
    const s = await sale(h, core);
    const r = await h['payment:startQris']({ saleId: s.id });
    expect(r).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE', retryable: true } });
    const kept = await h['sale:get']({ saleId: s.id });
    expect(kept.ok && kept.data.sale.status).toBe('open');
    expect(kept.ok && kept.data.sale.payments.map((p) => [p.method, p.status, p.qrString])).toEqual([
      ['qris', 'pending', null],
    ]);
    expect(core.status().lastError).toMatch(/could not connect/);
    // The cashier takes cash instead: the unconfirmed QRIS is cancelled locally and the cancel is queued.
    const cash = await h['payment:cash']({ saleId: s.id, tendered: s.total });
    expect(cash).toMatchObject({ ok: true, data: { status: 'paid', change: 0 } });
    expect(listOutbox(core.db).map((o) => o.kind)).toEqual([
      'sale.created',
      'payment.created',
      'payment.cancel_requested',
      'payment.cash',
    ]);
  });

  it("shows 'expired?' once the QR's time has passed with the server unreachable, but never decides for it", async () => {
    const sys = await system();
    // The till's clock is a dial here: no test waits for real minutes.
    let offset = 0;
    const { core, h } = await configuredCore(sys, tempDir(), { now: () => Date.now() + offset, pollIntervalMs: 50 });
    core.start();
    await online(core);
    const s = await sale(h, core);
    const started = await h['payment:startQris']({ saleId: s.id });
    if (!started.ok) throw new Error(started.error.message);
    expect(started.data.expirySuspected).toBe(false);
    await sys.stop();
    systems.length = 0;
    for (let i = 0; i < 300 && core.status().connection === 'online'; i++) await new Promise((r) => setTimeout(r, 20));
    const suspected = nextPayment(core, (x) => x.id === started.data.id && x.expirySuspected);
    offset = started.data.expiresAt! - Date.now() + 1_000;
    const p = await suspected;
    expect(p.status).toBe('pending');
    expect(core.getPayment({ paymentId: p.id })).toMatchObject({ status: 'pending', expirySuspected: true });
    expect(core.getReceipt({ saleId: s.id }).sale.status).toBe('open');
    // Asking the server now fails clearly instead of guessing.
    expect(await h['payment:check']({ paymentId: p.id })).toMatchObject({
      ok: false,
      error: { code: 'SERVER_UNREACHABLE', retryable: true },
    });
  });
});
