/**
 * PostgreSQL webhook ingest: the sync-server (verified, deduplicated, ordered per store, group-committed) with the
 * payments spread over many stores or all in one, each beside a minimal Express + pg handler put under the same
 * load in the same run: it parses the JSON, looks the notification up and inserts it if it was not there
 * (check-then-insert, one autocommitted statement each, no signature check, no dedupe guarantee, no ordering,
 * no event for any till) — roughly what a first version of a webhook endpoint looks like.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pg from 'pg';
import { startSystem } from '../../scripts/system.ts';
import { newId } from '../../shared/ids.ts';
import type { NewPayment } from '../../sync-server/src/db/schema.ts';
import { type Load, runLoad } from './server.ts';
import type { Figure } from './stats.ts';

/** CPU time (ms) used so far by every PostgreSQL process on this machine, by pid (Linux /proc; 100 ticks/s). */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(d), (Number(f[11]) + Number(f[12])) * 10); // utime + stime
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/**
 * Runs one load and measures the CPU it cost on the serving side: this process (the server under test; the
 * load generator is a child process) and PostgreSQL's processes. Backends that start during the load count
 * from zero.
 */
async function loadWithCpu(
  url: string,
  file: string,
  key: string,
  durationS: number,
): Promise<{ load: Load; serverMs: number; postgresMs: number }> {
  const pg0 = postgresCpu();
  const own0 = process.cpuUsage();
  const load = await runLoad(url, file, key, durationS);
  const own = process.cpuUsage(own0);
  let pgMs = 0;
  for (const [pid, ms] of postgresCpu()) pgMs += ms - (pg0.get(pid) ?? 0);
  const n = Math.max(1, load.total);
  return { load, serverMs: (own.user + own.system) / 1000 / n, postgresMs: pgMs / n };
}

/** The baseline: an Express app on its own pg pool (same size as the sync-server's). */
async function startExpressBaseline(databaseUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`create table if not exists express_webhooks (
    id bigserial primary key, order_id text not null, transaction_id text not null, status text not null,
    body jsonb not null, received_at bigint not null)`);
  await pool.query('create index if not exists express_webhooks_tx on express_webhooks (transaction_id, status)');
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.post('/webhook', async (req, res) => {
    const b = req.body as { order_id?: string; transaction_id?: string; transaction_status?: string };
    if (!b.order_id || !b.transaction_id || !b.transaction_status) {
      res.status(400).json({ error: 'bad notification' });
      return;
    }
    try {
      const seen = await pool.query('select 1 from express_webhooks where transaction_id = $1 and status = $2', [
        b.transaction_id,
        b.transaction_status,
      ]);
      if (seen.rowCount === 0) {
        await pool.query(
          'insert into express_webhooks (order_id, transaction_id, status, body, received_at) values ($1, $2, $3, $4, $5)',
          [b.order_id, b.transaction_id, b.transaction_status, JSON.stringify(b), Date.now()],
        );
      }
      res.json({ received: true });
    } catch {
      res.status(500).json({ error: 'database' });
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

export async function benchPgIngest(opts: {
  durationS: number;
  databaseUrl: string;
  stores: number;
}): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kasir-bench-pg-'));
  const sys = await startSystem({ dataDir, sweepIntervalMs: 3_600_000, databaseUrl: opts.databaseUrl });
  try {
    const db = sys.server.ctx.database.db;
    const key = sys.sandboxes.midtransServerKey;
    const stores: { id: string; device: string }[] = [];
    for (let s = 0; s < opts.stores; s++) {
      const id = `bench-${s}`;
      const { token } = await sys.enrolDevice({ storeId: id, deviceName: 'till', provider: 'midtrans' });
      stores.push({ id, device: token.split('.')[1]! });
    }
    // More payments than any run can settle, so every fresh notification is for a pending payment.
    const n = 120_000;
    const now = Date.now();
    const payments = Array.from({ length: n }, (_, i) => ({
      id: newId(),
      transaction_id: `bench-${i}-${newId()}`,
      amount: 10_000 + (i % 1000),
    }));
    for (let i = 0; i < n; i += 1_000) {
      const rows: NewPayment[] = payments.slice(i, i + 1_000).map((p, j) => {
        const st = stores[(i + j) % stores.length]!;
        return {
          id: p.id,
          sale_id: newId(),
          store_id: st.id,
          device_id: st.device,
          amount: p.amount,
          provider: 'midtrans',
          provider_ref: p.transaction_id,
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
        };
      });
      await db.insertInto('payments').values(rows).execute();
    }
    const file = join(dataDir, 'payments.json');
    // The baseline first, on its own half of the same payments, so neither run sees the other's rows as dupes.
    const baseline = await startExpressBaseline(opts.databaseUrl);
    const baseFile = join(dataDir, 'payments-baseline.json');
    writeFileSync(baseFile, JSON.stringify(payments.slice(n / 2)));
    let baseRun: { load: Load; serverMs: number; postgresMs: number };
    try {
      baseRun = await loadWithCpu(baseline.url, baseFile, key, opts.durationS);
    } finally {
      await baseline.close();
    }
    const base = baseRun.load;
    writeFileSync(file, JSON.stringify(payments.slice(0, n / 2)));
    const run = await loadWithCpu(`${sys.serverUrl}/v1/webhooks/midtrans`, file, key, opts.durationS);
    const load = run.load;
    if (load.non2xx || load.errors || load.timeouts || base.non2xx || base.errors || base.timeouts) {
      throw new Error(`ingest had failures: ${JSON.stringify({ load, base })}`);
    }
    if (load.fresh > n / 2) throw new Error('the run outgrew its payments; raise n');
    // Requests the load generator gave up on when it stopped may still be finishing on the server.
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = await db
      .selectFrom('webhook_events')
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('outcome')
      .execute();
    const applied = Number(counts.find((c) => c.outcome === 'applied')?.n ?? 0);
    if (applied > load.fresh || applied < load.fresh - 32) {
      throw new Error(`applied ${applied} events but sent ${load.fresh} distinct ones: ${JSON.stringify(counts)}`);
    }
    const events = await db
      .selectFrom('sync_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .execute();
    if (Number(events[0]?.n) !== applied) throw new Error(`${events[0]?.n} events for ${applied} applied webhooks`);

    const label = opts.stores === 1 ? '1 store' : `${opts.stores} stores`;
    return [
      {
        name: `webhook ingest, ${label}`,
        value: load.rps,
        unit: 'webhooks/s',
        higherIsBetter: true,
        baseline: { name: 'Express+pg check-then-insert', value: base.rps },
        target: '≥ 3× baseline',
      },
      {
        name: `webhook ingest, ${label}, p50`,
        value: load.p50,
        unit: 'ms',
        baseline: { name: 'Express+pg p50', value: base.p50 },
      },
      {
        name: `webhook ingest, ${label}, p99`,
        value: load.p99,
        unit: 'ms',
        baseline: { name: 'Express+pg p99', value: base.p99 },
        target: '≤ 50 ms',
      },
      {
        // What each request cost the machine, whatever bounded the throughput: the server's process (the load
        // generator is another one) and PostgreSQL's.
        name: `webhook ingest, ${label}, server CPU per request`,
        value: run.serverMs,
        unit: 'ms',
        baseline: { name: 'Express+pg', value: baseRun.serverMs },
        compare: 'share',
      },
      {
        name: `webhook ingest, ${label}, PostgreSQL CPU per request`,
        value: run.postgresMs,
        unit: 'ms',
        baseline: { name: 'Express+pg', value: baseRun.postgresMs },
        compare: 'share',
      },
    ];
  } finally {
    await sys.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
