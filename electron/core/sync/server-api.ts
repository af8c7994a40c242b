/**
 * The till's HTTP client for the sync-server (shared/schemas/sync-api.ts). Every answer is parsed with the
 * contract's schema; every failure becomes a TillFailure with a code the cashier's screen understands:
 * network errors, timeouts, 5xx and 429 are SERVER_UNREACHABLE (retryable); the server's provider errors
 * (502 PROVIDER_REJECTED, 503 PROVIDER_UNAVAILABLE, 501 NOT_SUPPORTED) are PROVIDER_UNAVAILABLE; 4xx keep
 * their meaning.
 *
 * The device token goes only to `baseUrl`: redirects are never followed (a redirect is reported, not obeyed),
 * so the token cannot be carried to another address by the server's answer.
 */
import type { z } from 'zod';
import { TILL_REQUEST_TIMEOUT_MS, tillProviderRequestTimeoutMs } from '../../../shared/deadlines.ts';
import type { TillErrorCode } from '../../../shared/ipc.ts';
import type { Rupiah } from '../../../shared/money.ts';
import { type CatalogSnapshot, CatalogSnapshotSchema } from '../../../shared/schemas/catalog-api.ts';
import {
  ApiErrorSchema,
  type CreatePaymentRequest,
  type Health,
  HealthSchema,
  type OfflineSetup,
  OfflineSetupSchema,
  type PaymentView,
  PaymentViewSchema,
  type PushRequest,
  type PushResponse,
  PushResponseSchema,
} from '../../../shared/schemas/sync-api.ts';
import { fail, TillFailure } from '../errors.ts';

export type ServerApiOptions = {
  baseUrl: string;
  token: string;
  /** Requests the server answers from its own state (reads, health). */
  timeoutMs?: number;
  /**
   * Requests that make the server call the payment provider (create, cancel): longer than the server's own
   * provider deadline (shared/deadlines.ts), so a slow provider is never mistaken for an unreachable server.
   */
  providerTimeoutMs?: number;
  fetch?: typeof fetch;
};

/** Server codes that mean "the payment provider failed", whatever the HTTP status (501, 502, 503). */
const PROVIDER_CODES = new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_REJECTED', 'NOT_SUPPORTED']);

export class ServerApi {
  readonly #o: Required<ServerApiOptions>;

