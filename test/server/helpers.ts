/**
 * Server test harness: a real sync-server on a real database (a SQLite file, or a fresh PostgreSQL schema
 * when KQ_TEST_DATABASE_URL is set — CI runs this suite both ways), wired over real HTTP to both provider
 * sandboxes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { type System, type SystemOptions, startSystem } from '../../scripts/system.ts';
import { type LiveFrame, LiveFrameSchema } from '../../shared/events.ts';
import { newId } from '../../shared/ids.ts';

export const PG_URL = process.env.KQ_TEST_DATABASE_URL;
export const DB_KIND = PG_URL ? 'postgres' : 'sqlite';

/** A throwaway PostgreSQL schema; the connection string pins search_path to it. */
export async function freshPgSchema(baseUrl = PG_URL): Promise<{ url: string; drop(): Promise<void> }> {
  if (!baseUrl) throw new Error('KQ_TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

export type TestSystem = System & {
  dataDir: string;
  databaseUrl: string | undefined;
  /** Enrols a device in a new store and returns helpers bound to its token. */
  till(o?: { provider?: 'xendit' | 'midtrans'; storeId?: string }): Promise<Till>;
  close(): Promise<void>;
};

export type Till = {
  storeId: string;
  deviceId: string;
  token: string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  createPayment(amount: number, extra?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  live(cursor?: number): Promise<LiveClient>;
};

export type LiveClient = {
  frames: LiveFrame[];
  waitFor(pred: (f: LiveFrame) => boolean, timeoutMs?: number): Promise<LiveFrame>;
  close(): void;
};

export async function startTestSystem(o: Partial<SystemOptions> & { pg?: { url: string } } = {}): Promise<TestSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kasir-server-'));
  const schema = o.pg ? null : PG_URL ? await freshPgSchema() : null;
  const databaseUrl = o.pg?.url ?? schema?.url;
  const sys = await startSystem({
    dataDir,
    timeScale: 0.0001,
    sweepIntervalMs: 60_000,
    ...o,
    databaseUrl,
  });
  const base = sys.serverUrl;
  return {
    ...sys,
    dataDir,
    databaseUrl,
    async till(t = {}) {
      const storeId = t.storeId ?? `store-${newId()}`;
      const { deviceId, token } = await sys.enrolDevice({
        storeId,
        storeName: 'Toko Test',
        deviceName: 'till-1',
        provider: t.provider ?? 'xendit',
      });
      const request = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        return { status: res.status, body: parsed as any };
      };
      return {
        storeId,
        deviceId,
        token,
        request,
        createPayment: (amount, extra = {}) =>
          request('POST', '/v1/payments', { payment_id: newId(), sale_id: newId(), amount, ...extra }),
        live: (cursor = 0) => openLive(base, token, cursor),
      };
    },
    async close() {
      await sys.stop();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function openLive(baseUrl: string, token: string, cursor = 0): Promise<LiveClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/sync/live?cursor=${cursor}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const frames: LiveFrame[] = [];
  const waiters: { pred: (f: LiveFrame) => boolean; resolve: (f: LiveFrame) => void }[] = [];
  ws.on('message', (data) => {
    const f = LiveFrameSchema.parse(JSON.parse(String(data)));
    frames.push(f);
    for (const w of [...waiters]) {
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`live upgrade refused: ${res.statusCode}`)));
    ws.once('message', () => resolve());
  });
  return {
    frames,
    waitFor(pred, timeoutMs = 10_000) {
      const found = frames.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (f: LiveFrame) => {
            clearTimeout(t);
            resolve(f);
          },
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error('timed out waiting for a live frame'));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: () => ws.close(),
  };
}

/** Polls until `fn` returns a truthy value (event-driven tests still need a bound). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
