/**
 * The attacker for test/server/attacks.test.ts, run as a separate process so that its own work does not sit on
 * the server's event loop (the latency measured there must be the server's). Any 127.x.y.z is the local host on
 * Linux, so the attacker comes from addresses of its own while the test's real provider calls come from
 * 127.0.0.1.
 *
 *   node test/server/attack-client.ts '<json Attack>'  → prints one JSON line with the outcome counts
 */
import { Agent, request } from 'node:http';
import { head, rawRequest } from './raw-http.ts';

export type Attack =
  | {
      kind: 'stall';
      port: number;
      ips: string[];
      perSecond: number;
      durationMs: number;
      /** Each stalled request is one of these (headers announcing a body that never comes). */
      requests: { path: string; headers: string[] }[];
      waitMs: number;
    }
  | { kind: 'idle'; port: number; ip: string; count: number; waitMs: number }
  | {
      kind: 'webhooks';
      port: number;
      ips: string[];
      perIp: number;
      concurrencyPerIp: number;
      perSecond: number;
      providers: string[];
    };

export type AttackReport = {
  sent: number;
  /** Count per HTTP status of the first response ("none" when the connection closed without one). */
  statuses: Record<string, number>;
  /** Count per API error code in the response body. */
  codes: Record<string, number>;
  /** Connections still open when the attacker stopped waiting. */
  stillOpen: number;
  /** Slowest close observed, ms after connecting. */
  maxClosedAfterMs: number;
  /** Per sent request, in order (only for `webhooks` with providers): the provider addressed. */
  perProvider: Record<string, number>;
};

function tally(report: AttackReport, status: number | null, code: string | undefined): void {
  const s = status === null ? 'none' : String(status);
  report.statuses[s] = (report.statuses[s] ?? 0) + 1;
  if (code) report.codes[code] = (report.codes[code] ?? 0) + 1;
}

async function run(a: Attack): Promise<AttackReport> {
  const report: AttackReport = { sent: 0, statuses: {}, codes: {}, stillOpen: 0, maxClosedAfterMs: 0, perProvider: {} };
  const sockets = async (jobs: Parameters<typeof rawRequest>[0][]) => {
    const results = await Promise.all(jobs.map((j) => rawRequest(j)));
    for (const r of results) {
      report.sent++;
      tally(report, r.status, r.json?.error?.code);
      if (r.closedAfterMs === null) report.stillOpen++;
      else report.maxClosedAfterMs = Math.max(report.maxClosedAfterMs, r.closedAfterMs);
    }
  };

  if (a.kind === 'stall') {
    // A steady population, as a slowloris keeps it: `perSecond` new stalled requests each second, each held
    // until the server gives up on it, spread over the addresses.
    const total = Math.round((a.perSecond * a.durationMs) / 1000);
    const pending: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / a.perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const r = a.requests[i % a.requests.length]!;
      pending.push(
        sockets([
          {
            port: a.port,
            localAddress: a.ips[i % a.ips.length],
            chunks: [head('POST', r.path, ['Content-Type: application/json', 'Content-Length: 1000', ...r.headers])],
            waitMs: a.waitMs,
          },
        ]),
      );
    }
    await Promise.all(pending);
  } else if (a.kind === 'idle') {
    await sockets(
      Array.from({ length: a.count }, () => ({ port: a.port, localAddress: a.ip, chunks: [], waitMs: a.waitMs })),
    );
  } else {
    const body = Buffer.from(JSON.stringify({ order_id: 'x', status_code: '200', gross_amount: '1.00' }));
    // Keep-alive connections per address, at most `concurrencyPerIp` each; deliveries are started at
    // `perSecond` overall (an open loop, as a botnet sends, not paced by the server's answers).
    const agents = a.ips.map((ip) => new Agent({ keepAlive: true, maxSockets: a.concurrencyPerIp, localAddress: ip }));
    const one = (agent: Agent, provider: string) =>
      new Promise<void>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: a.port,
            path: `/v1/webhooks/${provider}`,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': body.length },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              let code: string | undefined;
              try {
                code = JSON.parse(Buffer.concat(chunks).toString()).error?.code;
              } catch {}
              tally(report, res.statusCode ?? null, code);
              resolve();
            });
          },
        );
        req.on('error', () => {
          tally(report, null, undefined);
          resolve();
        });
        req.end(body);
      });
    const total = a.ips.length * a.perIp;
    const pending: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / a.perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const provider = a.providers[i % a.providers.length]!;
      report.sent++;
      report.perProvider[provider] = (report.perProvider[provider] ?? 0) + 1;
      pending.push(one(agents[i % agents.length]!, provider));
    }
    await Promise.all(pending);
    for (const agent of agents) agent.destroy();
  }
  return report;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const attack = JSON.parse(process.argv[2]!) as Attack;
  run(attack).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e) => {
      process.stderr.write(`${e?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
