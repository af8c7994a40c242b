/**
 * Child process for the crash test: opens the till core on the data folder given as argv[2], seeds the demo
 * catalog if empty, then records argv[3] sales as fast as it can, printing `COMMITTED <sale id>` only after
 * each sale's transaction has returned. The parent SIGKILLs it in the middle of the burst.
 */
import { writeSync } from 'node:fs';
import { silentLogger } from '../../../electron/core/errors.ts';
import { TillCore } from '../../../electron/core/till-core.ts';

const [dataDir, countArg] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: sale-burst-child.ts <dataDir> [count]');
const count = Number(countArg ?? 200);
const core = new TillCore({ dataDir, log: silentLogger });
core.seedDemoCatalog();
const products = core.listCatalog(undefined);
writeSync(1, 'READY\n');
for (let i = 0; i < count; i++) {
  // Several lines per sale so that a kill can land between a sale's rows, not only between sales.
  const lines = products
    .slice(0, 1 + (i % products.length))
    .map((p, j) => ({ productId: p.id, qty: 1 + ((i + j) % 5) }));
  const sale = core.createSale({ lines });
  // A synchronous write: when the parent reads this line, the sale had already committed.
  writeSync(1, `COMMITTED ${sale.id}\n`);
}
writeSync(1, 'DONE\n');
core.close();
