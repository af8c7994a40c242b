/**
 * Issue 6, defect 4: rejected webhook deliveries are stored within a budget per provider and window; the rest
 * are counted only, and the next stored row says how many were dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';
import { DB_KIND, freshPgSchema, PG_URL } from './helpers.ts';

const KEPT = 3;
const WINDOW_MS = 60_000;
let clock = Date.UTC(2026, 10, 23);
let server: App;
let closeMain: () => Promise<void> = async () => {};

/** A server with a row budget of `kept`, on SQLite in memory or a fresh PostgreSQL schema. */
async function openApp(kept: number): Promise<{ app: App; close(): Promise<void> }> {
  const schema = PG_URL ? await freshPgSchema() : null;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    MIDTRANS_SERVER_KEY: 'SB-Mid-server-budget-test',
    MIDTRANS_BASE_URL: 'http://127.0.0.1:9',
    REJECTED_WEBHOOKS_KEPT: String(kept),
    REJECTED_WEBHOOKS_WINDOW_MS: String(WINDOW_MS),
    WEBHOOK_FAILURES_PER_IP: '1000',
    ...(schema ? { DATABASE_URL: schema.url } : {}),
  });
  const app = await buildApp({
    config: schema ? config : { ...config, database: { kind: 'sqlite', file: ':memory:' } },
    sweeper: false,
    now: () => clock,
  });
  return {
    app,
    async close() {
      await app.app.close();
      await schema?.drop();
    },
  };
}

beforeAll(async () => {
  const main = await openApp(KEPT);
  server = main.app;
  closeMain = main.close;
});
afterAll(async () => {
  await closeMain();
});

const deliver = (provider: string, on: App = server) =>
  on.app.inject({
    method: 'POST',
    url: `/v1/webhooks/${provider}`,
    headers: { 'content-type': 'application/json' },
    payload: '{"order_id":"forged","status_code":"200","gross_amount":"1.00","signature_key":"00"}',
  });

const rejectedRows = (provider: string, on: App = server) =>
  on.ctx.database.db
    .selectFrom('webhook_events')
    .select(['id', 'detail'])
    .where('provider', '=', provider)
    .where('outcome', '=', 'rejected')
    .orderBy('id')
    .execute();

async function metric(name: string, labels: string, on: App = server): Promise<number> {
  const text = await on.ctx.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe(`the rejected-webhook row budget (${DB_KIND})`, () => {
  it('stores the first rows of a window, counts the rest, and says so in the next window', async () => {
    for (let i = 0; i < 10; i++) expect((await deliver('midtrans')).statusCode).toBe(401);
    expect(await rejectedRows('midtrans')).toHaveLength(KEPT);
    expect(await metric('kasir_webhooks_total', 'provider="midtrans",outcome="rejected"')).toBe(10);
    expect(await metric('kasir_webhook_rejected_unstored_total', 'provider="midtrans"')).toBe(10 - KEPT);

    // Another provider has its own budget (xendit is not configured here: 404, stored as rejected).
    expect((await deliver('xendit')).statusCode).toBe(404);
    expect(await rejectedRows('xendit')).toHaveLength(1);

    clock += WINDOW_MS;
    expect((await deliver('midtrans')).statusCode).toBe(401);
    const rows = await rejectedRows('midtrans');
    expect(rows).toHaveLength(KEPT + 1);
    expect(rows.at(-1)?.detail).toBe('signature; 7 earlier rejected deliveries were counted but not stored');
    expect((await deliver('midtrans')).statusCode).toBe(401);
    expect((await rejectedRows('midtrans')).at(-1)?.detail).toBe('signature');
  });

  it('writes only a few rows of a simultaneous burst, even with budget left, and counts the rest', async () => {
    const big = await openApp(1_000);
    try {
      const n = 50;
      const answers = await Promise.all(Array.from({ length: n }, () => deliver('midtrans', big.app)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(n).fill(401));
      const stored = (await rejectedRows('midtrans', big.app)).length;
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(n / 2);
      expect(await metric('kasir_webhook_rejected_unstored_total', 'provider="midtrans"', big.app)).toBe(n - stored);
    } finally {
      await big.close();
    }
  });
});
