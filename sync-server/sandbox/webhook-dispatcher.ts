/**
 * Delivers a sandbox's webhooks over real HTTP with the provider's retry schedule. Time is scalable so that a
 * 24-hour retry schedule plays out in a test in seconds, and chaos options duplicate, delay and reorder
 * deliveries the way real providers sometimes do.
 */
export type RetryPolicy = {
  /** Gaps before each retry, in provider time (ms). Its length caps the number of retries. */
  scheduleMs: readonly number[];
  /** Per-attempt timeout in provider time (ms). */
  timeoutMs: number;
  /** How many retries an outcome earns (a 2xx is never retried). `status` is null for a timeout/network error. */
  retriesFor(status: number | null): number;
};

export type Chaos = {
  /** Extra copies of every delivery (0 = none). */
  duplicates: number;
  /** Each copy waits a random 0…maxDelayMs (real ms) first, which reorders deliveries. */
  maxDelayMs: number;
};

export type DispatcherOptions = {
  policy: RetryPolicy;
  /** Real ms per provider ms: 1 = real time, 0.001 = a 15-minute gap lasts 0.9 s. */
  timeScale: number;
  chaos?: Partial<Chaos>;
  /** Injected for tests; defaults to global fetch. */
  fetch?: typeof fetch;
  random?: () => number;
};

export type Delivery = { url: string; headers: Record<string, string>; body: string };
export type Attempt = { url: string; attempt: number; status: number | null; at: number };

export class WebhookDispatcher {
  readonly attempts: Attempt[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private chaos: Chaos;
  private closed = false;
  private readonly opts: DispatcherOptions;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
    this.chaos = { duplicates: 0, maxDelayMs: 0, ...opts.chaos };
  }

  setChaos(chaos: Partial<Chaos>): void {
    this.chaos = { ...this.chaos, ...chaos };
  }

  /** Queues one webhook (plus its chaos copies). Returns at once; `idle()` waits for every attempt to settle. */
  send(d: Delivery): void {
    const random = this.opts.random ?? Math.random;
    for (let copy = 0; copy <= this.chaos.duplicates; copy++) {
      const delay = this.chaos.maxDelayMs > 0 ? Math.floor(random() * this.chaos.maxDelayMs) : 0;
      this.track(this.after(delay).then(() => this.deliver(d)));
    }
  }

  /** Resolves when nothing is queued or retrying. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private track(p: Promise<void>): void {
    const q = p.catch(() => {}).finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }

  private after(realMs: number): Promise<void> {
    if (realMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, realMs);
      this.timers.add(t);
    });
  }

  private async deliver(d: Delivery): Promise<void> {
    const { policy, timeScale } = this.opts;
    const doFetch = this.opts.fetch ?? fetch;
    for (let attempt = 0; !this.closed; attempt++) {
      let status: number | null = null;
      try {
        const res = await doFetch(d.url, {
          method: 'POST',
          headers: d.headers,
          body: d.body,
          signal: AbortSignal.timeout(Math.max(50, policy.timeoutMs * timeScale)),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        status = null;
      }
      this.attempts.push({ url: d.url, attempt, status, at: Date.now() });
      if (status !== null && status >= 200 && status < 300) return;
      const allowed = Math.min(policy.retriesFor(status), policy.scheduleMs.length);
      if (attempt >= allowed) return;
      await this.after((policy.scheduleMs[attempt] ?? 0) * timeScale);
    }
  }
}
