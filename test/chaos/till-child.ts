/**
 * A till core in its own process for the chaos test: argv = dataDir serverUrl token target. It rings up cash
 * sales until the till's own database holds `target` of them (so a restart continues where the killed one
 * stopped), pushing as it goes; once all are made and the outbox is empty it prints DONE and exits.
 */
import { writeSync } from 'node:fs';

/** The parent may already have stopped listening (it is about to kill us): never die of EPIPE for that. */
const say = (line: string) => {
  try {
    writeSync(1, `${line}\n`);
  } catch {}
};

import { silentLogger } from '../../electron/core/errors.ts';
import { TillCore } from '../../electron/core/till-core.ts';

const [dataDir, serverUrl, token, targetArg, paceArg] = process.argv.slice(2);
if (!dataDir || !serverUrl || !token) throw new Error('usage: till-child.ts dataDir serverUrl token target [paceMs]');
const target = Number(targetArg ?? 1000);
const paceMs = Number(paceArg ?? 10);

const core = new TillCore({
  dataDir,
  log: silentLogger,
  pollIntervalMs: 60_000,
  requestTimeoutMs: 2_000,
  live: { minBackoffMs: 50, maxBackoffMs: 300, heartbeatMs: 5_000 },
  push: { batchSize: 40, minBackoffMs: 20, maxBackoffMs: 300 },
});
core.saveSettings({ serverUrl, deviceToken: token });
core.seedDemoCatalog();
const products = core.listCatalog(undefined);
core.start();
say('READY');

const salesSoFar = () => (core.db.prepare('SELECT count(*) AS n FROM sales').get() as { n: number }).n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let i = salesSoFar();
while (salesSoFar() < target) {
  const lines = products
    .slice(i % 3, (i % 3) + 1 + (i % 4))
    .map((p, j) => ({ productId: p.id, qty: 1 + ((i + j) % 3) }));
  const sale = core.createSale({ lines, ...(i % 5 === 0 ? { discount: { kind: 'percent_bp', value: 1_000 } } : {}) });
  await core.payCash({ saleId: sale.id, tendered: sale.total + (i % 2) * 5_000 });
  say('SALE');
  i++;
  await sleep(paceMs);
}
for (;;) {
  const s = core.status();
  if (s.pendingOutbox === 0 && s.parkedOutbox === 0) break;
  await sleep(20);
}
say('DONE');
core.close();
process.exit(0);
