/**
 * One sync-server instance for the WebSocket fan-out benchmark, in a process of its own so that its memory is
 * measured alone (the orchestrator reads /proc/<pid>/status). No sandboxes: the benchmark only sends signed
 * Midtrans settlements, which need no provider call.
 * Input (env): DATA_DIR, DATABASE_URL (optional: SQLite under DATA_DIR otherwise), MIDTRANS_SERVER_KEY,
 * STORES and DEVICES_PER_STORE (0 = enrol nothing, for a second instance), PAYMENTS_PER_STORE, OUT (a JSON file
 * for the tokens and payments). Prints `ready <url>` once it listens, then `mem <json>` when asked `mem` on stdin.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { newId } from '../../shared/ids.ts';
import { buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';
import { insertPaymentIfAbsent } from '../../sync-server/src/repos/payments-repo.ts';
import { enrolDevice } from '../../sync-server/src/services/devices.ts';

const env = process.env;
const stores = Number(env.STORES ?? 0);
const devicesPerStore = Number(env.DEVICES_PER_STORE ?? 0);
const paymentsPerStore = Number(env.PAYMENTS_PER_STORE ?? 0);

const config = loadConfig({
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: env.DATA_DIR,
  DATABASE_URL: env.DATABASE_URL,
  LOG_LEVEL: 'silent',
  MIDTRANS_SERVER_KEY: env.MIDTRANS_SERVER_KEY,
  DEFAULT_PROVIDER: 'midtrans',
  // Every client of the benchmark comes from 127.0.0.1, as tills behind one proxy would.
  MAX_CONNECTIONS_PER_IP: '0',
});
const { app, ctx } = await buildApp({ config, sweeper: false });
const db = ctx.database.db;

const tokens: { storeId: string; token: string }[] = [];
const payments: { storeId: string; id: string; ref: string; amount: number }[] = [];
if (devicesPerStore > 0) {
  const now = Date.now();
  for (let s = 0; s < stores; s++) {
    const storeId = `ws-${s}`;
    await db.transaction().execute(async (trx) => {
      for (let d = 0; d < devicesPerStore; d++) {
        const r = await enrolDevice(trx, { storeId, deviceName: `till-${d}`, provider: 'midtrans', now });
        tokens.push({ storeId, token: r.token });
        if (d === 0) {
          for (let i = 0; i < paymentsPerStore; i++) {
            const p = { storeId, id: newId(), ref: `ws-${newId()}`, amount: 10_000 + i };
            payments.push(p);
            await insertPaymentIfAbsent(trx, {
              id: p.id,
              sale_id: newId(),
              store_id: storeId,
              device_id: r.deviceId,
              amount: p.amount,
              provider: 'midtrans',
              provider_ref: p.ref,
              payment_ref: null,
              qr_string: null,
              status: 'pending',
              late: 0,
              expires_at: now + 3_600_000,
              paid_at: null,
              refunded_amount: 0,
              request_hash: 'bench',
              created_at: now,
              updated_at: now,
            });
          }
        }
      }
    });
  }
  writeFileSync(env.OUT!, JSON.stringify({ tokens, payments }));
}
tokens.length = 0;
payments.length = 0;

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`ready ${url}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'mem') {
    process.stdout.write(`mem ${JSON.stringify(process.memoryUsage())}\n`);
  }
});
process.stdin.on('end', () => {
  void app.close().finally(() => process.exit(0));
});
