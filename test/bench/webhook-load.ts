/**
 * Load generator for the webhook-ingest benchmark, run as its own process so that generating load does not
 * share the server's event loop. Sends signed Midtrans settlement notifications for the given payments (a
 * share of them repeated, to exercise deduplication) with autocannon and prints autocannon's result as JSON.
 * Input (env): URL, SERVER_KEY, PAYMENTS (path to a JSON [{id, transaction_id, amount}]), DURATION_S,
 * CONNECTIONS, DUPLICATE_EVERY (every Nth request repeats an earlier one).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { settlementFields, signedMidtrans } from '../support/midtrans.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const payments = JSON.parse(readFileSync(env('PAYMENTS'), 'utf8')) as {
  id: string;
  transaction_id: string;
  amount: number;
}[];
const serverKey = env('SERVER_KEY');
const dupEvery = Number(process.env.DUPLICATE_EVERY ?? 5);

const bodies = payments.map((p) =>
  signedMidtrans(settlementFields({ orderId: p.id, transactionId: p.transaction_id, amount: p.amount }), serverKey),
);

let i = 0;
let fresh = 0;
const result = await autocannon({
  url: env('URL'),
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  connections: Number(process.env.CONNECTIONS ?? 32),
  duration: Number(process.env.DURATION_S ?? 8),
  requests: [
    {
      setupRequest(req) {
        i++;
        // Every Nth request redelivers an earlier event, as providers do.
        const body = i % dupEvery === 0 && fresh > 0 ? bodies[(i * 7919) % fresh]! : bodies[fresh++ % bodies.length]!;
        return { ...req, body };
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    fresh,
  })}\n`,
);
