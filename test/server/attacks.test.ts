/**
 * Issue 6, defect 4, "Done when": slow-body, connection-flood and rejected-webhook-flood attacks on a real
 * server listening on a real port. During each attack real signed Midtrans notifications keep arriving from
 * the provider's own address and must all be answered (their p99 is printed beside a no-attack baseline from
 * the same run), while memory and the database stay bounded. The attacker runs in a child process (./attack-client.ts) from addresses of its own.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { signedMidtrans } from '../support/midtrans.ts';
import type { Attack, AttackReport } from './attack-client.ts';
import { DB_KIND, startTestSystem, type TestSystem } from './helpers.ts';

const REQUEST_TIMEOUT_MS = 1_000;
const MAX_CONNECTIONS_PER_IP = 100;
const WEBHOOK_FAILURES_PER_IP = 50;
const REJECTED_WEBHOOKS_KEPT = 100;

let sys: TestSystem;
let port: number;
let probes: string[] = [];

/** A server with these limits, and the signed notifications Midtrans would send for 20 real payments. */
async function setup(env: Record<string, string>): Promise<void> {
  await sys?.close();
  sys = await startTestSystem({ env });
  port = Number(new URL(sys.serverUrl).port);
  // Pending, then settlement, for each payment: replayed in a cycle they are a realistic mix of applied
  // events and provider retries (duplicates).
  const till = await sys.till({ provider: 'midtrans' });
  const key = sys.sandboxes.midtransServerKey;
  probes = [];
  for (let i = 0; i < 20; i++) {
    const amount = 10_000 + i;
    const { body: p } = await till.createPayment(amount);
    const base = {
      transaction_time: '2026-11-23 10:00:00',
      transaction_id: p.provider_ref,
      status_message: 'midtrans payment notification',
      payment_type: 'qris',
      order_id: p.payment_id,
      merchant_id: 'G1',
      gross_amount: `${amount}.00`,
      fraud_status: 'accept',
      currency: 'IDR',
      acquirer: 'gopay',
    };
    probes.push(signedMidtrans({ ...base, transaction_status: 'pending', status_code: '201' }, key));
    probes.push(
      signedMidtrans(
        { ...base, transaction_status: 'settlement', status_code: '200', settlement_time: '2026-11-23 10:01:00' },
        key,
      ),
    );
  }
}
afterAll(async () => {
  await sys?.close();
});

function runAttacker(a: Attack): Promise<AttackReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'attack-client.ts'), JSON.stringify(a)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)!));
      else reject(new Error(`attacker exited ${code}: ${err}`));
    });
  });
}

type Measured = {
  latencies: number[];
  statuses: number[];
  rssPeakGrowthMb: number;
  /** CPU time of this process (server and probe) per wall-clock time: near 1 means its one thread was saturated. */
  cpuShare: number;
  /** Longest event-loop stall seen, ms. */
  loopMaxMs: number;
};