  constructor(o: ServerApiOptions) {
    this.#o = {
      baseUrl: o.baseUrl.replace(/\/+$/, ''),
      token: o.token,
      timeoutMs: o.timeoutMs ?? TILL_REQUEST_TIMEOUT_MS,
      providerTimeoutMs: o.providerTimeoutMs ?? tillProviderRequestTimeoutMs(),
      fetch: o.fetch ?? globalThis.fetch,
    };
  }

  /** The deadlines in use (ms): reads of the server's own state, and requests that wait on the provider. */
  get timeouts(): { read: number; provider: number } {
    return { read: this.#o.timeoutMs, provider: this.#o.providerTimeoutMs };
  }

  health(): Promise<Health> {
    return this.#call('GET', '/health', undefined, HealthSchema);
  }

  /** Idempotent on `payment_id`: a retry after a lost answer returns the same payment. */
  createPayment(req: { paymentId: string; saleId: string; amount: Rupiah }): Promise<PaymentView> {
    const body: CreatePaymentRequest = { payment_id: req.paymentId, sale_id: req.saleId, amount: req.amount };
    return this.#call('POST', '/v1/payments', body, PaymentViewSchema, this.#o.providerTimeoutMs);
  }

  /** The store's static QRIS and offline limits. The first ask may create the static QR at the provider. */
  offlineSetup(): Promise<OfflineSetup> {
    return this.#call('GET', '/v1/store/offline', undefined, OfflineSetupSchema, this.#o.providerTimeoutMs);
  }

  /** The store's whole catalog (inactive products too), for the till's copy (catalog/catalog-sync.ts). */
  catalog(): Promise<CatalogSnapshot> {
    return this.#call('GET', '/v1/catalog', undefined, CatalogSnapshotSchema);
  }

  getPayment(id: string): Promise<PaymentView> {
    return this.#call('GET', `/v1/payments/${encodeURIComponent(id)}`, undefined, PaymentViewSchema);
  }

  cancelPayment(id: string): Promise<PaymentView> {
    return this.#call(
      'POST',
      `/v1/payments/${encodeURIComponent(id)}/cancel`,
      undefined,
      PaymentViewSchema,
      this.#o.providerTimeoutMs,
    );
  }

  /**
   * Pushes a batch of outbox mutations. Never throws for an HTTP or network failure: the drain needs the
   * status, the code and (for a 409 MUTATION_GAP) the server's last applied id to classify it.
   */
  async push(req: PushRequest): Promise<PushResult> {
    const sentAt = Date.now();
    const doFetch = this.#o.fetch; // unbound, like #call
    let res: Response;
    try {
      res = await doFetch(`${this.#o.baseUrl}/v1/sync/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(req),
        // Never follow a redirect: it would carry the device token to another address.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      const message =
        name === 'TimeoutError'
          ? `sync-server timed out (${this.#o.baseUrl})`
          : `sync-server could not connect (${this.#o.baseUrl})`;
      if (name === 'TimeoutError' || (e instanceof TypeError && e.message === 'fetch failed')) {
        return { ok: false, status: 0, code: 'NETWORK', message };
      }
      throw e;
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (res.ok) {
      const parsed = PushResponseSchema.safeParse(json);
      if (parsed.success) return { ok: true, data: parsed.data, rttMs: Date.now() - sentAt, sentAt };
      return { ok: false, status: res.status, code: 'BAD_ANSWER', message: 'unexpected answer to a push' };
    }
    const apiErr = ApiErrorSchema.safeParse(json);
    const last = (json as { last_mutation_id?: unknown } | undefined)?.last_mutation_id;
    return {
      ok: false,
      status: res.status,
      code: apiErr.success ? apiErr.data.error.code : `HTTP_${res.status}`,
      message: apiErr.success ? apiErr.data.error.message : `HTTP ${res.status}`,
      ...(typeof last === 'number' && Number.isSafeInteger(last) ? { lastMutationId: last } : {}),
    };
  }

  async #call<T>(
    method: string,
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    timeoutMs = this.#o.timeoutMs,
  ): Promise<T> {
    let res: Response;
    // Called unbound: the global fetch throws "Illegal invocation" when called as a method of another object.
    const doFetch = this.#o.fetch;
    try {
      res = await doFetch(`${this.#o.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#o.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      // fetch rejects with a TypeError("fetch failed") for network errors and a TimeoutError for the signal;
      // anything else is a bug here and must not be disguised as "server down".
      const name = e instanceof Error ? e.name : '';
      if (name === 'TimeoutError') throw fail('SERVER_UNREACHABLE', `sync-server timed out (${this.#o.baseUrl})`);
      if (e instanceof TypeError && e.message === 'fetch failed') {
        throw fail('SERVER_UNREACHABLE', `sync-server could not connect (${this.#o.baseUrl})`);
      }
      throw e;
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      const to = res.headers.get('location');
      throw fail(
        'NOT_CONFIGURED',
        `the sync-server at ${this.#o.baseUrl} redirects${to ? ` to ${to.slice(0, 200)}` : ''}; enter the new address and the device token in Settings`,
      );
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (res.ok) {
      const parsed = schema.safeParse(json);
      // A 2xx we cannot read is a server of another version: retrying will not help, but nothing was lost.
      if (!parsed.success) throw fail('INTERNAL', `unexpected answer from the sync-server for ${method} ${path}`);
      return parsed.data;
    }
    const apiErr = ApiErrorSchema.safeParse(json);
    const code = apiErr.success ? apiErr.data.error.code : '';
    const message = apiErr.success ? apiErr.data.error.message : `HTTP ${res.status}`;
    throw new TillFailure(classify(res.status, code), message);
  }
}

/**
 * An HTTP failure → the till's code. The server's provider errors (by their code: 502 PROVIDER_REJECTED, 503
 * PROVIDER_UNAVAILABLE, 501 NOT_SUPPORTED) are the provider's trouble, not the server's; a 502/503/504 without
 * the server's error body comes from something in front of it (a proxy that cannot reach it), which is
 * "server unreachable".
 */
export function classify(status: number, code: string): TillErrorCode {
  if (PROVIDER_CODES.has(code)) return 'PROVIDER_UNAVAILABLE';
  if (code === 'ALREADY_PAID') return 'ALREADY_PAID';
  if (status === 429 || status >= 500) return 'SERVER_UNREACHABLE';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 400 || status === 413 || status === 415) return 'INVALID_INPUT';
  return 'INTERNAL';
}

export type PushResult =
  | { ok: true; data: PushResponse; rttMs: number; sentAt: number }
  | { ok: false; status: number; code: string; message: string; lastMutationId?: number };
