/**
 * The whole system in one process: both provider sandboxes, the wallet payer and a sync-server wired to them
 * over real HTTP, exactly as a deployment talks to Xendit and Midtrans. Used by `npm start`, the end-to-end
 * tests and the benchmarks. The server never imports the sandboxes; only this launcher knows both.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ProviderId } from '../shared/schemas/sync-api.ts';
import { type Sandboxes, startSandboxes } from '../sync-server/sandbox/main.ts';
import type { Chaos } from '../sync-server/sandbox/webhook-dispatcher.ts';
import { type App, type BuildOptions, buildApp } from '../sync-server/src/app.ts';
import { loadConfig } from '../sync-server/src/config.ts';
import { setStoreProvider } from '../sync-server/src/repos/stores-repo.ts';
import { enrolDevice } from '../sync-server/src/services/devices.ts';

export type System = {
  serverUrl: string;
  payerUrl: string;
  xenditUrl: string;
  midtransUrl: string;
  server: App;
  sandboxes: Sandboxes;
  enrolDevice(o: { storeId: string; storeName?: string; deviceName: string; provider?: ProviderId }): Promise<{
    deviceId: string;
    token: string;
  }>;
  setStoreProvider(storeId: string, provider: ProviderId): Promise<void>;
  pay(qrString: string): Promise<{ ok: boolean; status: number; body: unknown }>;
  stop(): Promise<void>;
};

export type SystemOptions = {
  dataDir: string;
  /** Server port; 0 or absent picks a free one. */
  port?: number;
  host?: string;
  /** Provider time per real time for webhook retry schedules (1 = real time). */
  timeScale?: number;
  paymentTtlSeconds?: number;
  databaseUrl?: string;
  log?: boolean;
  sweepIntervalMs?: number;
  sweepPendingAfterMs?: number;
  chaos?: Partial<Chaos>;
  sandboxPorts?: { xendit?: number; midtrans?: number; payer?: number };
  /** Further server environment (timeouts, limits), applied last. */
  env?: Record<string, string>;
  /** The guard in front of manager-only routes (see BuildOptions.managerGuard). */
  managerGuard?: BuildOptions['managerGuard'];
};

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export async function startSystem(o: SystemOptions): Promise<System> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port || (await freePort(host));
  const serverUrl = `http://${host}:${port}`;
  const sandboxes = await startSandboxes({
    host,
    serverUrl,
    timeScale: o.timeScale ?? 1,
    chaos: o.chaos,
    ports: o.sandboxPorts,
  });
  const env: Record<string, string | undefined> = {
    HOST: host,
    PORT: String(port),
    DATA_DIR: join(o.dataDir, 'server'),
    DATABASE_URL: o.databaseUrl,
    LOG_LEVEL: o.log ? 'info' : 'silent',
    PAYMENT_TTL_SECONDS: String(o.paymentTtlSeconds ?? 900),
    XENDIT_BASE_URL: sandboxes.xenditUrl,
    XENDIT_SECRET_KEY: sandboxes.xenditSecretKey,
    XENDIT_CALLBACK_TOKEN: sandboxes.xenditCallbackToken,
    MIDTRANS_BASE_URL: sandboxes.midtransUrl,
    MIDTRANS_SERVER_KEY: sandboxes.midtransServerKey,
    SWEEP_INTERVAL_MS: String(o.sweepIntervalMs ?? 2_000),
    SWEEP_PENDING_AFTER_MS: String(o.sweepPendingAfterMs ?? 5_000),
    ...o.env,
  };
  let server: App | null = null;
  try {
    server = await buildApp({ config: loadConfig(env), ...(o.managerGuard ? { managerGuard: o.managerGuard } : {}) });
    await server.app.listen({ host, port });
  } catch (e) {
    // A busy port (or a bad database) must not leave the sandboxes listening behind the error.
    await server?.app.close().catch(() => undefined);
    await sandboxes.close().catch(() => undefined);
    throw e;
  }
  const db = server.ctx.database.db;

  return {
    serverUrl,
    payerUrl: `${sandboxes.payerUrl}/pay`,
    xenditUrl: sandboxes.xenditUrl,
    midtransUrl: sandboxes.midtransUrl,
    server,
    sandboxes,
    async enrolDevice(e) {
      const r = await enrolDevice(db, {
        storeId: e.storeId,
        storeName: e.storeName,
        deviceName: e.deviceName,
        provider: e.provider ?? 'xendit',
        now: Date.now(),
      });
      if (e.provider && !r.storeCreated) await setStoreProvider(db, e.storeId, e.provider);
      return { deviceId: r.deviceId, token: r.token };
    },
    async setStoreProvider(storeId, provider) {
      await setStoreProvider(db, storeId, provider);
    },
    pay: (qr) => sandboxes.pay(qr),
    async stop() {
      await server.app.close();
      await sandboxes.close();
    },
  };
}
