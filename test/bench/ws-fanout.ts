/**
 * Live-socket fan-out at scale (issue 8): many tills' WebSockets on one sync-server instance, its peak memory,
 * and the time from an event's commit to its arrival on every till of the store; then the same relay across two
 * instances on PostgreSQL (tills on A, webhooks into B, the signal through LISTEN/NOTIFY). The server, the tills
 * and the webhook sender (this process) are three processes, so the server's memory is its own.
 * Baseline in the same run: the same relay with a tenth of the sockets, and the server's memory before any.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { settlementFields, signedMidtrans } from '../support/midtrans.ts';
import { type Figure, percentile } from './stats.ts';

const here = import.meta.dirname;
const SERVER_KEY = 'SB-Mid-server-ws-bench';

type Proc = { child: ChildProcess; lines: AsyncIterator<string>; send(line: string): void };

function start(script: string, env: Record<string, string>): Proc {
  const prof =
    process.env.WS_BENCH_PROFILE && script === 'ws-server.ts'
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WS_BENCH_PROFILE}`]
      : [];
  const child = spawn(process.execPath, [...prof, join(here, script)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, send: (l) => child.stdin!.write(`${l}\n`) };
}

async function expectLine(p: Proc, prefix: string, timeoutMs = 600_000): Promise<string> {
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  try {
    for (;;) {
      const r = await p.lines.next();
      if (r.done) throw new Error(`child exited before printing "${prefix}"`);
      if (r.value.startsWith(`${prefix} `)) return r.value.slice(prefix.length + 1);
    }
  } finally {
    clearTimeout(t);
  }
}

/** Resident and peak resident memory of a process, MB, from /proc (Linux). */
function memOf(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.stdin!.end();
  const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export type FanoutResult = {
  sockets: number;
  opened: number;
  failed: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  /** From the webhook's answer (after its commit) to the till; may be below 0 by the answer's own travel. */
  relayP50: number;
  relayP99: number;
  /** Webhook sent → answered, at instance B (the ingest the events come through). */
  webhookP50: number;
  webhookP99: number;
  max: number;
  /** Server memory, MB: before any socket, with every socket open (max sampled), and its lifetime peak. */
  idleRss: number;
  socketsRss: number;
  peakRss: number;
  heapUsedMb: number;
};

/**
 * One run: `stores` × `devicesPerStore` sockets on instance A; `events` settlements sent at `ratePerS` to random
 * stores through instance B (A itself when there is one instance).
 */
export async function runFanout(o: {
  stores: number;
  devicesPerStore: number;
  events: number;
  ratePerS: number;
  databaseUrl?: string;
  twoInstances?: boolean;
}): Promise<FanoutResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kasir-ws-bench-'));
  const out = join(dataDir, 'enrolled.json');
  const common = {
    DATA_DIR: join(dataDir, 'server'),
    MIDTRANS_SERVER_KEY: SERVER_KEY,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
  };
  const procs: Proc[] = [];
  try {
    const perStore = Math.ceil((o.events / o.stores) * 3) + 5;
    const a = start('ws-server.ts', {
      ...common,
      STORES: String(o.stores),
      DEVICES_PER_STORE: String(o.devicesPerStore),
      PAYMENTS_PER_STORE: String(perStore),
      OUT: out,
    });
    procs.push(a);
    const urlA = await expectLine(a, 'ready');
    let urlB = urlA;
    if (o.twoInstances) {
      const b = start('ws-server.ts', { ...common, STORES: '0', DEVICES_PER_STORE: '0' });
      procs.push(b);
      urlB = await expectLine(b, 'ready');
    }
    const pid = a.child.pid!;
    const idleRss = memOf(pid).rss;
    a.send('mem');
    const idleMem = JSON.parse(await expectLine(a, 'mem')) as NodeJS.MemoryUsage;
    const enrolled = JSON.parse(readFileSync(out, 'utf8')) as {
      payments: { storeId: string; id: string; ref: string; amount: number }[];
    };

    const clients = start('ws-clients.ts', { URL: urlA, TOKENS: out, CONCURRENCY: '100' });
    procs.push(clients);
    const [opened, failed] = (await expectLine(clients, 'open')).split(' ').map(Number) as [number, number];
    let socketsRss = memOf(pid).rss;
    const sampler = setInterval(() => {
      socketsRss = Math.max(socketsRss, memOf(pid).rss);
    }, 100);

    // Settlements for payments of random stores, at a steady rate, each its own event for the store's tills.
    const byStore = new Map<string, typeof enrolled.payments>();
    for (const p of enrolled.payments) byStore.set(p.storeId, [...(byStore.get(p.storeId) ?? []), p]);
    const storeIds = [...byStore.keys()];
    const sent: Promise<unknown>[] = [];
    const webhookMs: number[] = [];
    const answeredAt = new Map<string, number>();
    const t0 = performance.now();
    let expected = 0;
    for (let i = 0; i < o.events; i++) {
      const due = t0 + (i * 1000) / o.ratePerS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // A random store among those with a pending payment left.
      let k = Math.floor(Math.random() * storeIds.length);
      while (byStore.get(storeIds[k]!)!.length === 0) k = (k + 1) % storeIds.length;
      const p = byStore.get(storeIds[k]!)!.pop()!;
      expected += o.devicesPerStore;
      const body = signedMidtrans(
        settlementFields({ orderId: p.id, transactionId: p.ref, amount: p.amount }),
        SERVER_KEY,
      );
      const ts = performance.now();
      sent.push(
        fetch(`${urlB}/v1/webhooks/midtrans`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then(async (r) => {
          await r.arrayBuffer();
          if (!r.ok) throw new Error(`webhook answered ${r.status}`);
          webhookMs.push(performance.now() - ts);
          answeredAt.set(p.id, Date.now());
        }),
      );
    }
    await Promise.all(sent);
    // Wait for the tail of deliveries (bounded), then collect.
    const until = Date.now() + 30_000;
    for (;;) {
      clients.send('count');
      const n = Number(await expectLine(clients, 'count'));
      if (n >= expected - failed * 0 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    clearInterval(sampler);
    socketsRss = Math.max(socketsRss, memOf(pid).rss);
    a.send('mem');
    const heap = JSON.parse(await expectLine(a, 'mem')) as NodeJS.MemoryUsage;
    if (process.env.WS_BENCH_DEBUG)
      process.stderr.write(`webhook p50 ${percentile(webhookMs, 50)} p99 ${percentile(webhookMs, 99)}\n`);
    if (process.env.WS_BENCH_DEBUG)
      process.stderr.write(`idle ${JSON.stringify(idleMem)}\nopen ${JSON.stringify(heap)}\n`);
    const peakRss = memOf(pid).hwm;
    clients.send('report');
    const report = JSON.parse(await expectLine(clients, 'report')) as {
      latencies: number[];
      received: [string, number][];
    };
    const l = report.latencies;
    // From the webhook's answer (sent after its commit) to the till: the relay alone, without the ingest.
    const relay = report.received.map(([id, at]) => at - (answeredAt.get(id) ?? Number.NaN)).filter(Number.isFinite);
    return {
      sockets: o.stores * o.devicesPerStore,
      opened,
      failed,
      delivered: l.length,
      expected,
      p50: percentile(l, 50),
      p99: percentile(l, 99),
      relayP50: percentile(relay, 50),
      relayP99: percentile(relay, 99),
      webhookP50: percentile(webhookMs, 50),
      webhookP99: percentile(webhookMs, 99),
      max: Math.max(...l),
      idleRss,
      socketsRss,
      peakRss,
      heapUsedMb: heap.heapUsed / 1024 / 1024,
    };
  } finally {
    for (const p of procs.reverse()) await stop(p).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function fanoutFigures(label: string, r: FanoutResult, base?: FanoutResult): Figure[] {
  const vs = (v: number) =>
    base ? { baseline: { name: `${base.sockets} sockets`, value: v }, compare: 'share' as const } : {};
  return [
    {
      name: `${label}: event → device p50`,
      value: r.p50,
      unit: 'ms',
      ...vs(base?.p50 ?? 0),
    },
    { name: `${label}: event → device p99`, value: r.p99, unit: 'ms', ...vs(base?.p99 ?? 0), target: '≤ 50 ms' },
    { name: `${label}: webhook answered → device p50`, value: r.relayP50, unit: 'ms', ...vs(base?.relayP50 ?? 0) },
    { name: `${label}: webhook answered → device p99`, value: r.relayP99, unit: 'ms', ...vs(base?.relayP99 ?? 0) },
    {
      name: `${label}: ingest, webhook sent → answered p99`,
      value: r.webhookP99,
      unit: 'ms',
      ...vs(base?.webhookP99 ?? 0),
    },
    {
      name: `${label}: server peak RSS`,
      value: r.peakRss,
      unit: 'MB',
      baseline: { name: 'same server before any socket', value: r.idleRss },
      compare: 'share',
      target: '≤ 400 MB',
    },
    {
      name: `${label}: server memory per open socket`,
      value: ((r.socketsRss - r.idleRss) * 1024) / Math.max(1, r.opened),
      unit: 'KB',
    },
    {
      name: `${label}: sockets open / frames delivered`,
      value: r.opened,
      unit: `sockets of ${r.sockets}; ${r.delivered} of ${r.expected} frames`,
    },
  ];
}
