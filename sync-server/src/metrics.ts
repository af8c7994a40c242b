/** Prometheus metrics, one registry per app instance so that tests can build many apps in one process. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** One till's sync state for the per-till gauges. */
export type TillGaugeRow = { store: string; device: string; lagSeconds: number | null; queueDepth: number | null };

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // The per-till gauges are read from the database at scrape time (the admin service installs the reader), so
  // every instance reports every till, and a till that went quiet with items keeps a growing lag.
  const tills: { source: (() => Promise<TillGaugeRow[]>) | null } = { source: null };
  let inFlight: Promise<TillGaugeRow[]> | null = null;
  // A scrape collects every metric concurrently: both gauges share the one read in flight, and the next scrape
  // reads afresh.
  const readTills = (): Promise<TillGaugeRow[]> => {
    inFlight ??= (tills.source ? tills.source().catch(() => []) : Promise.resolve([])).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  return {
    registry,
    tills,
    tillSyncLag: new Gauge({
      name: 'kasir_till_sync_lag_seconds',
      help: 'Per till: now minus the oldest item it still held at its last report (0 when synced)',
      labelNames: ['store', 'device'] as const,
      registers: [registry],
      async collect() {
        const rows = await readTills();
        this.reset();
        for (const r of rows) if (r.lagSeconds !== null) this.set({ store: r.store, device: r.device }, r.lagSeconds);
      },
    }),
    tillQueueDepth: new Gauge({
      name: 'kasir_till_queue_depth',
      help: 'Per till: outbox entries still waiting at its last report',
      labelNames: ['store', 'device'] as const,
      registers: [registry],
      async collect() {
        const rows = await readTills();
        this.reset();
        for (const r of rows) if (r.queueDepth !== null) this.set({ store: r.store, device: r.device }, r.queueDepth);
      },
    }),
    adminLogins: new Counter({
      name: 'kasir_admin_logins_total',
      help: 'Manager login attempts by result: ok, wrong (401), throttled (429)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'kasir_webhooks_total',
      help: 'Provider webhook deliveries by outcome',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    webhookRejectedUnstored: new Counter({
      name: 'kasir_webhook_rejected_unstored_total',
      help: 'Rejected webhook deliveries counted but not stored (over the per-provider row budget)',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    deviceAuthFailures: new Counter({
      name: 'kasir_device_auth_failures_total',
      help: 'Requests refused for a missing or bad device token, by answer',
      labelNames: ['answer'] as const,
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'kasir_http_connections_refused_total',
      help: 'Connections closed on accept because their address already held the maximum',
      registers: [registry],
    }),
    openConnections: new Gauge({
      name: 'kasir_http_open_connections',
      help: 'Open client connections (HTTP and WebSocket)',
      registers: [registry],
    }),
    clientErrors: new Counter({
      name: 'kasir_http_client_errors_total',
      help: 'Connections answered at the HTTP parser level: timeout, header_overflow or malformed',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    webhookSeconds: new Histogram({
      name: 'kasir_webhook_ingest_seconds',
      help: 'Time from request to durable outcome',
      labelNames: ['provider'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    paymentsCreated: new Counter({
      name: 'kasir_payments_created_total',
      help: 'QRIS payments created at a provider',
      labelNames: ['provider', 'failover'] as const,
      registers: [registry],
    }),
    statusChanges: new Counter({
      name: 'kasir_payment_status_changes_total',
      help: 'Applied payment status changes',
      labelNames: ['status', 'source'] as const,
      registers: [registry],
    }),
    providerRequests: new Counter({
      name: 'kasir_provider_requests_total',
      help: 'Calls to payment providers',
      labelNames: ['provider', 'op', 'result'] as const,
      registers: [registry],
    }),
    providerSeconds: new Histogram({
      name: 'kasir_provider_request_seconds',
      help: 'Latency of calls to payment providers',
      labelNames: ['provider', 'op'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'kasir_provider_breaker_state',
      help: 'Circuit breaker per provider: 0 closed, 1 open, 2 half-open',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    liveConnections: new Gauge({
      name: 'kasir_live_connections',
      help: 'Open till WebSocket connections',
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'kasir_sync_events_total',
      help: 'Events appended for tills',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    refunds: new Counter({
      name: 'kasir_refunds_total',
      help: 'Refund attempts at providers by outcome: succeeded, pending, failed (refused), unavailable',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    sweeps: new Counter({
      name: 'kasir_sweeper_checks_total',
      help: 'Pending payments checked with the provider by the sweeper',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}
