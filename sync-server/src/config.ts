/**
 * Server configuration, parsed once at boot from the environment (STYLE.md convention 12): a frozen, typed
 * object; secrets are masked when logged. Provider keys live only here, never in a till.
 */
import { z } from 'zod';
import { PROVIDER_TIMEOUT_DEFAULT_MS, PROVIDER_TIMEOUT_MAX_MS } from '../../shared/deadlines.ts';
import { PROVIDER_IDS } from '../../shared/schemas/sync-api.ts';

const XENDIT_API = 'https://api.xendit.co';
const MIDTRANS_SANDBOX_API = 'https://api.sandbox.midtrans.com';
const MIDTRANS_PRODUCTION_API = 'https://api.midtrans.com';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.url({ protocol: /^https?$/ });

const EnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 65_535).default(8787),
  /** The folder `npm start` gives its server too, so the CLI finds the demo store (see main.ts). */
  DATA_DIR: z.string().default('./data/server'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where providers reach this server (webhooks); Midtrans gets it per charge via X-Override-Notification. */
  PUBLIC_URL: url.optional(),
  DEFAULT_PROVIDER: z.enum(PROVIDER_IDS).default('xendit'),
  // Short TTLs (down to 5 s) exist for demos and expiry tests; production keeps the 15-minute default.
  PAYMENT_TTL_SECONDS: int(5, 48 * 3600).default(900),
  // Bounded so the till, which waits longer than the provider calls of one request, is never first to give up.
  PROVIDER_TIMEOUT_MS: int(100, PROVIDER_TIMEOUT_MAX_MS).default(PROVIDER_TIMEOUT_DEFAULT_MS),
  /** A payment still pending this long after creation is checked with the provider by the sweeper. */
  SWEEP_PENDING_AFTER_MS: int(1_000, 3_600_000).default(30_000),
  SWEEP_INTERVAL_MS: int(200, 3_600_000).default(15_000),
  /** A static-QR payment verifies an offline QRIS sale of the same amount made within this much of it. */
  OFFLINE_MATCH_WINDOW_MS: int(1_000, 24 * 3_600_000).default(30 * 60_000),
  /** An offline QRIS sale no static-QR payment has verified this long after it goes to the review queue. */
  OFFLINE_REVIEW_AFTER_MS: int(1_000, 7 * 24 * 3_600_000).default(60 * 60_000),
  BREAKER_FAILURES: int(1, 100).default(3),
  BREAKER_COOLDOWN_MS: int(100, 3_600_000).default(30_000),
  XENDIT_SECRET_KEY: z.string().min(1).optional(),
  XENDIT_CALLBACK_TOKEN: z.string().min(1).optional(),
  XENDIT_BASE_URL: url.optional(),
  MIDTRANS_SERVER_KEY: z.string().min(1).optional(),
  MIDTRANS_BASE_URL: url.optional(),
  MIDTRANS_ACQUIRER: z.enum(['gopay', 'airpay shopee']).default('gopay'),
  // HTTP hardening (issue 6). Timeouts bound how long a client may hold a connection without finishing.
  /** Whole request, headers and body, must arrive within this; otherwise 408 and the connection is closed. */
  REQUEST_TIMEOUT_MS: int(100, 600_000).default(15_000),
  /** Headers must arrive within this (capped at REQUEST_TIMEOUT_MS). */
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** An idle keep-alive connection is closed after this. */
  KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** A socket with no traffic at all for this long is closed; must exceed PROVIDER_TIMEOUT_MS (default: 60 s or
   * PROVIDER_TIMEOUT_MS + 10 s, whichever is longer). */
  SOCKET_IDLE_TIMEOUT_MS: int(1_000, 3_600_000).optional(),
  /** Open connections one client address may hold (tills' WebSockets included); 0 = no cap. */
  MAX_CONNECTIONS_PER_IP: int(0, 1_000_000).default(256),
  /** Webhook deliveries failing verification one address may send per ABUSE_WINDOW_MS before it gets 429. */
  WEBHOOK_FAILURES_PER_IP: int(1, 1_000_000).default(60),
  /** Failed device authentications one address may make per ABUSE_WINDOW_MS before it gets 429. */
  AUTH_FAILURES_PER_IP: int(1, 1_000_000).default(30),
  ABUSE_WINDOW_MS: int(1_000, 86_400_000).default(60_000),
  /** Rejected (unverified) webhook rows stored per provider per REJECTED_WEBHOOKS_WINDOW_MS; the rest are counted only. */
  REJECTED_WEBHOOKS_KEPT: int(0, 1_000_000).default(200),
  REJECTED_WEBHOOKS_WINDOW_MS: int(1_000, 86_400_000).default(3_600_000),
  // Manager dashboard (/admin).
  /** A manager's session lasts this long after login. */
  ADMIN_SESSION_TTL_MS: int(60_000, 30 * 86_400_000).default(12 * 3_600_000),
  /** Mark the session cookie Secure even on plain-http requests (set it behind a TLS-terminating proxy). */
  ADMIN_SECURE_COOKIE: z.enum(['true', 'false']).default('false'),
  /** Wrong passwords one address may try per ADMIN_LOGIN_WINDOW_MS before it gets 429. */
  ADMIN_LOGIN_FAILURES_PER_IP: int(1, 1_000_000).default(20),
  /** Wrong passwords one email may be tried with per ADMIN_LOGIN_WINDOW_MS, from anywhere, before 429. */
  ADMIN_LOGIN_FAILURES_PER_EMAIL: int(1, 1_000_000).default(5),
  ADMIN_LOGIN_WINDOW_MS: int(1_000, 86_400_000).default(15 * 60_000),
});

