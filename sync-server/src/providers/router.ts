/**
 * Routes provider calls, with metrics, and guards payment creation with one circuit breaker per provider so a
 * new payment fails over to the other provider while the store's own is failing. Only creation is guarded: a
 * status read, cancel or refund concerns a payment that already lives at that provider and has nowhere else to
 * go, and must not open the breaker for new payments. Only "unavailable" errors (network, timeout, 5xx) trip
 * it; a rejection (4xx) or an answer we cannot read is not a sign that the provider is down.
 */

import type { CircuitBreakerPolicy } from 'cockatiel';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError } from 'cockatiel';
import type { Rupiah } from '../../../shared/money.ts';
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { Metrics } from '../metrics.ts';
import { NotSupportedError, ProviderError, ProviderUnavailableError } from './errors.ts';
import type { CreatedQr, PaymentProvider } from './payment-provider.ts';

export type BreakerName = 'closed' | 'open' | 'half_open';
const stateName = (s: CircuitState): BreakerName =>
  s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half_open' : 'open';
const stateGauge: Record<BreakerName, number> = { closed: 0, open: 1, half_open: 2 };

type Entry = { provider: PaymentProvider; breaker: CircuitBreakerPolicy; failures: number; recent: CallRing };

/** The last calls to one provider (any operation), for the dashboard's success rate and latency percentiles. */
export class CallRing {
  readonly #at: number[] = [];
  readonly #ms: number[] = [];
  readonly #ok: boolean[] = [];
  #next = 0;
  readonly capacity: number;
  constructor(capacity = 500) {
    this.capacity = capacity;
  }

  add(at: number, ms: number, ok: boolean): void {
    this.#at[this.#next] = at;
    this.#ms[this.#next] = ms;
    this.#ok[this.#next] = ok;
    this.#next = (this.#next + 1) % this.capacity;
  }

  stats(): {
    calls: number;
    ok: number;
    success_rate: number | null;
    p50_ms: number | null;
    p95_ms: number | null;
    p99_ms: number | null;
    since: number | null;
  } {
    const n = this.#ms.length;
    const ok = this.#ok.filter(Boolean).length;
    const sorted = [...this.#ms].sort((a, b) => a - b);
    // Nearest-rank percentile.
    const pct = (p: number) => (n === 0 ? null : sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]!);
    return {
      calls: n,
      ok,
      success_rate: n === 0 ? null : ok / n,
      p50_ms: pct(50),
      p95_ms: pct(95),
      p99_ms: pct(99),
      since: n === 0 ? null : Math.min(...this.#at),
    };
  }
}

export class ProviderRouter {
  private readonly entries = new Map<ProviderId, Entry>();
  private readonly metrics: Metrics;

  constructor(
    providers: Partial<Record<ProviderId, PaymentProvider>>,
    opts: { failures: number; cooldownMs: number },
    metrics: Metrics,
  ) {
    this.metrics = metrics;
    for (const [id, provider] of Object.entries(providers) as [ProviderId, PaymentProvider | undefined][]) {
      if (!provider) continue;
      const breaker = circuitBreaker(
        handleWhen((e) => e instanceof ProviderUnavailableError && e.providerCode !== 'BAD_RESPONSE'),
        { halfOpenAfter: opts.cooldownMs, breaker: new ConsecutiveBreaker(opts.failures) },
      );
      const entry: Entry = { provider, breaker, failures: 0, recent: new CallRing() };
      breaker.onFailure(() => {
        entry.failures++;
      });
      breaker.onStateChange((s) => metrics.breakerState.set({ provider: id }, stateGauge[stateName(s)]));
      metrics.breakerState.set({ provider: id }, 0);
      this.entries.set(id, entry);
    }
  }

  configured(): ProviderId[] {
    return [...this.entries.keys()];
  }

  has(id: ProviderId): boolean {
    return this.entries.has(id);
  }

  provider(id: ProviderId): PaymentProvider {
    const e = this.entries.get(id);
    if (!e) throw new NotSupportedError(`payment provider ${id} is not configured on this server`);
    return e.provider;
  }

  /** Runs one provider operation, with metrics; a `create` goes through that provider's breaker. */
  async call<T>(id: ProviderId, op: string, fn: (p: PaymentProvider) => Promise<T>): Promise<T> {
    const e = this.entries.get(id);
    if (!e) throw new NotSupportedError(`payment provider ${id} is not configured on this server`);
    const end = this.metrics.providerSeconds.startTimer({ provider: id, op });
    const t0 = performance.now();
    try {
      const r = op === 'create' ? await e.breaker.execute(() => fn(e.provider)) : await fn(e.provider);
      this.metrics.providerRequests.inc({ provider: id, op, result: 'ok' });
      e.recent.add(Date.now(), performance.now() - t0, true);
      return r;
    } catch (err) {
      const result = isBrokenCircuitError(err) ? 'breaker_open' : err instanceof ProviderError ? err.code : 'error';
      this.metrics.providerRequests.inc({ provider: id, op, result });
      e.recent.add(Date.now(), performance.now() - t0, false);
      if (isBrokenCircuitError(err)) {
        throw new ProviderUnavailableError(`${id} is failing; its circuit breaker is open`);
      }
      throw err;
    } finally {
      end();
    }
  }

  /**
   * Creates a QR at the preferred provider, or at another configured one when the preferred is unavailable
   * (its breaker open, or this call failing as unavailable). A rejection is not failed over.
   */
  async createQr(
    preferred: ProviderId,
    req: { paymentId: string; amount: Rupiah; expiresAt: number },
  ): Promise<{ provider: ProviderId; created: CreatedQr; failover: boolean }> {
    const order = [preferred, ...this.configured().filter((p) => p !== preferred)].filter((p) => this.has(p));
    if (order.length === 0) throw new NotSupportedError('no payment provider is configured');
    let last: unknown;
    for (const [i, id] of order.entries()) {
      try {
        const created = await this.call(id, 'create', (p) => p.createQrPayment(req));
        this.metrics.paymentsCreated.inc({ provider: id, failover: String(i > 0) });
        return { provider: id, created, failover: i > 0 };
      } catch (err) {
        last = err;
        if (!(err instanceof ProviderUnavailableError)) throw err;
      }
    }
    throw last;
  }

  /** Success rate and latency over each provider's recent calls. */
  recent(): {
    provider: ProviderId;
    mode: 'sandbox' | 'live';
    breaker: BreakerName;
    failures: number;
    stats: ReturnType<CallRing['stats']>;
  }[] {
    return [...this.entries].map(([id, e]) => ({
      provider: id,
      mode: e.provider.mode,
      breaker: stateName(e.breaker.state),
      failures: e.failures,
      stats: e.recent.stats(),
    }));
  }

  health(): Record<string, { mode: 'sandbox' | 'live'; breaker: BreakerName; failures: number }> {
    return Object.fromEntries(
      [...this.entries].map(([id, e]) => [
        id,
        { mode: e.provider.mode, breaker: stateName(e.breaker.state), failures: e.failures },
      ]),
    );
  }
}
