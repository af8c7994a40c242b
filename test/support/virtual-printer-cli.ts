/**
 * `npm run printer [-- --port 9100]`: the virtual receipt printer as a dev tool. Point the till's printer
 * setup (Shift & printer → Network) at 127.0.0.1 and this port; every receipt is printed here as text, with
 * its QR data and whether the paper was cut. Port 0 picks a free one.
 */
import { parseArgs } from 'node:util';
import { VirtualPrinter } from './virtual-printer.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9100' } }, strict: true });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`--port must be 0…65535, got ${values.port}\n`);
  process.exit(2);
}
const printer = new VirtualPrinter();
try {
  await printer.up(port);
} catch (e) {
  process.stderr.write(`the virtual printer could not listen on ${port}: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
}
process.stdout.write(`PRINTER=127.0.0.1:${printer.port}\n`);
let shown = 0;
setInterval(() => {
  for (const r of printer.receipts.slice(shown)) {
    const width = Math.max(32, ...r.lines.map((l) => l.length));
    process.stdout.write(`${'='.repeat(width)}\n${r.text}\n[QR: ${r.qr.join(', ')}]${r.cut ? ' [cut]' : ''}\n`);
  }
  shown = printer.receipts.length;
}, 200);
process.once('SIGINT', () => void printer.down().then(() => process.exit(0)));