export type ProviderMode = 'sandbox' | 'live';

export type Config = Readonly<{
  host: string;
  port: number;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  metricsToken: string | null;
  publicUrl: string;
  defaultProvider: (typeof PROVIDER_IDS)[number];
  paymentTtlSeconds: number;
  providerTimeoutMs: number;
  sweep: { pendingAfterMs: number; intervalMs: number };
  offline: { matchWindowMs: number; reviewAfterMs: number };
  breaker: { failures: number; cooldownMs: number };
  http: {
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
    socketIdleTimeoutMs: number;
    maxConnectionsPerIp: number;
  };
  abuse: {
    windowMs: number;
    webhookFailuresPerIp: number;
    authFailuresPerIp: number;
    rejectedWebhooksKept: number;
    rejectedWebhooksWindowMs: number;
  };
  admin: {
    sessionTtlMs: number;
    /** Secure cookie on every request (else only on https requests or an https PUBLIC_URL). */
    secureCookie: boolean;
    loginFailuresPerIp: number;
    loginFailuresPerEmail: number;
    loginWindowMs: number;
  };
  xendit: { baseUrl: string; secretKey: string; callbackToken: string; mode: ProviderMode } | null;
  midtrans: {
    baseUrl: string;
    serverKey: string;
    acquirer: 'gopay' | 'airpay shopee';
    notificationUrl: string;
    mode: ProviderMode;
  } | null;
}>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const isLoopback = (u: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  // A till's create request waits on the provider with no traffic on its socket.
  const socketIdleTimeoutMs = e.SOCKET_IDLE_TIMEOUT_MS ?? Math.max(60_000, e.PROVIDER_TIMEOUT_MS + 10_000);
  if (socketIdleTimeoutMs <= e.PROVIDER_TIMEOUT_MS) {
    throw new ConfigError('SOCKET_IDLE_TIMEOUT_MS must exceed PROVIDER_TIMEOUT_MS');
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, '');

  if (Boolean(e.XENDIT_SECRET_KEY) !== Boolean(e.XENDIT_CALLBACK_TOKEN)) {
    throw new ConfigError('XENDIT_SECRET_KEY and XENDIT_CALLBACK_TOKEN must be set together');
  }
  const xenditBase = e.XENDIT_BASE_URL ?? XENDIT_API;
  const xendit =
    e.XENDIT_SECRET_KEY && e.XENDIT_CALLBACK_TOKEN
      ? {
          baseUrl: xenditBase.replace(/\/$/, ''),
          secretKey: e.XENDIT_SECRET_KEY,
          callbackToken: e.XENDIT_CALLBACK_TOKEN,
          mode: (isLoopback(xenditBase) ? 'sandbox' : 'live') as ProviderMode,
        }
      : null;

  // Midtrans keys say which environment they belong to: sandbox keys start with "SB-".
  const midtransBase =
    e.MIDTRANS_BASE_URL ?? (e.MIDTRANS_SERVER_KEY?.startsWith('SB-') ? MIDTRANS_SANDBOX_API : MIDTRANS_PRODUCTION_API);
  const midtrans = e.MIDTRANS_SERVER_KEY
    ? {
        baseUrl: midtransBase.replace(/\/$/, ''),
        serverKey: e.MIDTRANS_SERVER_KEY,
        acquirer: e.MIDTRANS_ACQUIRER,
        notificationUrl: `${publicUrl}/v1/webhooks/midtrans`,
        mode: (isLoopback(midtransBase) ? 'sandbox' : 'live') as ProviderMode,
      }
    : null;

  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL }
      : { kind: 'sqlite' as const, file: `${e.DATA_DIR.replace(/\/$/, '')}/server.sqlite` },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN ?? null,
    publicUrl,
    defaultProvider: e.DEFAULT_PROVIDER,
    paymentTtlSeconds: e.PAYMENT_TTL_SECONDS,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    sweep: { pendingAfterMs: e.SWEEP_PENDING_AFTER_MS, intervalMs: e.SWEEP_INTERVAL_MS },
    offline: { matchWindowMs: e.OFFLINE_MATCH_WINDOW_MS, reviewAfterMs: e.OFFLINE_REVIEW_AFTER_MS },
    breaker: { failures: e.BREAKER_FAILURES, cooldownMs: e.BREAKER_COOLDOWN_MS },
    http: {
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      // Node refuses a headers timeout longer than the request timeout.
      headersTimeoutMs: Math.min(e.HEADERS_TIMEOUT_MS, e.REQUEST_TIMEOUT_MS),
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      socketIdleTimeoutMs,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    },
    abuse: {
      windowMs: e.ABUSE_WINDOW_MS,
      webhookFailuresPerIp: e.WEBHOOK_FAILURES_PER_IP,
      authFailuresPerIp: e.AUTH_FAILURES_PER_IP,
      rejectedWebhooksKept: e.REJECTED_WEBHOOKS_KEPT,
      rejectedWebhooksWindowMs: e.REJECTED_WEBHOOKS_WINDOW_MS,
    },
    admin: {
      sessionTtlMs: e.ADMIN_SESSION_TTL_MS,
      secureCookie: e.ADMIN_SECURE_COOKIE === 'true' || publicUrl.startsWith('https:'),
      loginFailuresPerIp: e.ADMIN_LOGIN_FAILURES_PER_IP,
      loginFailuresPerEmail: e.ADMIN_LOGIN_FAILURES_PER_EMAIL,
      loginWindowMs: e.ADMIN_LOGIN_WINDOW_MS,
    },
    xendit,
    midtrans,
  });
}

/** The config as it may appear in logs: secrets replaced by their length. */
export function maskedConfig(c: Config): unknown {
  const mask = (s: string) => `***(${s.length})`;
  const dbUrl = c.database.kind === 'postgres' ? c.database.url.replace(/\/\/([^:@]+):[^@]*@/, '//$1:***@') : null;
  return {
    ...c,
    metricsToken: c.metricsToken && mask(c.metricsToken),
    database: c.database.kind === 'postgres' ? { kind: 'postgres', url: dbUrl } : c.database,
    xendit: c.xendit && {
      ...c.xendit,
      secretKey: mask(c.xendit.secretKey),
      callbackToken: mask(c.xendit.callbackToken),
    },
    midtrans: c.midtrans && { ...c.midtrans, serverKey: mask(c.midtrans.serverKey) },
  };
}
