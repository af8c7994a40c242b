/**
 * Sync benchmark, issue 7: a till that was offline holds 10,000 cash sales (20,000 outbox entries: each sale
 * and its payment); it reconnects, and we time until the server has acknowledged every entry (queue empty),
 * through the real drain (TillCore → HTTP → POST /v1/sync/push → SQLite/PostgreSQL). The baseline, in the same
 * run, is one request per sale (the sale and its payment per push), measured on fewer sales and scaled to the
 * same count, because at one request per sale the full 10,000 would dominate the whole benchmark run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordCashPayment } from '../../electron/core/payments/payments.ts';
import { recordSale } from '../../electron/core/sales/sales.ts';
import { TillCore } from '../../electron/core/till-core.ts';
import { type System, startSystem } from '../../scripts/system.ts';
import { newId } from '../../shared/ids.ts';
import { storeSalesTotals } from '../../sync-server/src/repos/synced-sales-repo.ts';
import type { Figure } from './stats.ts';

const silent = { info() {}, warn() {}, error() {} };

async function drainSeconds(sys: System, dir: string, sales: number, batchSize: number): Promise<number> {
  const storeId = `bench-sync-${newId().slice(-8)}`;
  const { token } = await sys.enrolDevice({ storeId, deviceName: 'Kasir 1' });
  const core = new TillCore({
    dataDir: join(dir, storeId),
    log: silent,
    pollIntervalMs: 3_600_000,
    push: { batchSize, minBackoffMs: 50, maxBackoffMs: 500 },
  });
  try {
    core.saveSettings({ serverUrl: sys.serverUrl, deviceToken: token });
    core.seedDemoCatalog();
    const products = core.listCatalog(undefined);
    // Queued while offline (the core is not started): one transaction so that setting up is quick.
    const now = Date.now();
    core.db.transaction(() => {
      for (let i = 0; i < sales; i++) {
        const lines = products.slice(i % 4, (i % 4) + 1 + (i % 3)).map((p) => ({ productId: p.id, qty: 1 + (i % 2) }));
        const s = recordSale(core.db, { lines }, now + i);
        recordCashPayment(core.db, s.id, s.total, now + i);
      }
    })();
    if (core.status().pendingOutbox !== 2 * sales) throw new Error('queue not as expected');
    // Done when the core's own status snapshot says the queue is empty (no polling beside the drain).
    const drained = new Promise<void>((resolve) => {
      const off = core.events.subscribe((name, payload) => {
        if (name === 'connection:changed' && (payload as { pendingOutbox: number }).pendingOutbox === 0) {
          off();
          resolve();
        }
      });
    });
    const t0 = performance.now();
    core.start();
    await drained;
    const seconds = (performance.now() - t0) / 1000;
    const held = await storeSalesTotals(sys.server.ctx.database.db, storeId);
    if (held.sales !== sales || held.cash !== held.total) throw new Error(`server holds ${held.sales} of ${sales}`);
    return seconds;
  } finally {
    core.close();
  }
}

export async function benchSync(o: { sales?: number; baselineSales?: number; databaseUrl?: string } = {}) {
  const sales = o.sales ?? 10_000;
  const baselineSales = o.baselineSales ?? 1_000;
  const dir = mkdtempSync(join(tmpdir(), 'kasir-bench-sync-'));
  const sys = await startSystem({ dataDir: dir, sweepIntervalMs: 3_600_000, databaseUrl: o.databaseUrl });
  try {
    const batched = await drainSeconds(sys, dir, sales, 500);
    const single = await drainSeconds(sys, dir, baselineSales, 2);
    const figures: Figure[] = [
      {
        name: `${sales.toLocaleString('en')} queued sales pushed + acknowledged`,
        value: batched,
        unit: 's',
        baseline: {
          name: `one request per sale (${baselineSales.toLocaleString('en')} measured, scaled)`,
          value: (single * sales) / baselineSales,
        },
        target: '≤ 5 s, ≥ 20× faster',
      },
    ];
    return figures;
  } finally {
    await sys.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
