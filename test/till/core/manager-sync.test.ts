/**
 * The manager PIN (hashed, lockout, survives a restart), the sync page's details behind it, the drain's
 * progress and the quit/logout risk.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge, listOutbox } from '../../../electron/core/db/repos/outbox-repo.ts';
import { readSettings } from '../../../electron/core/db/repos/settings-repo.ts';
import { createHandlers } from '../../../electron/core/handlers.ts';
import { PIN_LOCK_MS, PIN_MAX_TRIES } from '../../../electron/core/manager/pin.ts';
import { DrainTracker } from '../../../electron/core/sync/drain-tracker.ts';
import { quitPrompt } from '../../../electron/core/sync/risk.ts';
import { rupiah } from '../../../shared/money.ts';
import { unsyncedRisk } from '../../../shared/sync-risk.ts';
import { makeCore, tempDir } from './helpers.ts';

function clock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('manager PIN', () => {
  it('is stored as a salted scrypt hash, never the PIN, and unlocks the sync details', async () => {
    const core = makeCore();
    const h = createHandlers(core);
    expect(await h['sync:details'](undefined)).toMatchObject({ ok: false, error: { code: 'PIN_REQUIRED' } });
    expect(await h['manager:pin'](undefined)).toMatchObject({ ok: true, data: { set: false } });
    expect(await h['manager:unlock']({ pin: '1234' })).toMatchObject({ ok: false, error: { code: 'PIN_REQUIRED' } });

    expect(await h['manager:setPin']({ pin: '482913' })).toMatchObject({ ok: true, data: { set: true } });
    const stored = JSON.stringify(readSettings(core.db).managerPin);
    expect(stored).not.toContain('482913');
    expect(readSettings(core.db).managerPin).toMatchObject({
      algo: 'scrypt',
      salt: expect.stringMatching(/^[0-9a-f]{32}$/),
    });

    await h['manager:lock'](undefined);
    expect(await h['sync:details'](undefined)).toMatchObject({ ok: false, error: { code: 'PIN_REQUIRED' } });
    expect(await h['manager:unlock']({ pin: '000000' })).toMatchObject({ ok: false, error: { code: 'PIN_WRONG' } });
    expect(await h['sync:details'](undefined)).toMatchObject({ ok: false, error: { code: 'PIN_REQUIRED' } });
    expect(await h['manager:unlock']({ pin: '482913' })).toMatchObject({ ok: true });
    expect(await h['sync:details'](undefined)).toMatchObject({ ok: true, data: { parkedItems: [], unverified: [] } });
  });

  it('refuses PINs that are not 4 to 8 digits', async () => {
    const h = createHandlers(makeCore());
    for (const pin of ['123', '123456789', '12a4', ' 1234', '']) {
      expect(await h['manager:setPin']({ pin })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
  });

  it('changing the PIN needs the current one', async () => {
    const h = createHandlers(makeCore());
    await h['manager:setPin']({ pin: '1111' });
    expect(await h['manager:setPin']({ pin: '2222' })).toMatchObject({ ok: false, error: { code: 'PIN_REQUIRED' } });
    expect(await h['manager:setPin']({ pin: '2222', currentPin: '3333' })).toMatchObject({
      ok: false,
      error: { code: 'PIN_WRONG' },
    });
    expect(await h['manager:setPin']({ pin: '2222', currentPin: '1111' })).toMatchObject({ ok: true });
    await h['manager:lock'](undefined);
    expect(await h['manager:unlock']({ pin: '1111' })).toMatchObject({ ok: false, error: { code: 'PIN_WRONG' } });
    expect(await h['manager:unlock']({ pin: '2222' })).toMatchObject({ ok: true });
  });

  it('locks out after a few wrong tries, even the right PIN, and a restart does not reset the count', async () => {
    const c = clock();
    const dataDir = tempDir();
    const core = makeCore({ dataDir, now: c.now });
    const h = createHandlers(core);
    await h['manager:setPin']({ pin: '5678' });
    await h['manager:lock'](undefined);
    for (let i = 1; i < PIN_MAX_TRIES; i++) {
      const r = await h['manager:unlock']({ pin: '0000' });
      expect(r).toMatchObject({ ok: false, error: { code: 'PIN_WRONG', message: String(PIN_MAX_TRIES - i) } });
    }
    core.close();
    // Turned off and on again: the last try before the lockout is still the last one.
    const again = createHandlers(makeCore({ dataDir, now: c.now }));
    expect(await again['manager:unlock']({ pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    expect(await again['manager:unlock']({ pin: '5678' })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    c.advance(PIN_LOCK_MS + 1);
    expect(await again['manager:unlock']({ pin: '5678' })).toMatchObject({ ok: true });
  });

  it('the unlock runs out', async () => {
    const c = clock();
    const core = makeCore({ now: c.now });
    const h = createHandlers(core);
    await h['manager:setPin']({ pin: '1234' });
    expect((await h['sync:details'](undefined)).ok).toBe(true);
    c.advance(11 * 60_000);
    expect(await h['sync:details'](undefined)).toMatchObject({ ok: false, error: { code: 'PIN_REQUIRED' } });
  });
});

describe('sync details', () => {
  it('show the queue, the oldest unsynced item and unsynced sales of a till whose server is down', async () => {
    const c = clock();
    const core = makeCore({ now: c.now });
    const h = createHandlers(core);
    core.seedDemoCatalog();
    const [a, b] = core.listCatalog(undefined);
    const first = core.createSale({ lines: [{ productId: a!.id, qty: 2 }] });
    c.advance(60_000);
    await core.payCash({ saleId: first.id, tendered: first.total });
    core.createSale({ lines: [{ productId: b!.id, qty: 1 }] });
    await h['manager:setPin']({ pin: '1234' });
    const r = await h['sync:details'](undefined);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.data.oldestUnsyncedAt).toBe(1_800_000_000_000);
    expect(r.data.status).toMatchObject({ pendingOutbox: 3, pending: 2, pendingTotal: a!.price * 2 + b!.price });
    expect(r.data.now).toBe(c.now());
  });
});

describe('parked entries', () => {
  it('show with their reason and amount, and the retry sends one of them again', async () => {
    const c = clock();
    const core = makeCore({ now: c.now });
    const h = createHandlers(core);
    core.seedDemoCatalog();
    const [a] = core.listCatalog(undefined);
    const sale = core.createSale({ lines: [{ productId: a!.id, qty: 2 }] });
    const entry = listOutbox(core.db).find((e) => e.entityId === sale.id)!;
    // The server refused the sale: parked with its reason, never deleted.
    acknowledge(
      core.db,
      { lastMutationId: entry.mutationId, rejected: [{ mutationId: entry.mutationId, reason: 'INVALID_INPUT: bad' }] },
      c.now(),
    );
    await h['manager:setPin']({ pin: '1234' });
    const r = await h['sync:details'](undefined);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.data.parkedItems).toEqual([
      expect.objectContaining({ id: entry.id, kind: 'sale.created', amount: sale.total, error: 'INVALID_INPUT: bad' }),
    ]);
    expect(r.data.status).toMatchObject({ parkedOutbox: 1, pending: 1, pendingTotal: sale.total });
    const retried = await h['sync:retryParked']({ ids: [entry.id] });
    expect(retried).toMatchObject({ ok: true, data: { parkedOutbox: 0, pendingOutbox: 1 } });
    const again = await h['sync:details'](undefined);
    expect(again.ok && again.data.parkedItems).toEqual([]);
  });
});

describe('drain progress', () => {
  it('counts acknowledged entries out of the backlog, new entries meanwhile included, and stays done', () => {
    const d = new DrainTracker();
    expect(d.observe({ online: false, pending: 5, ackedMutationId: 10, now: 1 })).toBeNull();
    expect(d.observe({ online: true, pending: 5, ackedMutationId: 10, now: 2 })).toMatchObject({
      done: 0,
      total: 5,
      finished: false,
    });
    expect(d.observe({ online: true, pending: 3, ackedMutationId: 12, now: 3 })).toMatchObject({ done: 2, total: 5 });
    // A sale made while draining joins the drain.
    expect(d.observe({ online: true, pending: 4, ackedMutationId: 12, now: 4 })).toMatchObject({ done: 2, total: 6 });
    expect(d.observe({ online: true, pending: 0, ackedMutationId: 16, now: 5 })).toMatchObject({
      done: 6,
      total: 6,
      finished: true,
      endedAt: 5,
    });
    expect(d.observe({ online: true, pending: 0, ackedMutationId: 16, now: 6 })).toMatchObject({ finished: true });
    d.reset();
    expect(d.observe({ online: true, pending: 0, ackedMutationId: 16, now: 7 })).toBeNull();
  });

  it('a drain that finished before any snapshot saw the till online still shows, from the previous snapshot', () => {
    const d = new DrainTracker();
    expect(d.observe({ online: false, pending: 6, ackedMutationId: 3, now: 1 })).toBeNull();
    expect(d.observe({ online: false, pending: 0, ackedMutationId: 9, now: 2 })).toMatchObject({
      done: 6,
      total: 6,
      finished: true,
      startedAt: 1,
    });
  });
});

describe('quit and logout risk', () => {
  const base = { pendingOutbox: 0, parkedOutbox: 0, pending: 0, pendingTotal: rupiah(0), unverifiedTotal: rupiah(0) };
  it('is nothing when everything reached the server', () => {
    expect(unsyncedRisk(base)).toBeNull();
  });
  it('counts queued and parked entries, unsynced sales and unverified money', () => {
    expect(
      unsyncedRisk({ ...base, pendingOutbox: 3, parkedOutbox: 1, pending: 2, pendingTotal: rupiah(33_000) }),
    ).toEqual({ entries: 4, sales: 2, salesTotal: 33_000, unverifiedTotal: 0 });
    expect(unsyncedRisk({ ...base, unverifiedTotal: rupiah(10_000) })).toMatchObject({ unverifiedTotal: 10_000 });
  });
  it('the Electron quit dialog says what is at risk in the till language', async () => {
    const core = makeCore();
    core.seedDemoCatalog();
    const [a] = core.listCatalog(undefined);
    expect(quitPrompt(core.status(), 'id')).toBeNull();
    core.createSale({ lines: [{ productId: a!.id, qty: 3 }] });
    const total = `Rp ${(a!.price * 3).toLocaleString('id-ID')}`;
    expect(quitPrompt(core.status(), 'id')?.detail).toContain(`1 penjualan belum terkirim (${total})`);
    expect(quitPrompt(core.status(), 'en')?.detail).toContain(`1 sale(s) not yet sent (${total})`);
  });
});
