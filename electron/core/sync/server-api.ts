/**
 * The till's HTTP client for the sync-server (shared/schemas/sync-api.ts). Every answer is parsed with the
 * contract's schema; every failure becomes a TillFailure with a code the cashier's screen understands:
 * network errors, timeouts, 5xx and 429 are SERVER_UNREACHABLE (retryable), 503 PROVIDER_UNAVAILABLE stays
 * itself, 4xx keep their meaning.
 */
import type { z } from 'zod';
import type { TillErrorCode } from '../../../shared/ipc.ts';
import type { Rupiah } from '../../../shared/money.ts';
import {
  ApiErrorSchema,
  type CreatePaymentRequest,
  type Health,
  HealthSchema,
  type PaymentView,
  PaymentViewSchema,
  type PushRequest,
  type PushResponse,
  PushResponseSchema,
} from '../../../shared/schemas/sync-api.ts';
import { fail, TillFailure } from '../errors.ts';

export type ServerApiOptions = { baseUrl: string; token: string; timeoutMs?: number; fetch?: typeof fetch };

export class ServerApi {
  readonly #o: Required<ServerApiOptions>;

  constructor(o: ServerApiOptions) {
    this.#o = {
      baseUrl: o.baseUrl.replace(/\/+$/, ''),
      token: o.token,
      timeoutMs: o.timeoutMs ?? 8_000,
      fetch: o.fetch ?? globalThis.fetch,
    };
  }

  health(): Promise<Health> {
    return this.#call('GET', '/health', undefined, HealthSchema);
  }

  /** Idempotent on `payment_id`: a retry after a lost answer returns the same payment. */
  createPayment(req: { paymentId: string; saleId: string; amount: Rupiah }): Promise<PaymentView> {
    const body: CreatePaymentRequest = { payment_id: req.paymentId, sale_id: req.saleId, amount: req.amount };
    return this.#call('POST', '/v1/payments', body, PaymentViewSchema);
  }

  getPayment(id: string): Promise<PaymentView> {
    return this.#call('GET', `/v1/payments/${encodeURIComponent(id)}`, undefined, PaymentViewSchema);
  }

  cancelPayment(id: string): Promise<PaymentView> {
    return this.#call('POST', `/v1/payments/${encodeURIComponent(id)}/cancel`, undefined, PaymentViewSchema);
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

  async #call<T>(method: string, path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
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
        signal: AbortSignal.timeout(this.#o.timeoutMs),
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

export function classify(status: number, code: string): TillErrorCode {
  if (code === 'PROVIDER_UNAVAILABLE') return 'PROVIDER_UNAVAILABLE';
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
