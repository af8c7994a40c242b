/**
 * The outbox drain against the real sync-server (scripts/system.ts), plus the drain's error classification
 * and the connectivity hysteresis on their own.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ackState, enqueue, listOutbox, listParked, nextBatch } from '../../../electron/core/db/repos/outbox-repo.ts';
import { silentLogger } from '../../../electron/core/errors.ts';
import { createHandlers } from '../../../electron/core/handlers.ts';
import { ConnectivityMonitor } from '../../../electron/core/sync/connectivity.ts';
import { SyncPusher } from '../../../electron/core/sync/pusher.ts';
import type { PushResult, ServerApi } from '../../../electron/core/sync/server-api.ts';
import type { TillCore } from '../../../electron/core/till-core.ts';
import { type System, startSystem } from '../../../scripts/system.ts';
import { COUNTER_EVENTS } from '../../../shared/counter.ts';
import { newId } from '../../../shared/ids.ts';
import type { ConnectionState } from '../../../shared/ipc.ts';
import { storeSalesTotals } from '../../../sync-server/src/repos/synced-sales-repo.ts';
import { makeCore, tempDir } from './helpers.ts';

const systems: System[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const s of systems.splice(0)) await s.stop().catch(() => undefined);
});

async function system(): Promise<System> {
  const s = await startSystem({ dataDir: tempDir('system-'), port: 0 });
  systems.push(s);
  return s;
}

async function tillFor(sys: System, fetchImpl?: typeof fetch) {
  const storeId = `store-${newId().slice(-12)}`;
  const { token, deviceId } = await sys.enrolDevice({ storeId, deviceName: 'Kasir 1' });
  const core = makeCore({
    pollIntervalMs: 60_000,
    live: { minBackoffMs: 50, maxBackoffMs: 200 },
    push: { minBackoffMs: 20, maxBackoffMs: 200 },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  const h = createHandlers(core);
  expect((await h['settings:set']({ serverUrl: sys.serverUrl, deviceToken: token })).ok).toBe(true);
  core.seedDemoCatalog();
  return { core, h, storeId, deviceId };
}

function cashSale(core: TillCore, i: number) {
  const products = core.listCatalog(undefined);
  const s = core.createSale({
    lines: [
      { productId: products[i % products.length]!.id, qty: 1 + (i % 3) },
      { productId: products[(i + 1) % products.length]!.id, qty: 1 },
    ],
    ...(i % 4 === 0 ? { discount: { kind: 'amount' as const, value: 1_000 } } : {}),
  });
  return s;
}

const until = async (pred: () => boolean | Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('outbox mutation ids', () => {
  it('numbers entries 1, 2, 3… in the transaction of their entity; a rolled-back entity uses no id', async () => {
    const core = makeCore();
    core.seedDemoCatalog();
    const s1 = cashSale(core, 0);
    await core.payCash({ saleId: s1.id, tendered: s1.total });
    expect(() =>
      core.db.transaction(() => {
        enqueue(core.db, { id: newId(), kind: 'sale.created', entityId: 'x', payload: {} }, 1);
        throw new Error('the sale failed');
      })(),
    ).toThrow('the sale failed');
    cashSale(core, 1);
    expect(listOutbox(core.db).map((e) => [e.mutationId, e.kind])).toEqual([
      [1, 'sale.created'],
      [2, 'payment.cash'],
      [3, 'sale.created'],
    ]);
    expect(() => enqueue(core.db, { id: newId(), kind: 'sale.created', entityId: 'y', payload: {} }, 1)).toThrow(
      /transaction/,
    );
  });
});

describe('draining to the real server', () => {
  it('pushes queued sales and cash payments in batches; the server holds each once and the queue empties', async () => {
    const sys = await system();
    const { core, storeId } = await tillFor(sys);
    let expected = 0;
    for (let i = 0; i < 30; i++) {
      const s = cashSale(core, i);
      await core.payCash({ saleId: s.id, tendered: s.total + 500 });
      expected += s.total;
    }
    const statuses: { pending: number; pendingTotal: number }[] = [];
    core.events.subscribe((name, p) => {
      if (name === 'connection:changed') statuses.push(p as { pending: number; pendingTotal: number });
    });
    expect(core.status()).toMatchObject({ pending: 30, pendingTotal: expected, pendingOutbox: 60 });
    core.start();
    await until(() => core.status().pendingOutbox === 0);
    const db = sys.server.ctx.database.db;
    expect(await storeSalesTotals(db, storeId)).toMatchObject({ sales: 30, total: expected, cash: expected });
    expect(ackState(core.db)).toEqual({ lastMutationId: 60, ackedMutationId: 60 });
    expect(core.status()).toMatchObject({ pending: 0, pendingTotal: 0, parked: 0, syncProgress: null });
    expect(core.status().lastSyncedAt).not.toBeNull();
    expect(statuses.at(-1)).toMatchObject({ pending: 0, pendingTotal: 0 });
  });

  it('tells the server with each push what stays queued after it, so the dashboard sees the lag until the end', async () => {
    const sys = await system();
    const sent: { mutations: number; client_state: unknown }[] = [];
    const recording: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/v1/sync/push')) {
        const body = JSON.parse(String(init?.body)) as { mutations: unknown[]; client_state: unknown };
        sent.push({ mutations: body.mutations.length, client_state: body.client_state });
      }
      return fetch(input, init);
    };
    const storeId = `store-${newId().slice(-12)}`;
    const { token, deviceId } = await sys.enrolDevice({ storeId, deviceName: 'Kasir 1' });
    const core = makeCore({ pollIntervalMs: 60_000, push: { batchSize: 8 }, fetch: recording });
    const h = createHandlers(core);
    expect((await h['settings:set']({ serverUrl: sys.serverUrl, deviceToken: token })).ok).toBe(true);
    core.seedDemoCatalog();
    for (let i = 0; i < 10; i++) {
      const s = cashSale(core, i);
      await core.payCash({ saleId: s.id, tendered: s.total });
    }
    const created = listOutbox(core.db).map((e) => e.createdAt);
    core.start();
    await until(() => core.status().pendingOutbox === 0);
    expect(sent.map((x) => x.mutations)).toEqual([8, 8, 4]);
    expect(sent.map((x) => x.client_state)).toEqual([
      { queue_depth: 12, parked: 0, oldest_unsynced_at: created[8], unverified_amount: 0 },
      { queue_depth: 4, parked: 0, oldest_unsynced_at: created[16], unverified_amount: 0 },
      { queue_depth: 0, parked: 0, oldest_unsynced_at: null, unverified_amount: 0 },
    ]);
    const row = await sys.server.ctx.database.db
      .selectFrom('device_sync')
      .selectAll()
      .where('device_id', '=', deviceId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ queue_depth: 0, oldest_unsynced_at: null, last_mutation_id: 20 });
  });

  it('keeps entries whose acknowledgement was lost and sends them again; the server applies them once', async () => {
    const sys = await system();
    let dropAnswers = 2;
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/v1/sync/push') && dropAnswers-- > 0) {
        await res.arrayBuffer();
        throw new TypeError('fetch failed'); // the server applied it; the till never hears so
      }
      return res;
    };
    const { core, storeId } = await tillFor(sys, lossy);
    let expected = 0;
    for (let i = 0; i < 5; i++) {
      const s = cashSale(core, i);
      await core.payCash({ saleId: s.id, tendered: s.total });
      expected += s.total;
    }
    core.start();
    await until(() => core.status().pendingOutbox === 0);
    expect(dropAnswers).toBeLessThan(0);
    expect(await storeSalesTotals(sys.server.ctx.database.db, storeId)).toMatchObject({
      sales: 5,
      total: expected,
      cash: expected,
    });
  });

  it('parks an entry the server refuses, with its reason, never deletes it, and re-sends it on retry', async () => {
    const sys = await system();
    const { core, h, storeId } = await tillFor(sys);
    const good = cashSale(core, 1);
    // A corrupt entry (its total disagrees with its lines), as a bug or a damaged disk could leave.
    core.db.transaction(() => {
      enqueue(
        core.db,
        { id: newId(), kind: 'sale.created', entityId: good.id, payload: { id: good.id, total: -5, lines: [] } },
        Date.now(),
      );
    })();
    const after = cashSale(core, 2);
    core.start();
    await until(() => core.status().pendingOutbox === 0);
    const parked = listParked(core.db);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.lastError).toMatch(/^INVALID_INPUT: /);
    expect(core.status()).toMatchObject({ parked: 1, parkedOutbox: 1 });
    expect(await storeSalesTotals(sys.server.ctx.database.db, storeId)).toMatchObject({
      sales: 2,
      total: good.total + after.total,
    });

    const r = await h['sync:retryParked'](undefined);
    expect(r.ok).toBe(true);
    // It went back to the queue under a new id (3 was consumed by the refusal), and was refused again: kept.
    await until(() => listParked(core.db)[0]?.mutationId === 4);
    expect(listParked(core.db)).toHaveLength(1);
    expect(ackState(core.db).ackedMutationId).toBe(4);
  });

  it('keeps selling offline and counts the unsynced sales; the backlog drains when the server is reachable', async () => {
    const sys = await system();
    let down = true;
    const gate: typeof fetch = async (input, init) => {
      if (down) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const { core, storeId } = await tillFor(sys, gate);
    core.start();
    let total = 0;
    for (let i = 0; i < 12; i++) {
      const s = cashSale(core, i);
      await core.payCash({ saleId: s.id, tendered: s.total });
      total += s.total;
    }
    await until(() => listOutbox(core.db).some((e) => e.attempts > 0));
    expect(core.status()).toMatchObject({ pending: 12, pendingTotal: total, parked: 0 });
    expect(core.status().lastError).toMatch(/could not connect/);
    down = false;
    await until(() => core.status().pendingOutbox === 0);
    expect(await storeSalesTotals(sys.server.ctx.database.db, storeId)).toMatchObject({ sales: 12, total });
  });
});

describe('drain error classification', () => {
  function stepper(answers: PushResult[]) {
    const core = makeCore();
    core.seedDemoCatalog();
    for (let i = 0; i < 6; i++) cashSale(core, i);
    const sent: number[][] = [];
    const api = {
      push: async (req: { mutations: { mutation_id: number }[] }) => {
        sent.push(req.mutations.map((m) => m.mutation_id));
        return answers.shift()!;
      },
    } as unknown as ServerApi;
    const reach: boolean[] = [];
    const pusher = new SyncPusher({
      db: core.db,
      api: () => api,
      now: Date.now,
      log: silentLogger,
      onChange: () => {},
      onReachability: (ok) => reach.push(ok),
      batchSize: 4,
    });
    return { core, pusher, sent, reach };
  }
  const ok = (last: number): PushResult => ({
    ok: true,
    data: { last_mutation_id: last, rejected: [], server_time: Date.now(), clock_skew_ms: 0 },
    rttMs: 1,
    sentAt: Date.now(),
  });
  const fail = (status: number, code: string, extra: object = {}): PushResult => ({
    ok: false,
    status,
    code,
    message: code,
    ...extra,
  });

  it('retries network errors and 5xx, halves the batch on 413, and never parks for a whole-request refusal', async () => {
    const { core, pusher, sent, reach } = stepper([
      fail(0, 'NETWORK'),
      fail(503, 'INTERNAL'),
      fail(413, 'PAYLOAD_TOO_LARGE'),
      ok(2),
      fail(401, 'UNAUTHORIZED'),
      fail(409, 'MUTATION_GAP', { lastMutationId: 0 }),
      ok(6),
    ]);
    expect(await pusher.drainOnce()).toBe('failed');
    expect(await pusher.drainOnce()).toBe('failed');
    expect(nextBatch(core.db, 10)[0]!.attempts).toBe(2);
    expect(await pusher.drainOnce()).toBe('progress');
    expect(await pusher.drainOnce()).toBe('progress');
    expect(sent.slice(0, 4)).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2],
    ]);
    expect(await pusher.drainOnce()).toBe('failed');
    expect(pusher.lastError).toBe('UNAUTHORIZED');
    expect(await pusher.drainOnce()).toBe('failed');
    expect(pusher.lastError).toMatch(/queue starts at 3/);
    expect(listParked(core.db)).toEqual([]);
    expect(await pusher.drainOnce()).toBe('progress');
    expect(await pusher.drainOnce()).toBe('empty');
    expect(reach).toEqual([false, false, true, true, true, true, true]);
  });

  it('starts no push while held (a QRIS create is on its way), keeps the kicks, and pushes on release', async () => {
    const { pusher, sent } = stepper([ok(4), ok(6)]);
    const release = pusher.hold();
    const second = pusher.hold();
    pusher.start();
    pusher.kick(false, 5);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual([]);
    release();
    release(); // a release counts once
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual([]);
    second();
    await until(() => sent.length === 2);
    expect(sent).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    pusher.stop();
  });
});

describe('offline detection', () => {
  it('does not flap on a socket that drops and comes back, and needs a stable socket to come back online', () => {
    vi.useFakeTimers();
    const seen: ConnectionState[] = [];
    const m = new ConnectivityMonitor({ onChange: (s) => seen.push(s), downAfterMs: 4_000, upAfterMs: 1_500 });
    m.socket(true);
    expect(m.state).toBe('online');
    // A flaky link: down 1 s, up 1 s, ten times: never "offline".
    for (let i = 0; i < 10; i++) {
      m.socket(false);
      vi.advanceTimersByTime(1_000);
      m.socket(true);
      vi.advanceTimersByTime(1_000);
    }
    expect(seen).toEqual(['online']);
    m.socket(false);
    vi.advanceTimersByTime(4_000);
    expect(m.state).toBe('offline');
    // Up for a moment only: still offline.
    m.socket(true);
    vi.advanceTimersByTime(500);
    m.socket(false);
    vi.advanceTimersByTime(10_000);
    expect(m.state).toBe('offline');
    m.socket(true);
    vi.advanceTimersByTime(1_500);
    expect(m.state).toBe('online');
    expect(seen).toEqual(['online', 'offline', 'online']);
  });

  it('starts over for another server: the new server answering turns it online, whatever the old one did', () => {
    vi.useFakeTimers();
    const seen: ConnectionState[] = [];
    const m = new ConnectivityMonitor({ onChange: (s) => seen.push(s), downAfterMs: 4_000, upAfterMs: 1_500 });
    m.socket(true); // the first server: online
    m.socket(false); // switched to an address that refuses the socket, within the grace period
    m.restart();
    expect(m.state).toBe('connecting');
    m.socket(true); // back to a server that answers
    expect(m.state).toBe('online');
    expect(seen).toEqual(['online', 'connecting', 'online']);
  });

  it('goes offline after consecutive failed requests even while the socket looks up, and back on success', () => {
    vi.useFakeTimers();
    const m = new ConnectivityMonitor({ onChange: () => {}, failuresToOffline: 2 });
    m.socket(true);
    m.requestFailed();
    expect(m.state).toBe('online');
    m.requestOk();
    m.requestFailed();
    expect(m.state).toBe('online');
    m.requestFailed();
    expect(m.state).toBe('offline');
    m.requestOk();
    expect(m.state).toBe('online');
  });
});

describe('a closed shift', () => {
  it('reaches the server through the same drain, and the shift shows as synced once it is there', async () => {
    const sys = await system();
    const { core } = await tillFor(sys);
    const shown: boolean[] = [];
    core.events.subscribe((name, payload) => {
      const s = payload as { synced?: boolean } | null;
      if (name === COUNTER_EVENTS.shiftChanged && s) shown.push(Boolean(s.synced));
    });
    core.start();
    try {
      core.counter.openShift({ openingFloat: 100_000, cashier: 'Budi' });
      const sale = cashSale(core, 1);
      await core.payCash({ saleId: sale.id, tendered: sale.total });
      await until(() => listOutbox(core.db).length === 0);
      const closed = core.counter.closeShift({ countedCash: 99_000 + sale.total });
      await until(() => core.counter.currentShift()?.synced === true);
      expect(listParked(core.db)).toEqual([]);
      // The screen was told, not only the database.
      expect(shown.at(-1)).toBe(true);
      const device = await sys.server.ctx.database.db
        .selectFrom('shifts')
        .selectAll()
        .where('id', '=', closed.id)
        .executeTakeFirst();
      expect(device).toMatchObject({ counted_cash: 99_000 + sale.total, difference: -1_000, cashier: 'Budi' });
      // The sale rung up during the shift reached the server with the cashier's name.
      const synced = await sys.server.ctx.database.db
        .selectFrom('sales')
        .select('cashier')
        .where('id', '=', sale.id)
        .executeTakeFirst();
      expect(synced?.cashier).toBe('Budi');
    } finally {
      core.close();
    }
  });
});
