/**
 * Server benchmarks: (a) webhook ingest — verified, stored and deduplicated webhooks per second with p50/p99,
 * load from a separate process, beside the bare-HTTP ceiling of the same machine; (b) relay — webhook sent →
 * event received on a till's WebSocket, beside the detection delay of 3-second polling measured in the same run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startSystem } from '../../scripts/system.ts';
import { newId } from '../../shared/ids.ts';
import { insertPaymentIfAbsent } from '../../sync-server/src/repos/payments-repo.ts';
import { openLive } from '../server/helpers.ts';
import { settlementFields, signedMidtrans } from '../support/midtrans.ts';
import { type Figure, mean, percentile } from './stats.ts';

const root = join(import.meta.dirname, '../..');

export type Load = {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  fresh: number;
};

/** Runs the load generator as a child process; asynchronously, because the server under test is in this one. */
export function runLoad(url: string, paymentsFile: string, serverKey: string, durationS: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'test/bench/webhook-load.ts')], {
      env: {
        ...process.env,
        URL: url,
        PAYMENTS: paymentsFile,
        SERVER_KEY: serverKey,
        DURATION_S: String(durationS),
        CONNECTIONS: '32',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator failed (${code}): ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Load);
    });
  });
}

const signedSettlement = (p: { id: string; ref: string; amount: number }, key: string) =>
  signedMidtrans(settlementFields({ orderId: p.id, transactionId: p.ref, amount: p.amount }), key);

export async function benchServer(opts: {
  durationS: number;
  databaseUrl?: string;
  /** false: only the relay figures (PostgreSQL ingest has its own benchmark, pg-ingest.ts). */
  ingest?: boolean;
}): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kasir-bench-'));
  const sys = await startSystem({ dataDir, sweepIntervalMs: 3_600_000, databaseUrl: opts.databaseUrl });
  const figures: Figure[] = [];
  try {
    const { token } = await sys.enrolDevice({ storeId: 'bench', deviceName: 'till', provider: 'midtrans' });
    const [, deviceId] = token.split('.');
    const db = sys.server.ctx.database.db;
    const key = sys.sandboxes.midtransServerKey;

    // (a) ingest. Payments are inserted directly: the figure is about webhooks, not about creating QRs.
    const n = opts.ingest === false ? 0 : 80_000;
    const payments = Array.from({ length: n }, (_, i) => ({
      id: newId(),
      transaction_id: `bench-${i}-${newId()}`,
      amount: 10_000 + (i % 1000),
    }));
    const now = Date.now();
    for (let i = 0; i < n; i += 2_000) {
      await db.transaction().execute(async (trx) => {
        for (const p of payments.slice(i, i + 2_000)) {
          await insertPaymentIfAbsent(trx, {
            id: p.id,
            sale_id: newId(),
            store_id: 'bench',
            device_id: deviceId!,
            amount: p.amount,
            provider: 'midtrans',
            provider_ref: p.transaction_id,
            payment_ref: null,
            qr_string: null,
            status: 'pending',
            late: 0,
            expires_at: now + 900_000,
            paid_at: null,
            refunded_amount: 0,
            request_hash: 'bench',
            created_at: now,
            updated_at: now,
          });
        }
      });
    }
    const file = join(dataDir, 'payments.json');
    writeFileSync(file, JSON.stringify(payments));

    if (opts.ingest !== false) await ingest();
    async function ingest() {
      const ceiling = Fastify({ logger: false, bodyLimit: 64 * 1024 });
      ceiling.post('/echo', async () => ({ received: true }));
      const ceilingUrl = await ceiling.listen({ host: '127.0.0.1', port: 0 });
      const base = await runLoad(`${ceilingUrl}/echo`, file, key, opts.durationS);
      await ceiling.close();

      const load = await runLoad(`${sys.serverUrl}/v1/webhooks/midtrans`, file, key, opts.durationS);
      if (load.non2xx || load.errors || load.timeouts) {
        throw new Error(`ingest had failures: ${JSON.stringify(load)}`);
      }
      const counts = await db
        .selectFrom('webhook_events')
        .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('outcome')
        .execute();
      const applied = Number(counts.find((c) => c.outcome === 'applied')?.n ?? 0);
      // Requests still in flight when the load generator stops may or may not have been answered; the rest must
      // each have been applied exactly once.
      if (applied > load.fresh || applied < load.fresh - 32) {
        throw new Error(
          `applied ${applied} events but sent ${load.fresh} distinct ones: ${JSON.stringify({ load, counts })}`,
        );
      }
      figures.push({
        name: 'webhook ingest (verified+stored+deduped)',
        value: load.rps,
        unit: 'webhooks/s',
        higherIsBetter: true,
        baseline: { name: 'bare HTTP echo, same load', value: base.rps },
        target: '≥ 3,000/s',
      });
      figures.push({ name: 'webhook ingest latency p50', value: load.p50, unit: 'ms' });
      figures.push({ name: 'webhook ingest latency p99', value: load.p99, unit: 'ms', target: '≤ 50 ms' });
    }

    // (b) relay vs polling.
    const tillToken = (await sys.enrolDevice({ storeId: 'relay', deviceName: 'till', provider: 'midtrans' })).token;
    const create = async (amount: number) => {
      const res = await fetch(`${sys.serverUrl}/v1/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tillToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ payment_id: newId(), sale_id: newId(), amount }),
      });
      const b = (await res.json()) as { payment_id: string; provider_ref: string; amount: number };
      return { id: b.payment_id, ref: b.provider_ref, amount: b.amount };
    };
    const hook = (body: string) =>
      fetch(`${sys.serverUrl}/v1/webhooks/midtrans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then((r) => r.arrayBuffer());

    const live = await openLive(sys.serverUrl, tillToken);
    const relay: number[] = [];
    for (let i = 0; i < 200; i++) {
      const p = await create(5_000 + i);
      const body = signedSettlement(p, key);
      const t0 = performance.now();
      const seen = live.waitFor(
        (f) => f.kind === 'event' && f.event.payment.payment_id === p.id && f.event.payment.status === 'paid',
      );
      await hook(body);
      await seen;
      relay.push(performance.now() - t0);
    }
    live.close();

    // 3-second polling: each poller starts at a random phase, as independent tills would.
    const polls = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const p = await create(7_000 + i);
        const phase = Math.random() * 3_000;
        await new Promise((r) => setTimeout(r, phase));
        const t0 = performance.now();
        void hook(signedSettlement(p, key));
        for (;;) {
          await new Promise((r) => setTimeout(r, 3_000 - ((performance.now() - t0 + phase) % 3_000)));
          const r = await fetch(`${sys.serverUrl}/v1/payments/${p.id}`, {
            headers: { authorization: `Bearer ${tillToken}` },
          });
          const b = (await r.json()) as { status: string };
          if (b.status === 'paid') return performance.now() - t0;
        }
      }),
    );
    const pollMean = mean(polls);
    figures.push({
      name: 'relay: webhook sent → till socket event, p50',
      value: percentile(relay, 50),
      unit: 'ms',
      baseline: { name: '3 s polling mean', value: pollMean },
      target: '≤ 30 ms',
    });
    figures.push({
      name: 'relay: webhook sent → till socket event, p99',
      value: percentile(relay, 99),
      unit: 'ms',
      baseline: { name: '3 s polling mean', value: pollMean },
    });
    return figures;
  } finally {
    await sys.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