/** Sends the signed notifications one after another while `attack` runs; records latency and memory. */
async function probeDuring<T>(attack: Promise<T>): Promise<{ result: T; measured: Measured }> {
  let over = false;
  const result = attack.finally(() => {
    over = true;
  });
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let rssPeak = rss0;
  const latencies: number[] = [];
  const statuses: number[] = [];
  // A moment for the attack to be under way before measuring.
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; !over; i++) {
    const t0 = performance.now();
    const res = await fetch(`${sys.serverUrl}/v1/webhooks/midtrans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: probes[i % probes.length]!,
    });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    statuses.push(res.status);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 5));
  }
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  return {
    result: await result,
    measured: {
      latencies,
      statuses,
      rssPeakGrowthMb: (rssPeak - rss0) / 2 ** 20,
      cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - wall0),
      loopMaxMs: loop.max / 1e6,
    },
  };
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The same probe with no attack, in the same run, so the figures can be read against this machine's load. */
const baseline = async () => (await probeDuring(sleep(3_000))).measured;

function report(name: string, base: Measured, m: Measured, extra: Record<string, unknown>): void {
  const fig = (x: Measured) =>
    `n=${x.latencies.length} p50=${pct(x.latencies, 0.5).toFixed(1)} ms p99=${pct(x.latencies, 0.99).toFixed(1)} ms` +
    ` max=${Math.max(...x.latencies).toFixed(1)} ms (cpu ${(x.cpuShare * 100).toFixed(0)}%, loop stall max` +
    ` ${x.loopMaxMs.toFixed(0)} ms)`;
  console.log(
    `[attack ${name} on ${DB_KIND}] signed webhooks — no attack: ${fig(base)}; during the attack: ${fig(m)};` +
      ` test-process RSS peak growth ${m.rssPeakGrowthMb.toFixed(1)} MB; ${JSON.stringify(extra)}`,
  );
}

/** Checked after the attack's own assertions, so that a broken defence fails on what it broke. */
function checkServedDuringAttack(m: Measured): void {
  expect(m.latencies.length).toBeGreaterThanOrEqual(50);
  expect(new Set(m.statuses)).toEqual(new Set([200]));
  // The p99 itself (issue 6 asks ≤ 100 ms) is printed beside the no-attack baseline by report(), not asserted:
  // tests never assert wall-clock times, and on a loaded 2-core machine the probe's own scheduling dominates it.
  // The server shares this process with the probe: its memory must not grow with the attack.
  expect(m.rssPeakGrowthMb).toBeLessThan(150);
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await sys.server.ctx.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `) || l === `${name} ${labels}`);
  return line ? Number(line.split(' ').at(-1)) : 0;
}
const plainMetric = async (name: string) => {
  const text = await sys.server.ctx.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

const countRows = async (verified?: 0 | 1) => {
  let q = sys.server.ctx.database.db.selectFrom('webhook_events').select((eb) => eb.fn.countAll().as('n'));
  if (verified !== undefined) q = q.where('verified', '=', verified);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe(`attacks on the HTTP layer (${DB_KIND})`, () => {
  it('slow bodies: every stalled request gets 408 and is closed, real webhooks keep flowing', async () => {
    await setup({ REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
    const till = await sys.till();
    const base = await baseline();
    // 150 new stalled requests a second for 4 s from 8 addresses (about 20 open per address at any time:
    // under the per-address cap, so this is about the timeouts).
    const { result, measured } = await probeDuring(
      runAttacker({
        kind: 'stall',
        port,
        ips: Array.from({ length: 8 }, (_, i) => `127.0.1.${i + 1}`),
        perSecond: 150,
        durationMs: 4_000,
        requests: [
          { path: '/v1/webhooks/midtrans', headers: [] },
          { path: '/v1/webhooks/xendit', headers: ['X-Callback-Token: nope'] },
          { path: '/v1/payments', headers: [`Authorization: Bearer ${till.token}`] },
        ],
        waitMs: REQUEST_TIMEOUT_MS * 15,
      }),
    );
    const total = 600;
    report('slow-body', base, measured, {
      stalled: total,
      statuses: result.statuses,
      slowestCloseMs: result.maxClosedAfterMs,
    });
    expect(result.sent).toBe(total);
    expect(result.stillOpen).toBe(0);
    expect(result.statuses).toEqual({ 408: total });
    expect(result.codes).toEqual({ REQUEST_TIMEOUT: total });
    // Every stalled request is counted (other clients' idle connections may add a few).
    expect(await metric('kasir_http_client_errors_total', 'kind="timeout"')).toBeGreaterThanOrEqual(total);
    checkServedDuringAttack(measured);
  }, 120_000);

  it('connection flood: one address holds at most the cap, the rest are refused on accept, the server answers', async () => {
    // A request timeout long enough that every flood socket is connected before the first accepted one is
    // timed out: then "accepted" is exactly what the address held at once.
    const timeout = 10_000;
    await setup({
      REQUEST_TIMEOUT_MS: String(timeout),
      HEADERS_TIMEOUT_MS: String(timeout),
      MAX_CONNECTIONS_PER_IP: String(MAX_CONNECTIONS_PER_IP),
    });
    const count = 1_000;
    const base = await baseline();
    const { result, measured } = await probeDuring(
      runAttacker({ kind: 'idle', port, ip: '127.0.2.1', count, waitMs: timeout * 3 }),
    );
    const accepted = result.statuses['408'] ?? 0; // held until the request timeout, then answered 408
    const refused = result.statuses.none ?? 0; // closed at once, nothing sent
    report('connection-flood', base, measured, { sockets: count, accepted, refused });
    expect(result.stillOpen).toBe(0);
    expect(accepted + refused).toBe(count);
    expect(accepted).toBe(MAX_CONNECTIONS_PER_IP);
    expect(await plainMetric('kasir_http_connections_refused_total')).toBe(refused);
    // Everything the flood opened is closed again.
    expect(await plainMetric('kasir_http_open_connections')).toBeLessThan(10);
    checkServedDuringAttack(measured);
  }, 120_000);

  it('rejected-webhook flood: 401 then 429, stored rows capped, every delivery counted', async () => {
    await setup({
      WEBHOOK_FAILURES_PER_IP: String(WEBHOOK_FAILURES_PER_IP),
      REJECTED_WEBHOOKS_KEPT: String(REJECTED_WEBHOOKS_KEPT),
      ABUSE_WINDOW_MS: '600000',
      REJECTED_WEBHOOKS_WINDOW_MS: '3600000',
    });
    const base = await baseline();
    const countsBefore = {
      midtransRejected: await metric('kasir_webhooks_total', 'provider="midtrans",outcome="rejected"'),
      xenditRejected: await metric('kasir_webhooks_total', 'provider="xendit",outcome="rejected"'),
      midtransLimited: await metric('kasir_webhooks_total', 'provider="midtrans",outcome="rate_limited"'),
      xenditLimited: await metric('kasir_webhooks_total', 'provider="xendit",outcome="rate_limited"'),
    };
    const rejectedRowsBefore = await countRows(0);
    const flood = (first: number) =>
      runAttacker({
        kind: 'webhooks',
        port,
        ips: Array.from({ length: 10 }, (_, i) => `127.0.3.${first + i}`),
        perIp: 200,
        concurrencyPerIp: 4,
        perSecond: 600,
        providers: ['midtrans', 'midtrans', 'xendit'],
      });
    const { result, measured } = await probeDuring(flood(1));
    const rowsAfterFirst = await countRows(0);
    // A second flood from other addresses: the stored rows stay within the same budget.
    const second = await flood(101);
    const rowsAfterSecond = await countRows(0);
    const sent = result.sent + second.sent;
    report('rejected-webhook-flood', base, measured, {
      deliveries: sent,
      first: result.statuses,
      second: second.statuses,
      rejectedRows: [rejectedRowsBefore, rowsAfterFirst, rowsAfterSecond],
    });
    expect(sent).toBe(4_000);
    for (const r of [result, second]) {
      expect(Object.keys(r.statuses).sort()).toEqual(['401', '429']);
      expect(r.statuses['429']).toBeGreaterThan(r.statuses['401']!);
    }
    // Bounded: at most the budget per provider (two here), whatever the size or number of floods.
    expect(rowsAfterFirst - rejectedRowsBefore).toBeGreaterThan(0);
    expect(rowsAfterSecond - rejectedRowsBefore).toBeLessThanOrEqual(2 * REJECTED_WEBHOOKS_KEPT);
    // Counted: every delivery appears in the metrics, stored or not.
    const delta = {
      midtrans:
        (await metric('kasir_webhooks_total', 'provider="midtrans",outcome="rejected"')) -
        countsBefore.midtransRejected +
        (await metric('kasir_webhooks_total', 'provider="midtrans",outcome="rate_limited"')) -
        countsBefore.midtransLimited,
      xendit:
        (await metric('kasir_webhooks_total', 'provider="xendit",outcome="rejected"')) -
        countsBefore.xenditRejected +
        (await metric('kasir_webhooks_total', 'provider="xendit",outcome="rate_limited"')) -
        countsBefore.xenditLimited,
    };
    expect(delta).toEqual({
      midtrans: (result.perProvider.midtrans ?? 0) + (second.perProvider.midtrans ?? 0),
      xendit: (result.perProvider.xendit ?? 0) + (second.perProvider.xendit ?? 0),
    });
    // Most of the flood is refused before its body is read or verified: per address, only the allowance and
    // what was already in flight when it ran out reach verification.
    const verified =
      (await metric('kasir_webhooks_total', 'provider="midtrans",outcome="rejected"')) -
      countsBefore.midtransRejected +
      (await metric('kasir_webhooks_total', 'provider="xendit",outcome="rejected"')) -
      countsBefore.xenditRejected;
    expect(verified).toBeLessThanOrEqual(20 * (WEBHOOK_FAILURES_PER_IP + 4 + 1));
    // Of those, what was not stored was counted as such.
    const unstored =
      (await metric('kasir_webhook_rejected_unstored_total', 'provider="midtrans"')) +
      (await metric('kasir_webhook_rejected_unstored_total', 'provider="xendit"'));
    expect(unstored).toBe(verified - (rowsAfterSecond - rejectedRowsBefore));
    checkServedDuringAttack(measured);
  }, 180_000);
});
