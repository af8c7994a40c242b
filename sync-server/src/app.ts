/**
 * The sync-server as a Fastify app. `buildApp()` returns it unstarted, so tests use `app.inject` or listen on
 * port 0; `main.ts` is the process entry point.
 */
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type preHandlerHookHandler } from 'fastify';
import pino from 'pino';
import type { ProviderId } from '../../shared/schemas/sync-api.ts';
import type { Config } from './config.ts';
import { TransactionBatcher } from './db/batcher.ts';
import { type Database, openDatabase } from './db/database.ts';
import { createMetrics } from './metrics.ts';
import { registerAbuseGuards } from './plugins/abuse-limits.ts';
import { limitConnectionsPerIp } from './plugins/connection-limits.ts';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './plugins/errors.ts';
import { requireCsrfOnWrites, requireManager } from './plugins/manager-auth.ts';
import type { PaymentProvider } from './providers/payment-provider.ts';
import { createProviders } from './providers/registry.ts';
import { ProviderRouter } from './providers/router.ts';
import { RelayHub } from './relay/hub.ts';
import { adminRoutes } from './routes/admin.ts';
import { adminStaticRoutes } from './routes/admin-static.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { healthRoutes } from './routes/health.ts';
import { offlineRoutes } from './routes/offline.ts';
import { paymentRoutes } from './routes/payments.ts';
import { refundRoutes } from './routes/refunds.ts';
import { shiftRoutes } from './routes/shifts.ts';
import { syncRoutes } from './routes/sync.ts';
import { syncPushRoutes } from './routes/sync-push.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { ServerContext } from './services/context.ts';
import { startRefundFollowUp } from './services/refunds.ts';
import { startSweeper } from './services/sweeper.ts';

export const BODY_LIMIT = 64 * 1024;

export type BuildOptions = {
  config: Config;
  /** Defaults to the providers the configuration has keys for. */
  providers?: Partial<Record<ProviderId, PaymentProvider>>;
  /** An already opened database (tests share one between two app instances). */
  database?: Database;
  now?: () => number;
  /** Run the sweeper (and the refund follow-up) on its interval (default true). */
  sweeper?: boolean;
  /** The preHandlers guarding the manager's catalog routes (default: a manager session, CSRF on writes). */
  catalogManagerAuth?: preHandlerHookHandler[];
  /** The guard in front of the refund routes (default: a manager session, CSRF on writes). */
  managerGuard?: preHandlerHookHandler[];
  /** The built manager dashboard (default dist-admin/ at the repository root). */
  adminDir?: string;
};

export type App = { app: FastifyInstance; ctx: ServerContext; hub: RelayHub };

export async function buildApp(o: BuildOptions): Promise<App> {
  const { config } = o;
  const log = pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers["x-callback-token"]'],
  });
  const database = o.database ?? openDatabase(config.database);
  const ownsDatabase = !o.database;
  await database.migrate();

  const metrics = createMetrics();
  const router = new ProviderRouter(o.providers ?? createProviders(config), config.breaker, metrics);
  const hub = new RelayHub();

  // With PostgreSQL every instance learns of new events through NOTIFY (its own included), so a webhook
  // landing on one instance reaches tills connected to another. SQLite has one instance: signal directly.
  let unlisten: (() => Promise<void>) | null = null;
  const published = database.kind === 'postgres' ? () => {} : (storeId: string) => hub.storeChanged(storeId);
  if (database.kind === 'postgres') {
    unlisten = await database.listen({
      onPayload: (storeId) => hub.storeChanged(storeId),
      // NOTIFYs sent while the connection was down are lost: every live socket re-reads from its cursor.
      onReconnected: () => {
        log.warn('LISTEN connection re-established; re-reading every live store');
        hub.allStoresChanged();
      },
      onError: (err) => log.error({ err }, 'LISTEN connection failed'),
    });
  }

  const ctx: ServerContext = {
    config,
    database,
    writes: new TransactionBatcher(database.db, database.kind),
    router,
    metrics,
    log,
    now: o.now ?? Date.now,
    published,
  };

  const t = config.http;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    // Fastify's defaults leave a request that never finishes arriving open forever (requestTimeout 0): headers
    // with a Content-Length and no body held a socket until file descriptors ran out. Node answers 408 when the
    // headers or the whole request are late, checking every connectionsCheckingInterval.
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    connectionTimeout: t.socketIdleTimeoutMs,
    http: {
      requestTimeout: t.requestTimeoutMs,
      headersTimeout: t.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(t.headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(metrics),
    frameworkErrors,
  });
  limitConnectionsPerIp(app.server, t.maxConnectionsPerIp, metrics);
  app.decorateRequest('device', null);
  app.decorateRequest('manager', null);
  app.decorateRequest('managerSession', null);
  // The API speaks JSON only: a text/plain body is refused with 415 rather than parsed as a string.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  const guards = await registerAbuseGuards(app, config);
  await app.register(websocket, { options: { maxPayload: BODY_LIMIT } });
  // Manager sessions (/admin) ride on an HttpOnly cookie; tills never send one.
  await app.register(cookie);

  healthRoutes(app, ctx);
  paymentRoutes(app, ctx, guards);
  offlineRoutes(app, ctx, guards);
  shiftRoutes(app, ctx, guards);
  syncRoutes(app, ctx, hub, guards);
  syncPushRoutes(app, ctx, guards);
  catalogRoutes(app, ctx, { manager: o.catalogManagerAuth ?? [requireManager(ctx), requireCsrfOnWrites] }, guards);
  await webhookRoutes(app, ctx, guards);
  adminRoutes(app, ctx);
  refundRoutes(app, ctx, { preHandler: o.managerGuard ?? [requireManager(ctx), requireCsrfOnWrites] });

  // The manager dashboard's page and assets (its API is registered above, under /admin/api).
  await adminStaticRoutes(app, o.adminDir);

  const stopSweeper = o.sweeper === false ? null : startSweeper(ctx);
  const stopRefunds = o.sweeper === false ? null : startRefundFollowUp(ctx);
  app.addHook('onClose', async () => {
    await stopSweeper?.();
    await stopRefunds?.();
    await unlisten?.();
    if (ownsDatabase) await database.close();
  });
  return { app, ctx, hub };
}
